import type { Logger } from '@cluster/api'
import { messageOf } from './errors.ts'

/**
 * Go's `informer_trigger_interval`: every that many pin, block-put and GC events the informers'
 * metrics are broadcast at once instead of at the next metric interval (0: never).
 */
export class InformerTrigger {
  private readonly every: () => number
  private readonly onTrigger: (() => void) | undefined
  private readonly logger: Logger
  private count = 0

  constructor (every: () => number, onTrigger: (() => void) | undefined, logger: Logger) {
    this.every = every
    this.onTrigger = onTrigger
    this.logger = logger
  }

  event (): void {
    const every = this.every()
    if (every <= 0 || this.onTrigger === undefined) return
    if (++this.count < every) return
    this.count = 0
    try {
      this.onTrigger()
    } catch (err) {
      this.logger('error', `informer trigger: ${messageOf(err)}`)
    }
  }
}

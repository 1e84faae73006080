/**
 * Recursive pins asked for in the same event-loop turn (the tracker starts up to `concurrent_pins`
 * at once when its queue is busy), tried together in one `pin/add` that fetches nothing: Kubo
 * pins in one call every CID whose blocks it already holds — a pin of content added to it, or
 * already fetched — instead of one call each. When the call fails (a block is missing: Kubo says
 * so at once) every CID of the batch goes its own way, the one-call-per-pin path with progress
 * and stall detection, so a CID still to be fetched never waits behind another. A pin asked for
 * alone skips the batch.
 */
import type { CID } from 'multiformats/cid'
import type { Logger } from '@cluster/api'
import { multihashKey } from './cid.ts'
import { messageOf } from './errors.ts'

/** CIDs per call at most (the query string grows with each). */
const MAX_BATCH = 64

interface Waiting {
  cid: CID
  signal: AbortSignal | undefined
  /** true: pinned by the batch; false: pin it the usual way. */
  done: (pinned: boolean) => void
}

/** Pins `cids` without fetching; resolves with the CIDs Kubo says it pinned. */
export type PinLocally = (cids: CID[]) => Promise<string[]>

export class LocalPinBatch {
  private readonly pinLocally: PinLocally
  private readonly logger: Logger
  private waiting: Waiting[] = []

  constructor (pinLocally: PinLocally, logger: Logger) {
    this.pinLocally = pinLocally
    this.logger = logger
  }

  /** Whether `cid` was pinned with the others of its turn (false: alone, or the batch failed). */
  async tryPin (cid: CID, signal?: AbortSignal): Promise<boolean> {
    return await new Promise<boolean>((resolve) => {
      this.waiting.push({ cid, signal, done: resolve })
      if (this.waiting.length === 1) setImmediate(() => { this.flush() })
      else if (this.waiting.length === MAX_BATCH) this.flush()
    })
  }

  private flush (): void {
    const batch = this.waiting.filter(w => w.signal?.aborted !== true)
    for (const w of this.waiting) if (w.signal?.aborted === true) w.done(false)
    this.waiting = []
    if (batch.length < 2) {
      for (const w of batch) w.done(false)
      return
    }
    this.pinLocally(batch.map(w => w.cid)).then((pins) => {
      const pinned = new Set(pins.map(p => { try { return multihashKey(p) } catch { return p } }))
      for (const w of batch) w.done(pinned.has(multihashKey(w.cid)))
    }, (err: unknown) => {
      this.logger('debug', `pin/add of ${batch.length} CIDs without fetching: ${messageOf(err)}; pinning them one by one`)
      for (const w of batch) w.done(false)
    })
  }
}

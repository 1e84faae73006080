/**
 * Repairs sooner than `repair_interval` after a DAG walk failed (a block that could not be fetched
 * or stored: a peer briefly gone, a full disk): the first after `firstMs`, then at doubling
 * intervals up to `repair_interval`, until one succeeds. go-ds-crdt waits for the next
 * `repair_interval` (an hour by default), so a peer that missed blocks stayed behind that long
 * even once they could be had.
 */
export class RepairBackoff {
  private timer: NodeJS.Timeout | undefined
  private delayMs: number
  private readonly firstMs: number
  private readonly maxMs: number
  private readonly run: () => void

  /** `maxMs` 0 (repairs off) makes request() do nothing. */
  constructor (run: () => void, maxMs: number, firstMs = 5_000) {
    this.run = run
    this.maxMs = maxMs
    this.firstMs = Math.min(firstMs, maxMs)
    this.delayMs = this.firstMs
  }

  /** A walk or a repair failed: one repair is due after the current delay (the next waits twice as long). */
  request (): void {
    if (this.maxMs <= 0 || this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.run()
    }, this.delayMs)
    this.timer.unref()
    this.delayMs = Math.min(this.delayMs * 2, this.maxMs)
  }

  /** A repair went through: the next failure waits `firstMs` again. */
  succeeded (): void {
    this.delayMs = this.firstMs
  }

  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }
}

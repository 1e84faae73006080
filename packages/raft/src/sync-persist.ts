/** A sync write slower than this turns sync writes off for a while. */
const SLOW_MS = 2
const FIRST_PAUSE_MS = 1000
const LONGEST_PAUSE_MS = 60_000

/**
 * Which Readys the driver makes durable on the event loop (`storage.persist`) although the
 * storage offers `persistAsync`: those appending at most `maxEntries` entries, no snapshot. An
 * fsync of one entry takes ~0.2–0.4 ms, while the callback of one run on the thread pool comes
 * back ~0.9 ms later (median, 3 peers at 1 client): a commit waits for it. A slow disk would hold
 * the loop (heartbeats, the API) as long as each fsync takes, so a sync write slower than 2 ms
 * sends the next ones to `persistAsync` for a second, then twice as long each time one is slow
 * again (up to a minute), until one is quick.
 */
export class SyncPersistPolicy {
  private readonly maxEntries: number
  private readonly now: () => number
  private pausedUntil = -Infinity
  private pauseMs = FIRST_PAUSE_MS

  constructor (maxEntries: number, now: () => number = () => performance.now()) {
    this.maxEntries = maxEntries
    this.now = now
  }

  /** Whether this Ready's write should block the loop. */
  choose (entries: number, snapshot: boolean): boolean {
    return this.maxEntries > 0 && !snapshot && entries <= this.maxEntries && this.now() >= this.pausedUntil
  }

  /** Makes a write chosen above, noting how long it took. */
  timed (write: () => void): void {
    const started = this.now()
    write()
    this.took(this.now() - started)
  }

  private took (ms: number): void {
    if (ms <= SLOW_MS) {
      this.pauseMs = FIRST_PAUSE_MS
      return
    }
    this.pausedUntil = this.now() + this.pauseMs
    this.pauseMs = Math.min(2 * this.pauseMs, LONGEST_PAUSE_MS)
  }
}

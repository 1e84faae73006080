import type { Clock, TimerHandle } from '@cluster/api'
import type { Logger } from '@cluster/api'

/** Above this many consecutive transport failures, requests are let through at 1 per second. */
export const RATE_LIMIT_THRESHOLD = 10
export const RATE_LIMIT_INTERVAL_MS = 1000

interface Waiter {
  resolve: () => void
  reject: (err: unknown) => void
  signal: AbortSignal | undefined
  onAbort: () => void
}

/**
 * Failed-request back-off (ipfs-connector.md §5). Counts consecutive transport failures (no
 * HTTP answer at all); any HTTP answer resets the count. While the count is above 10, at most
 * one request per second goes out, so a dead Kubo is not hammered. A waiting request still
 * honours its own cancellation.
 */
export class RequestGate {
  private failures = 0
  private limited = false
  private lastRelease = Number.NEGATIVE_INFINITY
  private readonly queue: Waiter[] = []
  private timer: TimerHandle | undefined
  private readonly clock: Clock
  private readonly logger: Logger

  constructor (clock: Clock, logger: Logger) {
    this.clock = clock
    this.logger = logger
  }

  /** Consecutive transport failures so far. */
  get failureCount (): number {
    return this.failures
  }

  /** Resolves when the request may go out. Rejects with the signal's reason if aborted first. */
  async acquire (signal?: AbortSignal): Promise<void> {
    if (this.failures <= RATE_LIMIT_THRESHOLD) return
    signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter)
          if (i !== -1) this.queue.splice(i, 1)
          reject(signal?.reason)
        }
      }
      signal?.addEventListener('abort', waiter.onAbort, { once: true })
      this.queue.push(waiter)
      this.pump()
    })
  }

  /** A request got no HTTP answer (connection refused, reset, DNS…). */
  failed (): void {
    this.failures++
    if (this.failures > RATE_LIMIT_THRESHOLD && !this.limited) {
      this.limited = true
      this.logger('warn', 'Rate-limiting requests to 1req/s')
    }
  }

  /** A request got an HTTP answer (whatever its status). */
  succeeded (): void {
    this.failures = 0
    if (this.limited) {
      this.limited = false
      this.logger('info', 'Lifting up rate limit')
    }
    // Let everyone waiting go now.
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer)
      this.timer = undefined
    }
    for (const w of this.queue.splice(0)) this.release(w)
  }

  private release (w: Waiter): void {
    w.signal?.removeEventListener('abort', w.onAbort)
    w.resolve()
  }

  private pump (): void {
    if (this.timer !== undefined || this.queue.length === 0) return
    if (this.failures <= RATE_LIMIT_THRESHOLD) {
      for (const w of this.queue.splice(0)) this.release(w)
      return
    }
    const wait = this.lastRelease + RATE_LIMIT_INTERVAL_MS - this.clock.now()
    if (wait <= 0) {
      const w = this.queue.shift()
      if (w !== undefined) {
        this.lastRelease = this.clock.now()
        this.release(w)
      }
      if (this.queue.length > 0) this.pump()
      return
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.pump()
    }, wait)
  }
}

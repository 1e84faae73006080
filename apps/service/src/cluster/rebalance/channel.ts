/**
 * Events of a running rebalance to whoever reads them: the rebalance goes on at its own pace
 * (it must finish even when the client has gone), so a reader that stops reading only stops
 * receiving; events are queued for a reader that is slower than the moves.
 */
export class EventChannel<T> {
  private readonly queue: T[] = []
  private wake: (() => void) | undefined
  private closed = false
  private error: Error | undefined
  private detached = false

  push (event: T): void {
    if (this.detached) return
    this.queue.push(event)
    this.wake?.()
  }

  close (): void {
    this.closed = true
    this.wake?.()
  }

  /** Ends the events with `error` (thrown to the reader after the queued events). */
  fail (error: Error): void {
    this.error = error
    this.close()
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<T> {
    try {
      for (;;) {
        while (this.queue.length > 0) yield this.queue.shift() as T
        if (this.closed) {
          if (this.error !== undefined) throw this.error
          return
        }
        await new Promise<void>(resolve => { this.wake = resolve })
        this.wake = undefined
      }
    } finally {
      this.detached = true
      this.queue.length = 0
    }
  }
}

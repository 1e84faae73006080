/**
 * Whether Kubo answers at all. A request that gets no HTTP answer (connection refused or reset,
 * or its own deadline passing before any reply) marks Kubo down; any HTTP answer, whatever its
 * status, marks it up. Listeners hear of each change, so a caller can retry what failed while
 * Kubo was gone as soon as it is back.
 */
export class KuboHealth {
  #down = false
  readonly #listeners = new Set<(up: boolean) => void>()

  /** True from a request without answer until the next answer. */
  get down (): boolean {
    return this.#down
  }

  noAnswer (): void {
    if (this.#down) return
    this.#down = true
    this.#emit(false)
  }

  answered (): void {
    if (!this.#down) return
    this.#down = false
    this.#emit(true)
  }

  /** `listener(true)` when Kubo answers again, `listener(false)` when it stops. Returns the unsubscribe function. */
  onChange (listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  #emit (up: boolean): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(up)
      } catch { /* a listener's failure is its own */ }
    }
  }
}

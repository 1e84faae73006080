/**
 * Shared passes: requests that need the same expensive result (a listing of every pin's status,
 * a fan-out to every peer whose cost grows with the pinset) join one pass instead of running one
 * each. A request arriving while a pass for its key runs waits for the next one, which starts as
 * soon as the current one ends and serves everyone who joined meanwhile, so every answer is as
 * fresh as the request. A burst of N listings costs about two passes, not N.
 */

interface Waiter<T> {
  signal: AbortSignal
  resolve: (v: T) => void
  reject: (err: unknown) => void
}

interface Slot<T> {
  running: boolean
  next: Array<Waiter<T>>
}

export class SharedPasses<T> {
  readonly #maxWaiting: number
  readonly #slots = new Map<string, Slot<T>>()
  #waiting = 0

  /** @param maxWaiting requests served or waiting at once (over every key); more are refused. */
  constructor (maxWaiting: number) {
    this.#maxWaiting = maxWaiting
  }

  /** Requests served or waiting now. */
  get waiting (): number { return this.#waiting }

  /**
   * The result of the next pass for `key`, run by `produce` (with a signal aborted once every
   * request of the pass has gone). Undefined when too many requests wait: refuse this one.
   */
  join (key: string, signal: AbortSignal, produce: (signal: AbortSignal) => Promise<T>): Promise<T> | undefined {
    if (this.#waiting >= this.#maxWaiting) return undefined
    let slot = this.#slots.get(key)
    if (slot === undefined) this.#slots.set(key, slot = { running: false, next: [] })
    const s = slot
    this.#waiting++
    return new Promise<T>((resolve, reject) => {
      s.next.push({ signal, resolve, reject })
      // Started on the next turn, so that requests arriving together share the first pass too.
      if (!s.running) {
        s.running = true
        setImmediate(() => { void this.#pass(key, s, produce) })
      }
    }).finally(() => { this.#waiting-- })
  }

  async #pass (key: string, slot: Slot<T>, produce: (signal: AbortSignal) => Promise<T>): Promise<void> {
    const waiters = slot.next
    slot.next = []
    const controller = new AbortController()
    const onAbort = (): void => { if (waiters.every(w => w.signal.aborted)) controller.abort() }
    for (const w of waiters) w.signal.addEventListener('abort', onAbort, { once: true })
    onAbort()
    try {
      const value = await produce(controller.signal)
      for (const w of waiters) w.resolve(value)
    } catch (err) {
      for (const w of waiters) w.reject(err)
    } finally {
      for (const w of waiters) w.signal.removeEventListener('abort', onAbort)
      if (slot.next.length > 0) setImmediate(() => { void this.#pass(key, slot, produce) })
      else {
        slot.running = false
        this.#slots.delete(key)
      }
    }
  }
}

/** Yields to the event loop (long synchronous loops over a big pinset call it every so often). */
export async function yieldTurn (): Promise<void> {
  await new Promise(resolve => setImmediate(resolve))
}

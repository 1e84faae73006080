/**
 * Shared streamed passes: like SharedPasses, requests that need the same listing join one pass
 * instead of running one each (a burst of N costs about two passes), but the pass is not kept:
 * each chunk it produces goes to every request of the pass, and the next chunk is produced only
 * once every request still there has taken this one (the slowest reader sets the pace). Memory
 * is one chunk per pass, whatever the listing's size, and the first chunk goes out as soon as it
 * is produced. A request arriving while a pass for its key runs waits for the next pass, which
 * starts when the current one ends, so every answer is as fresh as the request.
 */

interface Reader {
  signal: AbortSignal
  chunk?: string
  /** The pass ended: with `error` when it failed. */
  ended: boolean
  error?: unknown
  gone: boolean
  /** Wakes the reader (a chunk or the end arrived). */
  wake?: () => void
  /** Wakes the pass (this reader took its chunk, or left). */
  taken?: () => void
  /** Tells the pass this reader left (the pass stops when no one is left). */
  left?: () => void
}

interface Slot {
  running: boolean
  next: Reader[]
}

export class SharedStreams {
  readonly #maxWaiting: number
  readonly #slots = new Map<string, Slot>()
  #waiting = 0

  /** @param maxWaiting requests served or waiting at once (over every key); more are refused. */
  constructor (maxWaiting: number) {
    this.#maxWaiting = maxWaiting
  }

  /** Requests served or waiting now. */
  get waiting (): number { return this.#waiting }

  /**
   * The chunks of the next pass for `key`, run by `produce` (with a signal aborted once every
   * request of the pass has gone). Undefined when too many requests wait: refuse this one. The
   * pass's failure is thrown by the iterator after the chunks produced before it.
   */
  join (key: string, signal: AbortSignal, produce: (signal: AbortSignal) => AsyncIterable<string>): AsyncIterable<string> | undefined {
    if (this.#waiting >= this.#maxWaiting) return undefined
    let slot = this.#slots.get(key)
    if (slot === undefined) this.#slots.set(key, slot = { running: false, next: [] })
    const reader: Reader = { signal, ended: false, gone: false }
    slot.next.push(reader)
    this.#waiting++
    if (!slot.running) {
      slot.running = true
      const s = slot
      // Started on the next turn, so that requests arriving together share the first pass too.
      setImmediate(() => { void this.#pass(key, s, produce) })
    }
    return this.#read(reader)
  }

  async * #read (r: Reader): AsyncGenerator<string> {
    const leave = (): void => { r.gone = true; r.wake?.(); r.taken?.(); r.left?.() }
    r.signal.addEventListener('abort', leave, { once: true })
    try {
      while (true) {
        if (r.chunk !== undefined) {
          const chunk = r.chunk
          r.chunk = undefined
          r.taken?.()
          yield chunk
          continue
        }
        if (r.ended) {
          if (r.error !== undefined) throw r.error
          return
        }
        if (r.gone) return
        await new Promise<void>(resolve => { r.wake = resolve })
        r.wake = undefined
      }
    } finally {
      r.signal.removeEventListener('abort', leave)
      r.gone = true
      r.taken?.()
      r.left?.()
      this.#waiting--
    }
  }

  async #pass (key: string, slot: Slot, produce: (signal: AbortSignal) => AsyncIterable<string>): Promise<void> {
    const readers = slot.next
    slot.next = []
    const controller = new AbortController()
    const present = (): Reader[] => readers.filter(r => !r.gone && !r.signal.aborted)
    for (const r of readers) r.left = () => { if (present().length === 0) controller.abort() }
    if (present().length === 0) controller.abort()
    const end = (error?: unknown): void => {
      for (const r of readers) {
        r.ended = true
        if (error !== undefined) r.error = error
        r.wake?.()
      }
    }
    try {
      for await (const chunk of produce(controller.signal)) {
        const now = present()
        if (now.length === 0) { controller.abort(); break }
        for (const r of now) { r.chunk = chunk; r.wake?.() }
        // The next chunk once every reader still there has taken this one.
        await Promise.all(now.map(async r => {
          while (r.chunk !== undefined && !r.gone && !r.signal.aborted) {
            await new Promise<void>(resolve => {
              r.taken = resolve
              if (r.signal.aborted) resolve()
            })
            r.taken = undefined
          }
        }))
      }
      end()
    } catch (err) {
      end(err)
    } finally {
      if (slot.next.length > 0) setImmediate(() => { void this.#pass(key, slot, produce) })
      else {
        slot.running = false
        this.#slots.delete(key)
      }
    }
  }
}

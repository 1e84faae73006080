/** Options of batched(). */
export interface BatchOptions {
  /** Items per group at most (default 256); a function is asked again for each group. */
  maxItems?: number | (() => number)
  /** Longest an item waits for companions, in ms (default 20). */
  maxWaitMs?: number
}

const WAITED = Symbol('waited')

/**
 * The items of a stream in groups, for a wire that pays per write: one frame per item costs a
 * write and a read on each side, which limits a status stream to under a thousand items per
 * second. A group holds at most `maxItems`, and an item never waits longer than `maxWaitMs` for
 * companions: when the producer pauses, what is there goes out, so slow streams are not delayed.
 * The next item is asked for while the consumer handles a group.
 */
export async function * batched<T> (items: AsyncIterable<T>, options: BatchOptions = {}): AsyncGenerator<T[]> {
  const limit = options.maxItems ?? 256
  const maxItems = typeof limit === 'function' ? limit : () => limit
  const maxWaitMs = options.maxWaitMs ?? 20
  const it = items[Symbol.asyncIterator]()
  let batch: T[] = []
  let pending = it.next()
  let ended = false
  try {
    while (true) {
      let timer: NodeJS.Timeout | undefined
      const next = batch.length === 0
        ? await pending
        : await Promise.race([pending, new Promise<typeof WAITED>(resolve => { timer = setTimeout(() => { resolve(WAITED) }, maxWaitMs) })])
      clearTimeout(timer)
      if (next === WAITED) {
        const group = batch
        batch = []
        yield group
        continue
      }
      if (next.done === true) {
        ended = true
        break
      }
      batch.push(next.value)
      pending = it.next()
      if (batch.length >= maxItems()) {
        const group = batch
        batch = []
        yield group
      }
    }
    if (batch.length > 0) yield batch
  } finally {
    if (!ended) {
      // The consumer stopped (its wire failed): end the source without waiting for it, and let an
      // item that fails later go unheard rather than unhandled.
      pending.catch(() => {})
      it.return?.(undefined)?.catch(() => {})
    }
  }
}

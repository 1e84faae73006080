/** Options of batched(). */
export interface BatchOptions {
  /** Items per group at most (default 256); a function is asked again for each group. */
  maxItems?: number | (() => number)
  /** Longest the first item of a group waits for companions, in ms (default 20). */
  maxWaitMs?: number
}

const WAITED = Symbol('waited')

/**
 * The items of a stream in groups, for a wire that pays per write: one frame per item costs a
 * write and a read on each side, which limits a status stream to under a thousand items per
 * second. A group holds at most `maxItems`, and goes out at most `maxWaitMs` after its first
 * item came: when the producer pauses or trickles, what is there goes out, so slow streams are
 * not delayed. One timer per group, not per item (setting and clearing one per item was a tenth
 * of a member's CPU while it sent a big status stream). The next item is asked for while the
 * consumer handles a group.
 */
export async function * batched<T> (items: AsyncIterable<T>, options: BatchOptions = {}): AsyncGenerator<T[]> {
  const limit = options.maxItems ?? 256
  const maxItems = typeof limit === 'function' ? limit : () => limit
  const maxWaitMs = options.maxWaitMs ?? 20
  const it = items[Symbol.asyncIterator]()
  let batch: T[] = []
  let pending = it.next()
  let ended = false
  let timer: NodeJS.Timeout | undefined
  /** Settles with WAITED when the group being filled has waited long enough. */
  let deadline: Promise<typeof WAITED> | undefined
  const take = (): T[] => {
    clearTimeout(timer)
    deadline = undefined
    const group = batch
    batch = []
    return group
  }
  try {
    while (true) {
      const next = deadline === undefined ? await pending : await Promise.race([pending, deadline])
      if (next === WAITED) {
        yield take()
        continue
      }
      if (next.done === true) {
        ended = true
        break
      }
      batch.push(next.value)
      pending = it.next()
      if (batch.length >= maxItems()) yield take()
      else if (batch.length === 1) deadline = new Promise(resolve => { timer = setTimeout(resolve, maxWaitMs, WAITED) })
    }
    if (batch.length > 0) yield take()
  } finally {
    clearTimeout(timer)
    if (!ended) {
      // The consumer stopped (its wire failed): end the source without waiting for it, and let an
      // item that fails later go unheard rather than unhandled.
      pending.catch(() => {})
      it.return?.(undefined)?.catch(() => {})
    }
  }
}

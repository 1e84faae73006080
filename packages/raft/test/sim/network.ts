import type { Message, NodeId } from '../../src/index.ts'

interface Queued {
  at: number
  seq: number
  msg: Message
}

/** The simulator's network: a priority queue of messages by (delivery time, sequence). */
export class SimNetwork {
  private heap: Queued[] = []
  private seq = 0
  /** Cut links, as "from>to". */
  readonly cut = new Set<string>()

  get size (): number {
    return this.heap.length
  }

  send (msg: Message, at: number): void {
    this.push({ at, seq: this.seq++, msg })
  }

  linkUp (from: NodeId, to: NodeId): boolean {
    return !this.cut.has(`${from}>${to}`)
  }

  /** Next message due at or before `now`. */
  popDue (now: number): Message | undefined {
    const top = this.heap[0]
    if (top === undefined || top.at > now) return undefined
    const last = this.heap.pop() as Queued
    if (this.heap.length > 0) {
      this.heap[0] = last
      this.down(0)
    }
    return top.msg
  }

  private push (q: Queued): void {
    this.heap.push(q)
    let i = this.heap.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(this.heap[i] as Queued, this.heap[p] as Queued)) break
      swap(this.heap, i, p)
      i = p
    }
  }

  private down (i: number): void {
    const n = this.heap.length
    while (true) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < n && less(this.heap[l] as Queued, this.heap[m] as Queued)) m = l
      if (r < n && less(this.heap[r] as Queued, this.heap[m] as Queued)) m = r
      if (m === i) return
      swap(this.heap, i, m)
      i = m
    }
  }
}

function less (a: Queued, b: Queued): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

function swap<T> (a: T[], i: number, j: number): void {
  const t = a[i] as T
  a[i] = a[j] as T
  a[j] = t
}

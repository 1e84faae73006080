import type { Message, NodeId } from './messages.ts'
import type { ReadOnlyMode } from './config.ts'

interface ReadIndexStatus {
  req: Message
  index: number
  acks: Map<NodeId, boolean>
}

/** Hex key of a request context (contexts are opaque bytes). */
export function contextKey (ctx: Uint8Array | undefined): string {
  if (ctx === undefined) return ''
  let s = ''
  for (const b of ctx) s += b.toString(16).padStart(2, '0')
  return s
}

/**
 * Pending ReadIndex requests on the leader, in arrival order. A request is answered once a
 * quorum acknowledged a heartbeat carrying its context (or a later one).
 */
export class ReadOnly {
  readonly mode: ReadOnlyMode
  private pending = new Map<string, ReadIndexStatus>()
  private queue: string[] = []

  constructor (mode: ReadOnlyMode) {
    this.mode = mode
  }

  addRequest (index: number, m: Message): void {
    const key = contextKey(m.context)
    if (this.pending.has(key)) return
    this.pending.set(key, { index, req: m, acks: new Map() })
    this.queue.push(key)
  }

  /** Records an acknowledgement of `ctx` from `id`; returns the acks so far. */
  recvAck (id: NodeId, ctx: Uint8Array | undefined): Map<NodeId, boolean> | undefined {
    const rs = this.pending.get(contextKey(ctx))
    if (rs === undefined) return undefined
    rs.acks.set(id, true)
    return rs.acks
  }

  /** Removes and returns every request up to and including the one with `ctx`. */
  advance (ctx: Uint8Array | undefined): Array<{ req: Message, index: number }> {
    const key = contextKey(ctx)
    const i = this.queue.indexOf(key)
    if (i < 0) return []
    const keys = this.queue.slice(0, i + 1)
    this.queue = this.queue.slice(i + 1)
    const out: Array<{ req: Message, index: number }> = []
    for (const k of keys) {
      const rs = this.pending.get(k)
      if (rs !== undefined) out.push({ req: rs.req, index: rs.index })
      this.pending.delete(k)
    }
    return out
  }

  lastPendingContext (): Uint8Array | undefined {
    const key = this.queue[this.queue.length - 1]
    return key === undefined ? undefined : this.pending.get(key)?.req.context
  }

  pendingCount (): number {
    return this.queue.length
  }
}

/**
 * Tracing of commits: each pin/unpin commit is a span, and the apply hooks of an entry this peer
 * proposed run in that span's trace, so the tracker's operation joins the request that caused
 * it (Raft applies entries from its own loop, outside the caller's async context). On the other
 * peers, a Raft entry that carries its commit's traceparent (ops.ts) is applied inside a
 * `consensus.apply` span of that trace.
 */
import type { Pin } from '@cluster/api'
import { activeTraceparent, captureContext, inSpan, runInContext, startSpan, tracingEnabled, type TraceContext } from '@cluster/observability/trace'
import type { ApplyHooks } from './state.ts'

export class CommitTraces {
  readonly #waiting = new Map<string, TraceContext>()
  readonly #consensus: 'raft' | 'crdt'

  constructor (consensus: 'raft' | 'crdt') {
    this.#consensus = consensus
  }

  /** The hooks, each pin's run in the context of the commit that is waiting for it here. */
  wrap (hooks: ApplyHooks | undefined): ApplyHooks | undefined {
    if (hooks === undefined) return undefined
    const { onPin, onUnpin } = hooks
    return {
      ...hooks,
      ...(onPin === undefined ? {} : { onPin: (pin: Pin, before: Pin | undefined, tp?: string) => { this.#in(pin, tp, () => { onPin(pin, before, tp) }) } }),
      ...(onUnpin === undefined ? {} : { onUnpin: (pin: Pin, tp?: string) => { this.#in(pin, tp, () => { onUnpin(pin, tp) }) } })
    }
  }

  /**
   * Runs one commit of `pin` inside a `consensus.logPin`/`logUnpin` span; `fn` gets the span's
   * traceparent (undefined while tracing is off) to carry in the entry.
   */
  async commit (op: 'pin' | 'unpin', pin: Pin, fn: (traceparent?: string) => Promise<void>): Promise<void> {
    if (!tracingEnabled()) return await fn()
    const name = op === 'pin' ? 'consensus.logPin' : 'consensus.logUnpin'
    await inSpan(name, { attributes: { 'cluster.consensus': this.#consensus, 'cluster.cid': pin.cid.toString() } }, async () => {
      const ctx = captureContext()
      if (ctx === undefined) return await fn()
      const key = pin.cid.toString()
      this.#waiting.set(key, ctx)
      try {
        await fn(activeTraceparent())
      } finally {
        if (this.#waiting.get(key) === ctx) this.#waiting.delete(key)
      }
    })
  }

  #in (pin: Pin, traceparent: string | undefined, fn: () => void): void {
    const local = this.#waiting.size === 0 ? undefined : this.#waiting.get(pin.cid.toString())
    if (local !== undefined) {
      runInContext(local, fn)
      return
    }
    if (traceparent === undefined || !tracingEnabled()) {
      fn()
      return
    }
    const span = startSpan('consensus.apply', { traceparent, attributes: { 'cluster.consensus': this.#consensus, 'cluster.cid': pin.cid.toString() } })
    try {
      span.run(fn)
    } finally {
      span.end()
    }
  }
}

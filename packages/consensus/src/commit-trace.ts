/**
 * Tracing of commits: each pin/unpin commit is a span, and the apply hooks of an entry this peer
 * proposed run in that span's trace, so the tracker's operation joins the request that caused
 * it (Raft applies entries from its own loop, outside the caller's async context).
 */
import type { Pin } from '@cluster/api'
import { captureContext, inSpan, runInContext, tracingEnabled, type TraceContext } from '@cluster/observability/trace'
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
      ...(onPin === undefined ? {} : { onPin: (pin: Pin, before: Pin | undefined) => { this.#in(pin, () => { onPin(pin, before) }) } }),
      ...(onUnpin === undefined ? {} : { onUnpin: (pin: Pin) => { this.#in(pin, () => { onUnpin(pin) }) } })
    }
  }

  /** Runs one commit of `pin` inside a `consensus.logPin`/`logUnpin` span. */
  async commit (op: 'pin' | 'unpin', pin: Pin, fn: () => Promise<void>): Promise<void> {
    if (!tracingEnabled()) return await fn()
    const name = op === 'pin' ? 'consensus.logPin' : 'consensus.logUnpin'
    await inSpan(name, { attributes: { 'cluster.consensus': this.#consensus, 'cluster.cid': pin.cid.toString() } }, async () => {
      const ctx = captureContext()
      if (ctx === undefined) return await fn()
      const key = pin.cid.toString()
      this.#waiting.set(key, ctx)
      try {
        await fn()
      } finally {
        if (this.#waiting.get(key) === ctx) this.#waiting.delete(key)
      }
    })
  }

  #in (pin: Pin, fn: () => void): void {
    if (this.#waiting.size === 0) {
      fn()
      return
    }
    runInContext(this.#waiting.get(pin.cid.toString()), fn)
  }
}

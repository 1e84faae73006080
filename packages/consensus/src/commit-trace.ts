/**
 * Tracing of commits: each pin/unpin commit is a span, and the apply hooks of an entry this peer
 * proposed run in that span's trace, so the tracker's operation joins the request that caused
 * it (Raft applies entries from its own loop, outside the caller's async context). On the other
 * peers, a Raft entry that carries its commit's traceparent (ops.ts) is applied inside a
 * `consensus.apply` span of that trace.
 *
 * A Raft follower hands its proposal to the leader over Raft's own peer protocol (Go uses an RPC
 * call, Consensus.LogPin, for the same hop). That hop is an RPC pair in the trace: `rpc.client
 * Raft.Propose` on the follower, from the hand-over until the entry is applied there, and
 * `rpc.server Raft.Propose` on the leader, from the proposal's arrival until the leader applied
 * it; the leader's apply runs under the server span.
 */
import type { Pin } from '@cluster/api'
import { activeTraceparent, captureContext, inSpan, runInContext, startSpan, tracingEnabled, type SpanHandle, type TraceContext } from '@cluster/observability/trace'
import type { ApplyHooks } from './state.ts'

/** How long a leader keeps the server span of a forwarded proposal that is never applied. */
const SERVED_SPAN_LIMIT_MS = 60_000

export class CommitTraces {
  readonly #waiting = new Map<string, TraceContext>()
  /** On the leader: server spans of forwarded proposals, by the traceparent their entry carries. */
  readonly #served = new Map<string, { span: SpanHandle, timer: NodeJS.Timeout }>()
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

  /**
   * One attempt of a follower's commit, handed to `leader`: `fn` gets the client span's
   * traceparent, which the entry carries to the leader (undefined while tracing is off).
   */
  async forward (leader: string, fn: (traceparent?: string) => Promise<void>): Promise<void> {
    if (!tracingEnabled()) return await fn()
    await inSpan('rpc.client Raft.Propose', { kind: 'client', attributes: { ...PROPOSE, 'cluster.peer.callee': leader } }, async () => {
      await fn(activeTraceparent())
    })
  }

  /** On the leader: a follower's forwarded proposal whose entry carries `traceparent` arrived. */
  served (from: string, traceparent: string, pin: Pin): void {
    if (!tracingEnabled()) return
    // The same entry again (the follower re-sends what is pending when it sees a leader change,
    // even to the same leader): one hand-over, one server span, under which the entry is applied.
    if (this.#served.has(traceparent)) return
    const span = startSpan('rpc.server Raft.Propose', {
      kind: 'server', traceparent, attributes: { ...PROPOSE, 'cluster.peer.caller': from, 'cluster.cid': pin.cid.toString() }
    })
    const timer = setTimeout(() => {
      this.#served.delete(traceparent)
      span.end(new Error('the forwarded proposal was not applied here'))
    }, SERVED_SPAN_LIMIT_MS)
    timer.unref()
    this.#served.set(traceparent, { span, timer })
  }

  /** Ends the spans still open (the peer stops). */
  close (): void {
    for (const { span, timer } of this.#served.values()) {
      clearTimeout(timer)
      span.end()
    }
    this.#served.clear()
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
    const served = this.#served.size === 0 ? undefined : this.#served.get(traceparent)
    if (served !== undefined) this.#served.delete(traceparent)
    const attributes = { 'cluster.consensus': this.#consensus, 'cluster.cid': pin.cid.toString() }
    const span = served === undefined ? startSpan('consensus.apply', { traceparent, attributes }) : served.span.run(() => startSpan('consensus.apply', { attributes }))
    try {
      span.run(fn)
    } finally {
      span.end()
      if (served !== undefined) {
        clearTimeout(served.timer)
        served.span.end()
      }
    }
  }
}

const PROPOSE = { 'rpc.system': 'raft', 'rpc.method': 'Propose' }

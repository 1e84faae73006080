import { randomBytes } from 'node:crypto'
import { wrap, type Envelope } from './envelope.ts'
import type { NodeId } from './messages.ts'
import { NodeStoppedError, TimeoutError } from './transport-errors.ts'

interface Pending<R> {
  resolve: (v: R) => void
  reject: (e: Error) => void
  timer: NodeJS.Timeout
  /** The wrapped entry of a normal proposal, kept to re-send it to a new leader. */
  entry?: Uint8Array
}

/**
 * The proposals this driver made and is waiting for. Each carries (origin, nonce, seq): the nonce
 * is random per start, so an entry proposed by an earlier run of this node that commits now can
 * never resolve a proposal of this run that happens to have the same seq.
 */
export class PendingProposals<R> {
  private readonly origin: NodeId
  private readonly nonce = randomBytes(8)
  private readonly nonceHex = this.nonce.toString('hex')
  private readonly pending = new Map<number, Pending<R>>()
  private seq = 0

  constructor (origin: NodeId) {
    this.origin = origin
  }

  get size (): number { return this.pending.size }

  /**
   * Registers a proposal and returns its seq, its wrapped entry and the promise of its result.
   * `resend` keeps the entry so {@link resendable} can hand it to a new leader.
   */
  add (payload: Uint8Array, timeoutMs: number, what: string, resend: boolean): { seq: number, entry: Uint8Array, result: Promise<R> } {
    const seq = ++this.seq
    const entry = wrap(this.origin, this.nonce, seq, payload)
    const result = new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq)
        reject(new TimeoutError(`${what} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(seq, { resolve, reject, timer, ...(resend ? { entry } : {}) })
    })
    return { seq, entry, result }
  }

  /** True when `env` is one of this run's proposals. */
  isOwn (env: Envelope): boolean {
    return env.origin === this.origin && env.nonce === this.nonceHex
  }

  settle (seq: number, result: R): void {
    const p = this.pending.get(seq)
    if (p === undefined) return
    this.pending.delete(seq)
    clearTimeout(p.timer)
    p.resolve(result)
  }

  fail (seq: number, err: Error): void {
    const p = this.pending.get(seq)
    if (p === undefined) return
    this.pending.delete(seq)
    clearTimeout(p.timer)
    p.reject(err)
  }

  /** The entries of every normal proposal still waiting (oldest first). */
  resendable (): Array<{ seq: number, entry: Uint8Array }> {
    const out: Array<{ seq: number, entry: Uint8Array }> = []
    for (const [seq, p] of this.pending) if (p.entry !== undefined) out.push({ seq, entry: p.entry })
    return out
  }

  rejectAll (err: Error = new NodeStoppedError('raft node stopped')): void {
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(err) }
    this.pending.clear()
  }
}

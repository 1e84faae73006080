import type { ReadState } from './messages.ts'
import { TimeoutError } from './transport-errors.ts'

interface Waiter { resolve: () => void, reject: (e: Error) => void, timer: NodeJS.Timeout }

/**
 * The node's linearizable read barriers (etcd's ReadIndex): each waits for its read state (the
 * commit index the leader confirmed), then until this node has applied that index.
 */
export class ReadBarriers {
  private readonly waiting = new Map<string, Waiter>()
  private readonly confirmed: Array<{ index: number, waiter: Waiter }> = []
  private seq = 0
  private readonly prefix: string
  private readonly timeoutMs: () => number

  constructor (prefix: string, timeoutMs: () => number) {
    this.prefix = prefix
    this.timeoutMs = timeoutMs
  }

  /** A new barrier: the context to hand to readIndex, and what resolves when it is passed. */
  begin (): { context: Uint8Array, passed: Promise<void> } {
    const key = `${this.prefix}:${++this.seq}`
    const passed = new Promise<void>((resolve, reject) => {
      const ms = this.timeoutMs()
      const timer = setTimeout(() => {
        this.waiting.delete(key)
        reject(new TimeoutError(`read timed out after ${ms} ms`))
      }, ms)
      this.waiting.set(key, { resolve, reject, timer })
    })
    return { context: new TextEncoder().encode(key), passed }
  }

  /** The leader confirmed these barriers' indexes. */
  confirm (states: readonly ReadState[]): void {
    for (const rs of states) {
      const key = new TextDecoder().decode(rs.context)
      const waiter = this.waiting.get(key)
      if (waiter === undefined) continue
      this.waiting.delete(key)
      this.confirmed.push({ index: rs.index, waiter })
    }
  }

  /** Resolves the confirmed barriers at or below `applied`. */
  release (applied: number): void {
    for (let i = this.confirmed.length - 1; i >= 0; i--) {
      const pending = this.confirmed[i]
      if (pending === undefined || pending.index > applied) continue
      this.confirmed.splice(i, 1)
      clearTimeout(pending.waiter.timer)
      pending.waiter.resolve()
    }
  }

  rejectAll (err: Error): void {
    for (const w of this.waiting.values()) { clearTimeout(w.timer); w.reject(err) }
    for (const { waiter } of this.confirmed) { clearTimeout(waiter.timer); waiter.reject(err) }
    this.waiting.clear()
    this.confirmed.length = 0
  }
}

/**
 * The operation tracker (cluster-behaviour.md §7.1): at most one operation per CID, keyed by the
 * CID string. Holds in-flight and failed operations only; done ones are cleaned by the workers.
 */
import { Timestamp, cidToString, trackerStatusMatches } from '@cluster/api'
import type { CID, Pin, PinInfo, TrackerStatusFilter } from '@cluster/api'
import { Operation } from './operation.ts'
import type { OperationType, Phase } from './operation.ts'
import { emptyInfo, infoContext, infoFromOperation } from './pin-info.ts'
import type { TrackerPeer } from './types.ts'

export interface OperationFilter {
  type?: OperationType | undefined
  phase?: Phase | undefined
}

export class OperationTracker {
  readonly #ops = new Map<string, Operation>()
  readonly #peer: TrackerPeer
  /** Pin operations per phase, kept as phases change: metrics read them without a scan. */
  readonly #pinPhases: Record<Phase, number> = { error: 0, queued: 0, in_progress: 0, done: 0 }
  readonly #listener = (op: Operation, from: Phase, to: Phase): void => {
    if (op.type !== 'pin') return
    this.#pinPhases[from]--
    this.#pinPhases[to]++
  }

  constructor (peer: TrackerPeer) {
    this.#peer = peer
  }

  now (): Timestamp {
    return Timestamp.now(this.#peer.clock)
  }

  /**
   * trackNew (atomic): a same-type operation that is queued or in progress only gets the new
   * Pin and nothing is returned; otherwise the existing operation (if any) is cancelled and a
   * new one created, inheriting the attempt count when it had the same type (unless
   * `freshAttempts`: a manual recover gives a pin past the retry cap its retries back).
   */
  trackNew (pin: Pin, type: OperationType, phase: Phase, freshAttempts = false): Operation | undefined {
    const key = cidToString(pin.cid)
    const old = this.#ops.get(key)
    let attempts = 0
    if (old !== undefined) {
      if (old.type === type && (old.phase === 'queued' || old.phase === 'in_progress')) {
        old.setPin(pin)
        return undefined
      }
      if (old.type === type && !freshAttempts) attempts = old.attempts
      old.cancel()
      this.#remove(old)
    }
    const op = new Operation(pin, type, phase, this.now(), attempts)
    op.listener = this.#listener
    if (type === 'pin') this.#pinPhases[phase]++
    this.#ops.set(key, op)
    return op
  }

  /** Removes `op` only if it is still the current operation of its CID. */
  clean (op: Operation): void {
    if (this.#ops.get(op.key) === op) this.#remove(op)
  }

  #remove (op: Operation): void {
    this.#ops.delete(op.key)
    op.listener = undefined
    if (op.type === 'pin') this.#pinPhases[op.phase]--
  }

  /** Removes every operation in phase done. */
  cleanAllDone (): void {
    for (const op of [...this.#ops.values()]) if (op.phase === 'done') this.#remove(op)
  }

  /** The current operation of a CID. */
  operation (cid: CID | string): Operation | undefined {
    return this.#ops.get(typeof cid === 'string' ? cid : cidToString(cid))
  }

  /** The cancellation signal of a CID's current operation (Go's OpContext). */
  signal (cid: CID): AbortSignal | undefined {
    return this.operation(cid)?.signal
  }

  /**
   * Records an error on a CID's operation, only when it is done or in error and not `remote`
   * (Go's OperationTracker.SetError).
   */
  setError (cid: CID, text: string): void {
    const op = this.operation(cid)
    if (op === undefined || op.type === 'remote') return
    if (op.phase === 'done' || op.phase === 'error') op.setError(text, this.now())
  }

  /** PinInfo of a CID's operation; `unpinned` (CID and peer filled) when there is none. */
  get (cid: CID): PinInfo {
    const found = this.getExists(cid)
    if (found !== undefined) return found
    const info = emptyInfo(infoContext(this.#peer), cid, this.now())
    info.status = 'unpinned'
    return info
  }

  /** PinInfo of a CID's operation, or undefined. */
  getExists (cid: CID): PinInfo | undefined {
    const op = this.operation(cid)
    return op === undefined ? undefined : infoFromOperation(infoContext(this.#peer), op)
  }

  /** PinInfo of every operation whose status matches `filter` (0: all). */
  getAll (filter: TrackerStatusFilter = 0): PinInfo[] {
    const ctx = infoContext(this.#peer)
    const out: PinInfo[] = []
    for (const op of this.#ops.values()) {
      if (trackerStatusMatches(op.status, filter)) out.push(infoFromOperation(ctx, op))
    }
    return out
  }

  /** Operations of the given type and/or phase. */
  filter (filter: OperationFilter): Operation[] {
    const out: Operation[] = []
    for (const op of this.#ops.values()) {
      if (filter.type !== undefined && op.type !== filter.type) continue
      if (filter.phase !== undefined && op.phase !== filter.phase) continue
      out.push(op)
    }
    return out
  }

  /** Every current operation (live view; do not modify the tracker while iterating). */
  operations (): IterableIterator<Operation> {
    return this.#ops.values()
  }

  /** Number of tracked operations. */
  get size (): number {
    return this.#ops.size
  }

  /** Pin operations in phase queued (priority and normal): PinQueueSize. */
  get queuedPins (): number {
    return this.#pinPhases.queued
  }

  /** Pin operations in each phase (Go's pins/pin_queued, pins/pinning, pins/pin_error gauges). */
  pinPhaseCounts (): Readonly<Record<Phase, number>> {
    return { ...this.#pinPhases }
  }

  /** Cancels every operation (shutdown). */
  cancelAll (): void {
    for (const op of this.#ops.values()) op.cancel()
  }
}

/** One tracked operation on a CID (cluster-behaviour.md §7.1). */
import { cidToString, type CID, type Pin, type Timestamp, type TrackerStatus } from '@cluster/api'
import type { TraceContext } from '@cluster/observability/trace'

export const OPERATION_TYPES = ['pin', 'unpin', 'remote', 'shard', 'unknown'] as const
export type OperationType = typeof OPERATION_TYPES[number]

export const PHASES = ['error', 'queued', 'in_progress', 'done'] as const
export type Phase = typeof PHASES[number]

const STATUS: Readonly<Record<OperationType, Readonly<Record<Phase, TrackerStatus>>>> = {
  pin: { queued: 'pin_queued', in_progress: 'pinning', done: 'pinned', error: 'pin_error' },
  unpin: { queued: 'unpin_queued', in_progress: 'unpinning', done: 'unpinned', error: 'unpin_error' },
  remote: { queued: 'remote', in_progress: 'remote', done: 'remote', error: 'remote' },
  shard: { queued: 'sharded', in_progress: 'sharded', done: 'sharded', error: 'sharded' },
  unknown: { queued: 'undefined', in_progress: 'undefined', done: 'undefined', error: 'undefined' }
}

/** The status an operation of `type` shows in `phase` (the §7.1 table). */
export function operationStatus (type: OperationType, phase: Phase): TrackerStatus {
  return STATUS[type][phase]
}

/** Called by an operation whenever its phase changes (the tracker keeps counters with it). */
export type PhaseListener = (op: Operation, from: Phase, to: Phase) => void

/**
 * The reason of a plain cancel: one instance, built once. Every finished operation is cancelled
 * to release its signal's listeners, and a DOMException per pin (its stack trace) cost ~40 µs.
 */
const CANCELLED = new DOMException('operation cancelled', 'AbortError')

export class Operation {
  readonly type: OperationType
  /** The CID string: the operation tracker's key. */
  readonly key: string
  #pin: Pin
  #phase: Phase
  #attempts: number
  #priority = false
  #error = ''
  #timestamp: Timestamp
  readonly #phaseTimes: Partial<Record<Phase, Timestamp>> = {}
  readonly #controller = new AbortController()
  /** Set by the operation tracker while this is the current operation of its CID. */
  listener: PhaseListener | undefined
  /** The trace of what queued this operation (tracing on): its run is a span of that trace. */
  traceContext: TraceContext | undefined

  constructor (pin: Pin, type: OperationType, phase: Phase, now: Timestamp, attempts = 0) {
    this.#pin = pin
    this.type = type
    this.key = cidToString(pin.cid)
    this.#phase = phase
    this.#attempts = attempts
    this.#timestamp = now
    this.#phaseTimes[phase] = now
  }

  get cid (): CID { return this.#pin.cid }
  get pin (): Pin { return this.#pin }
  get phase (): Phase { return this.#phase }
  /** Times the operation was started against IPFS (inherited by a same-type successor). */
  get attempts (): number { return this.#attempts }
  get priority (): boolean { return this.#priority }
  /** Error text of the last failure ("" when none). */
  get error (): string { return this.#error }
  /** When the phase (or error) last changed. */
  get timestamp (): Timestamp { return this.#timestamp }
  /** When the operation last entered each phase. */
  phaseTime (phase: Phase): Timestamp | undefined { return this.#phaseTimes[phase] }
  /** Aborted when the operation is cancelled: passed to IPFS calls. */
  get signal (): AbortSignal { return this.#controller.signal }
  get cancelled (): boolean { return this.#controller.signal.aborted }
  get status (): TrackerStatus { return operationStatus(this.type, this.#phase) }

  /** Replaces the Pin (a same-type trackNew while queued / in progress). */
  setPin (pin: Pin): void { this.#pin = pin }

  setPriority (priority: boolean): void { this.#priority = priority }

  incAttempts (): void { this.#attempts++ }

  setPhase (phase: Phase, now: Timestamp): void {
    const from = this.#phase
    this.#phase = phase
    this.#timestamp = now
    this.#phaseTimes[phase] = now
    if (from !== phase) this.listener?.(this, from, phase)
  }

  /** Phase `error` with this text (Go's Operation.SetError). */
  setError (text: string, now: Timestamp): void {
    this.#error = text
    this.setPhase('error', now)
  }

  /** Aborts the signal (idempotent). */
  cancel (reason?: unknown): void {
    this.#controller.abort(reason ?? CANCELLED)
  }
}

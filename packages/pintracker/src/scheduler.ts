/**
 * Queues and workers (cluster-behaviour.md §7.2): three bounded FIFO queues (priority-pin, pin,
 * unpin); up to `concurrentPins` pin operations run at once, always taking from the priority
 * queue first; one unpin runs at a time. Workers are not long-lived loops: whenever work arrives
 * or an operation ends, free slots are filled (in a microtask, so that operations enqueued in
 * the same tick are all queued before the first one starts).
 */
import { BoundedQueue } from './fifo.ts'
import type { Operation } from './operation.ts'

export type Lane = 'priority' | 'pin' | 'unpin'

export interface SchedulerOptions {
  concurrentPins: number
  maxQueueSize: number
  /** Runs one operation (the worker step); should not reject. */
  execute: (op: Operation) => Promise<void>
  /** Told about a rejection of `execute` (a bug), which is otherwise swallowed. */
  onUnexpectedError?: ((err: unknown, op: Operation) => void) | undefined
}

export class OperationScheduler {
  readonly #queues: Readonly<Record<Lane, BoundedQueue<Operation>>>
  readonly #options: SchedulerOptions
  #pinsRunning = 0
  #unpinsRunning = 0
  #scheduled = false
  #closed = false
  readonly #running = new Set<Promise<void>>()
  #idleWaiters: Array<() => void> = []

  constructor (options: SchedulerOptions) {
    this.#options = options
    this.#queues = {
      priority: new BoundedQueue(options.maxQueueSize),
      pin: new BoundedQueue(options.maxQueueSize),
      unpin: new BoundedQueue(options.maxQueueSize)
    }
  }

  /** Queues an operation; false when that queue is full (or the scheduler is closed). */
  push (op: Operation, lane: Lane): boolean {
    if (this.#closed || !this.#queues[lane].push(op)) return false
    this.#schedule()
    return true
  }

  /** Entries in each queue (cancelled entries included until a worker skips them). */
  queueLengths (): Record<Lane, number> {
    return { priority: this.#queues.priority.length, pin: this.#queues.pin.length, unpin: this.#queues.unpin.length }
  }

  /** Operations currently running against IPFS. */
  get running (): { pins: number, unpins: number } {
    return { pins: this.#pinsRunning, unpins: this.#unpinsRunning }
  }

  /** Resolves once nothing is queued or running. */
  idle (): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => { this.#idleWaiters.push(resolve) })
  }

  /** Stops starting operations, drops the queues, waits for running ones to settle. */
  async close (): Promise<void> {
    this.#closed = true
    for (const q of Object.values(this.#queues)) q.clear()
    await Promise.allSettled([...this.#running])
    this.#notifyIdle()
  }

  #schedule (): void {
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      this.#pump()
    })
  }

  #next (lane: Lane): Operation | undefined {
    const q = this.#queues[lane]
    for (let op = q.shift(); op !== undefined; op = q.shift()) {
      if (!op.cancelled) return op // a cancelled (replaced) operation is skipped silently
    }
    return undefined
  }

  #pump (): void {
    if (this.#closed) return
    while (this.#pinsRunning < this.#options.concurrentPins) {
      const op = this.#next('priority') ?? this.#next('pin')
      if (op === undefined) break
      this.#pinsRunning++
      this.#start(op, () => { this.#pinsRunning-- })
    }
    while (this.#unpinsRunning < 1) {
      const op = this.#next('unpin')
      if (op === undefined) break
      this.#unpinsRunning++
      this.#start(op, () => { this.#unpinsRunning-- })
    }
    this.#notifyIdle()
  }

  #start (op: Operation, release: () => void): void {
    const run = (async () => {
      try {
        await this.#options.execute(op)
      } catch (err) {
        this.#options.onUnexpectedError?.(err, op)
      }
    })()
    this.#running.add(run)
    void run.finally(() => {
      this.#running.delete(run)
      release()
      this.#pump()
      if (this.#closed) this.#notifyIdle()
    })
  }

  #isIdle (): boolean {
    if (this.#scheduled || this.#pinsRunning > 0 || this.#unpinsRunning > 0) return false
    if (this.#closed) return true
    return this.#queues.priority.length === 0 && this.#queues.pin.length === 0 && this.#queues.unpin.length === 0
  }

  #notifyIdle (): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const w of waiters) w()
  }
}

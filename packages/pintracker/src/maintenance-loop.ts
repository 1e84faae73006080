/**
 * The pinset maintenance loop (Go's watchPinset, cluster-behaviour.md §7.7 and §8): RecoverAll
 * right after start and then every `pin_recover_interval`; the state sync (expire_at sweep)
 * every `state_sync_interval`, not at start. The two never overlap: each run waits for the other
 * to end, and a timer is re-armed only when its task finished. Timers are injected, and both
 * tasks can be run by hand, so tests never wait for real time.
 */
import { silentLogger, type Logger } from '@cluster/api'
import { errorText } from './errors.ts'

/** The timer functions the loop uses (default: the global ones). */
export interface TimerApi {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

export type MaintenanceTask = 'recover' | 'state_sync'

export interface MaintenanceLoopOptions {
  /** RecoverAllLocal: e.g. `() => tracker.recoverAll()`. Its items are counted. */
  recoverAll: () => AsyncIterable<unknown> | Promise<unknown>
  /** The state sync (expire_at sweep); omitted = no state sync timer. */
  stateSync?: (() => Promise<unknown>) | undefined
  recoverIntervalMs: number
  stateSyncIntervalMs?: number | undefined
  timers?: TimerApi | undefined
  logger?: Logger | undefined
  /** Told about every failed run (the loop keeps going). */
  onError?: ((task: MaintenanceTask, err: unknown) => void) | undefined
}

const defaultTimers: TimerApi = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout: (handle) => { clearTimeout(handle as ReturnType<typeof setTimeout>) }
}

function isAsyncIterable (v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v
}

export class MaintenanceLoop {
  readonly #options: MaintenanceLoopOptions
  readonly #timers: TimerApi
  readonly #log: Logger
  readonly #handles = new Map<MaintenanceTask, unknown>()
  #chain: Promise<unknown> = Promise.resolve()
  #started = false
  #stopped = false

  constructor (options: MaintenanceLoopOptions) {
    this.#options = options
    this.#timers = options.timers ?? defaultTimers
    this.#log = options.logger ?? silentLogger
  }

  /** Arms the timers: recover immediately (a 0 ms timer), state sync after its interval. */
  start (): void {
    if (this.#started || this.#stopped) return
    this.#started = true
    this.#arm('recover', 0)
    const every = this.#options.stateSyncIntervalMs
    if (this.#options.stateSync !== undefined && every !== undefined) this.#arm('state_sync', every)
  }

  #arm (task: MaintenanceTask, ms: number): void {
    if (this.#stopped) return
    this.#handles.set(task, this.#timers.setTimeout(() => {
      this.#handles.delete(task)
      const run = task === 'recover' ? this.runRecoverAll() : this.runStateSync()
      void run.catch(() => {}).finally(() => {
        const next = task === 'recover' ? this.#options.recoverIntervalMs : this.#options.stateSyncIntervalMs
        if (next !== undefined) this.#arm(task, next)
      })
    }, ms))
  }

  #serialize<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn)
    this.#chain = run.catch(() => {})
    return run
  }

  /** Runs RecoverAll now (after any running task); resolves to the number of items re-queued. */
  runRecoverAll (): Promise<number> {
    return this.#serialize(async () => {
      try {
        const result = this.#options.recoverAll()
        let count = 0
        if (isAsyncIterable(result)) {
          for await (const _ of result) count++
        } else {
          await result
        }
        if (count > 0) this.#log('info', `pintracker: recover loop re-queued ${count} items`)
        return count
      } catch (err) {
        this.#report('recover', err)
        throw err
      }
    })
  }

  /** Runs the state sync now (after any running task). */
  runStateSync (): Promise<void> {
    return this.#serialize(async () => {
      const sync = this.#options.stateSync
      if (sync === undefined) return
      try {
        await sync()
      } catch (err) {
        this.#report('state_sync', err)
        throw err
      }
    })
  }

  #report (task: MaintenanceTask, err: unknown): void {
    this.#log('error', `pintracker: ${task} failed: ${errorText(err)}`)
    this.#options.onError?.(task, err)
  }

  /** Clears the timers and waits for a running task to end. Idempotent. */
  async stop (): Promise<void> {
    this.#stopped = true
    for (const handle of this.#handles.values()) this.#timers.clearTimeout(handle)
    this.#handles.clear()
    await this.#chain
  }
}

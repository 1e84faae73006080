/**
 * Time source of the connector. Every deadline, stall window and rate-limit tick goes through
 * it, so tests can drive time by hand instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now: () => number
  setTimeout: (fn: () => void, ms: number) => TimerHandle
  clearTimeout: (handle: TimerHandle) => void
}

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown

/** The real clock. Timers are unref'd: a pending deadline never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout: (handle) => { clearTimeout(handle as NodeJS.Timeout) }
}

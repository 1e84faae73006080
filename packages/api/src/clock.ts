/**
 * The one clock type of the packages: components that read the time take a {@link ClockLike}
 * (anything with `now()`), components that also schedule take a {@link Clock}; tests hand in a
 * manual one instead of sleeping.
 */
import { NANOSECOND_CLOCK, type ClockLike } from './timestamp.ts'

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown

/** A clock that also runs timers: every deadline and periodic tick of a component goes through it. */
export interface Clock extends ClockLike {
  /** Milliseconds since the Unix epoch. */
  now: () => number
  setTimeout: (fn: () => void, ms: number) => TimerHandle
  clearTimeout: (handle: TimerHandle) => void
}

/** The real clock. Timers are unref'd: a pending deadline never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t: unknown = setTimeout(fn, ms)
    ;(t as { unref?: () => void }).unref?.() // Node's timers; a browser's are plain numbers
    return t
  },
  clearTimeout: (handle) => { clearTimeout(handle as Parameters<typeof clearTimeout>[0]) }
}

/** The time of `clock` in nanoseconds since the epoch (Go's `time.Now().UnixNano()`). */
export function unixNanosOf (clock: ClockLike = NANOSECOND_CLOCK): bigint {
  const v = clock.now()
  if (typeof v === 'bigint') return v
  const ms = v instanceof Date ? v.getTime() : v
  const whole = Math.floor(ms)
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))
}

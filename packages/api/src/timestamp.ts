/**
 * Go `time.Time` on the wire: an instant with nanosecond precision plus the UTC offset it is
 * shown in. Parses RFC 3339 like Go and prints like Go's RFC3339Nano (trailing zeros dropped,
 * `Z` for a zero offset). The zero value is Go's zero time, `0001-01-01T00:00:00Z`.
 */
import { EncodeError, InvalidTimestampError } from './errors.ts'
import { civilFromDays, daysFromCivil } from './civil.ts'
import { parseRfc3339 } from './timestamp-parse.ts'

const NS_PER_SECOND = 1_000_000_000n
const NS_PER_MS = 1_000_000n
const SECONDS_PER_DAY = 86_400n

/** Anything with a `now()`: `Date` itself, a fake clock, `{ now: () => 0 }`... */
export interface ClockLike {
  /** Milliseconds since the epoch (number), nanoseconds (bigint) or a Date. */
  now: () => number | bigint | Date
}

/** A UTC offset in minutes east of UTC, or `'local'` for this process's zone at that instant. */
export type OffsetSpec = number | 'local'

/** Civil date and time fields, as seen in a timestamp's own offset. */
export interface CivilDateTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  nanosecond: number
}

function floorDiv (a: bigint, b: bigint): bigint {
  const q = a / b
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q
}

function pad (n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0')
  return n < 0 ? '-' + s : s
}

function resolveOffset (unixNanos: bigint, offset: OffsetSpec): number {
  if (offset !== 'local') return offset
  const ms = Number(floorDiv(unixNanos, NS_PER_MS))
  const d = new Date(ms)
  const tz = d.getTimezoneOffset()
  return Number.isNaN(tz) ? 0 : (tz === 0 ? 0 : -tz)
}

interface HrProcess { hrtime?: { bigint?: () => bigint } }

const hrtime = (globalThis as { process?: HrProcess }).process?.hrtime?.bigint
let anchor: bigint | undefined

/** How far the two clocks may disagree before the anchor is taken again (the system clock was set). */
const MAX_DRIFT_MS = 10n

/**
 * The wall clock in nanoseconds, as Go's time.Now() has it (Date only has milliseconds): Date's
 * time, advanced by the high-resolution clock, re-anchored when the two drift apart.
 */
export const NANOSECOND_CLOCK: ClockLike = {
  now: () => {
    const ms = BigInt(Date.now())
    if (hrtime === undefined) return ms * NS_PER_MS
    const hr = hrtime()
    let ns = anchor === undefined ? undefined : anchor + hr
    const drift = ns === undefined ? 0n : ns / NS_PER_MS - ms
    if (ns === undefined || drift > MAX_DRIFT_MS || drift < -MAX_DRIFT_MS) {
      anchor = ms * NS_PER_MS - hr
      ns = anchor + hr
    }
    return ns
  }
}

/**
 * Go's RFC3339Nano output, exactly: a fraction only when non-zero, without trailing zeros, at
 * most 9 digits; `Z` for offset 0, else `±hh:mm` under 24 h.
 */
const CANONICAL_TEXT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{0,8}[1-9])?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/
/** Go's zero time as text (see Timestamp.ZERO). */
const ZERO_TEXT = '0001-01-01T00:00:00Z'

export class Timestamp {
  /** Nanoseconds since 1970-01-01T00:00:00Z. */
  readonly unixNanos: bigint
  /** Offset from UTC, in minutes, in which this time is shown. */
  readonly offsetMinutes: number

  /** The RFC3339Nano text, once printed or when parsed from exactly that text. */
  #text: string | undefined
  /** `#text` came from a parse: a 4-digit year and an offset under 24 h, as toJSON requires. */
  #jsonReady = false

  private constructor (unixNanos: bigint, offsetMinutes: number) {
    this.unixNanos = unixNanos
    this.offsetMinutes = offsetMinutes
  }

  /** Go's zero time: 0001-01-01T00:00:00Z ("no time"). */
  static readonly ZERO: Timestamp = new Timestamp(BigInt(daysFromCivil(1, 1, 1)) * SECONDS_PER_DAY * NS_PER_SECOND, 0)

  static fromUnixNanos (unixNanos: bigint, offset: OffsetSpec = 0): Timestamp {
    const off = resolveOffset(unixNanos, offset)
    if (!Number.isInteger(off)) throw new InvalidTimestampError(`invalid UTC offset: ${off}`)
    return new Timestamp(unixNanos, off === 0 ? 0 : off)
  }

  static fromUnixMillis (ms: number, offset: OffsetSpec = 0): Timestamp {
    if (!Number.isFinite(ms)) throw new InvalidTimestampError(`invalid time value: ${ms}`)
    const whole = Math.floor(ms)
    const frac = Math.round((ms - whole) * 1e6)
    return Timestamp.fromUnixNanos(BigInt(whole) * NS_PER_MS + BigInt(frac), offset)
  }

  static fromDate (date: Date, offset: OffsetSpec = 0): Timestamp {
    const ms = date.getTime()
    if (Number.isNaN(ms)) throw new InvalidTimestampError('invalid Date')
    return Timestamp.fromUnixMillis(ms, offset)
  }

  /** The current time of `clock` (default: the system clock, in nanoseconds), shown in `offset` (default: local, as Go). */
  static now (clock: ClockLike = NANOSECOND_CLOCK, offset: OffsetSpec = 'local'): Timestamp {
    const v = clock.now()
    if (typeof v === 'bigint') return Timestamp.fromUnixNanos(v, offset)
    if (v instanceof Date) return Timestamp.fromDate(v, offset)
    return Timestamp.fromUnixMillis(v, offset)
  }

  /** A timestamp from civil fields read in the given offset. Fields are not range-checked. */
  static fromCivil (fields: Partial<CivilDateTime> & Pick<CivilDateTime, 'year'>, offsetMinutes = 0): Timestamp {
    const days = daysFromCivil(fields.year, fields.month ?? 1, fields.day ?? 1)
    const secs = BigInt(days) * SECONDS_PER_DAY +
      BigInt((fields.hour ?? 0) * 3600 + (fields.minute ?? 0) * 60 + (fields.second ?? 0) - offsetMinutes * 60)
    return new Timestamp(secs * NS_PER_SECOND + BigInt(fields.nanosecond ?? 0), offsetMinutes === 0 ? 0 : offsetMinutes)
  }

  /**
   * Parses an RFC 3339 timestamp as Go does (fraction optional, truncated to nanoseconds; `Z`
   * or `±hh:mm`). Throws InvalidTimestampError with Go's message.
   */
  static parse (text: string): Timestamp {
    // A PinInfo read from a peer carries its pin's time twice (`created`, `timestamp`): the same
    // text parsed just before gives the same (immutable) value.
    if (text === Timestamp.#lastParsed?.text) return Timestamp.#lastParsed.value
    // Go's zero time: every pin without an expiry carries it beside its own time.
    if (text === ZERO_TEXT) return Timestamp.ZERO
    const value = Timestamp.#parseText(text)
    Timestamp.#lastParsed = { text, value }
    return value
  }

  static #lastParsed: { text: string, value: Timestamp } | undefined

  static #parseText (text: string): Timestamp {
    const p = parseRfc3339(text)
    const t = Timestamp.fromCivil(p, p.offsetMinutes)
    // Text that toString would print back (most of what peers send): kept, so a listing that
    // passes timestamps through never formats them again.
    if (CANONICAL_TEXT.test(text) && (p.offsetMinutes !== 0 || text.endsWith('Z'))) {
      t.#text = text
      t.#jsonReady = true
    }
    return t
  }

  /** Civil fields in this timestamp's offset. */
  civil (): CivilDateTime {
    const local = this.unixNanos + BigInt(this.offsetMinutes) * 60n * NS_PER_SECOND
    const secs = floorDiv(local, NS_PER_SECOND)
    const nanosecond = Number(local - secs * NS_PER_SECOND)
    const days = floorDiv(secs, SECONDS_PER_DAY)
    const secOfDay = Number(secs - days * SECONDS_PER_DAY)
    const { year, month, day } = civilFromDays(Number(days))
    return {
      year,
      month,
      day,
      hour: Math.floor(secOfDay / 3600),
      minute: Math.floor(secOfDay / 60) % 60,
      second: secOfDay % 60,
      nanosecond
    }
  }

  /** Go's RFC3339Nano format, e.g. `2025-03-01T12:35:10.081622217+01:00`, `0001-01-01T00:00:00Z`. */
  toString (): string {
    this.#text ??= this.format()
    return this.#text
  }

  private format (): string {
    const c = this.civil()
    let out = `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}T${pad(c.hour, 2)}:${pad(c.minute, 2)}:${pad(c.second, 2)}`
    if (c.nanosecond !== 0) out += '.' + String(c.nanosecond).padStart(9, '0').replace(/0+$/, '')
    if (this.offsetMinutes === 0) return out + 'Z'
    const zone = Math.abs(this.offsetMinutes)
    return out + (this.offsetMinutes < 0 ? '-' : '+') + pad(Math.floor(zone / 60), 2) + ':' + pad(zone % 60, 2)
  }

  /** The JSON string form; throws EncodeError where Go's MarshalJSON fails (year outside 0-9999, offset ≥ 24h). */
  toJSON (): string {
    const s = this.toString()
    if (this.#jsonReady) return s
    const { year } = this.civil()
    if (year < 0 || year > 9999) throw new EncodeError('Time.MarshalJSON: year outside of range [0,9999]')
    if (Math.abs(this.offsetMinutes) >= 24 * 60) throw new EncodeError('Time.MarshalJSON: timezone hour outside of range [0,23]')
    this.#jsonReady = true
    return s
  }

  /** Whether this is Go's zero time (whatever the offset). */
  isZero (): boolean {
    return this.unixNanos === Timestamp.ZERO.unixNanos
  }

  /** Same instant (offsets may differ), like Go's Time.Equal. */
  equals (other: Timestamp): boolean {
    return this.unixNanos === other.unixNanos
  }

  compare (other: Timestamp): -1 | 0 | 1 {
    return this.unixNanos < other.unixNanos ? -1 : this.unixNanos > other.unixNanos ? 1 : 0
  }

  isBefore (other: Timestamp): boolean { return this.unixNanos < other.unixNanos }
  isAfter (other: Timestamp): boolean { return this.unixNanos > other.unixNanos }

  /** This time plus a Go duration (nanoseconds), in the same offset. */
  add (nanos: bigint): Timestamp {
    return new Timestamp(this.unixNanos + nanos, this.offsetMinutes)
  }

  /** Nanoseconds from `other` to this. */
  since (other: Timestamp): bigint {
    return this.unixNanos - other.unixNanos
  }

  /** The same instant shown in another offset. */
  withOffset (offset: OffsetSpec): Timestamp {
    return Timestamp.fromUnixNanos(this.unixNanos, offset)
  }

  /** Drops the sub-second part (what a pin read back from the state has). */
  truncateToSeconds (): Timestamp {
    return new Timestamp(floorDiv(this.unixNanos, NS_PER_SECOND) * NS_PER_SECOND, this.offsetMinutes)
  }

  /** Whole seconds since the epoch (floor). */
  unixSeconds (): bigint {
    return floorDiv(this.unixNanos, NS_PER_SECOND)
  }

  /** Milliseconds since the epoch (floor), as a number. */
  unixMillis (): number {
    return Number(floorDiv(this.unixNanos, NS_PER_MS))
  }

  /** A JS Date (millisecond precision). */
  toDate (): Date {
    return new Date(this.unixMillis())
  }
}

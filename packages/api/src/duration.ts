/**
 * Go `time.Duration`: a signed count of nanoseconds (bigint here), parsed and printed exactly
 * like Go's time.ParseDuration and Duration.String (`90s`, `1h30m0s`, `1.5s`, `100ms`, `0s`).
 */
import { InvalidDurationError } from './errors.ts'
import { goTimeQuote } from './go-quote.ts'

/** Nanoseconds, the unit of Go durations. */
export type Duration = bigint

export const NANOSECOND = 1n
export const MICROSECOND = 1000n
export const MILLISECOND = 1_000_000n
export const SECOND = 1_000_000_000n
export const MINUTE = 60n * SECOND
export const HOUR = 60n * MINUTE

const MAX_INT64 = (1n << 63n) - 1n
const TWO_63 = 1n << 63n

const UNITS: Record<string, bigint> = {
  ns: NANOSECOND,
  us: MICROSECOND,
  'µs': MICROSECOND, // U+00B5 micro sign
  'μs': MICROSECOND, // U+03BC Greek mu
  ms: MILLISECOND,
  s: SECOND,
  m: MINUTE,
  h: HOUR
}

function isDigit (c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

/**
 * Parses a Go duration string (`[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0`). Throws
 * InvalidDurationError with Go's message, e.g. `time: invalid duration "abc"`.
 */
export function parseDuration (text: string): Duration {
  const orig = text
  const invalid = (): InvalidDurationError => new InvalidDurationError('time: invalid duration ' + goTimeQuote(orig))
  let s = text
  let neg = false
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-'
    s = s.slice(1)
  }
  if (s === '0') return 0n
  if (s === '') throw invalid()
  let d = 0n
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid()
    // Consume [0-9]*
    let i = 0
    let v = 0n
    for (; i < s.length && isDigit(s[i]); i++) {
      if (v > TWO_63 / 10n) throw invalid()
      v = v * 10n + BigInt(s.charCodeAt(i) - 48)
      if (v > TWO_63) throw invalid()
    }
    const pre = i > 0
    s = s.slice(i)
    // Consume (\.[0-9]*)?
    let post = false
    let f = 0n
    let scale = 1
    if (s !== '' && s[0] === '.') {
      s = s.slice(1)
      let j = 0
      let overflow = false
      for (; j < s.length && isDigit(s[j]); j++) {
        if (overflow) continue
        if (f > MAX_INT64 / 10n) { overflow = true; continue }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48)
        if (y > TWO_63) { overflow = true; continue }
        f = y
        scale *= 10
      }
      post = j > 0
      s = s.slice(j)
    }
    if (!pre && !post) throw invalid()
    // Consume unit.
    let u = 0
    for (; u < s.length; u++) {
      if (s[u] === '.' || isDigit(s[u])) break
    }
    if (u === 0) throw new InvalidDurationError('time: missing unit in duration ' + goTimeQuote(orig))
    const unitName = s.slice(0, u)
    s = s.slice(u)
    const unit = UNITS[unitName]
    if (unit === undefined) {
      throw new InvalidDurationError('time: unknown unit ' + goTimeQuote(unitName) + ' in duration ' + goTimeQuote(orig))
    }
    if (v > TWO_63 / unit) throw invalid()
    v *= unit
    if (f > 0n) {
      // Same float64 arithmetic as Go, so fractions round identically.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)))
      if (v > TWO_63) throw invalid()
    }
    d += v
    if (d > TWO_63) throw invalid()
  }
  if (neg) return -d
  if (d > MAX_INT64) throw invalid()
  return d
}

function fmtFrac (v: bigint, prec: number): [string, bigint] {
  let out = ''
  let print = false
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n
    print = print || digit !== 0n
    if (print) out = digit.toString() + out
    v /= 10n
  }
  return [print ? '.' + out : '', v]
}

/** Formats nanoseconds exactly as Go's Duration.String (`0s`, `1.5s`, `2m0s`, `1h0m0s`, `100ms`). */
export function formatDuration (duration: Duration | number): string {
  let u = BigInt(duration)
  if (u < -TWO_63 || u > MAX_INT64) throw new InvalidDurationError(`duration out of range: ${u}`)
  const neg = u < 0n
  if (neg) u = -u
  let out: string
  if (u < SECOND) {
    if (u === 0n) return '0s'
    let prec: number
    let unit: string
    if (u < MICROSECOND) { prec = 0; unit = 'ns' } else if (u < MILLISECOND) { prec = 3; unit = 'µs' } else { prec = 6; unit = 'ms' }
    const [frac, rest] = fmtFrac(u, prec)
    out = rest.toString() + frac + unit
  } else {
    const [frac, secs] = fmtFrac(u, 9)
    out = (secs % 60n).toString() + frac + 's'
    let rest = secs / 60n
    if (rest > 0n) {
      out = (rest % 60n).toString() + 'm' + out
      rest /= 60n
      if (rest > 0n) out = rest.toString() + 'h' + out
    }
  }
  return neg ? '-' + out : out
}

/**
 * A Go duration text as the millisecond number most components' configs use (may be
 * fractional: `"1.5µs"` is 0.0015).
 */
export function parseDurationMs (text: string): number {
  return Number(parseDuration(text)) / 1e6
}

/** Milliseconds printed as Go prints durations: `0s`, `200ms`, `2m0s`, `24h0m0s`. */
export function formatDurationMs (ms: number): string {
  return formatDuration(BigInt(Math.round(ms * 1e6)))
}

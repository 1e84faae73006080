/**
 * A port of what Go's time.Time.UnmarshalJSON/UnmarshalText accept: time.Parse with the RFC 3339
 * layout (Go currently runs it in its lenient mode), with Go's error messages.
 */
import { InvalidTimestampError } from './errors.ts'
import { goTimeQuote } from './go-quote.ts'
import { daysIn } from './civil.ts'

export const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00'

export interface ParsedTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  nanosecond: number
  offsetMinutes: number
}

function isDigit (s: string, i: number): boolean {
  const c = s.charCodeAt(i)
  return c >= 48 && c <= 57
}

/** getnum: one or two digits (two when `fixed`). Returns undefined on a syntax error. */
function getnum (s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined
  if (!isDigit(s, 1)) {
    if (fixed) return undefined
    return [s.charCodeAt(0) - 48, s.slice(1)]
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)]
}

/** Parses like Go; throws InvalidTimestampError with Go's ParseError text. */
export function parseRfc3339 (input: string): ParsedTime {
  const cannotParse = (valueElem: string, layoutElem: string): InvalidTimestampError =>
    new InvalidTimestampError(`parsing time ${goTimeQuote(input)} as ${goTimeQuote(RFC3339_LAYOUT)}: cannot parse ${goTimeQuote(valueElem)} as ${goTimeQuote(layoutElem)}`)
  const withMessage = (message: string): InvalidTimestampError =>
    new InvalidTimestampError(`parsing time ${goTimeQuote(input)}${message}`)
  const outOfRange = (what: string): InvalidTimestampError => withMessage(`: ${what} out of range`)

  let value = input
  const skip = (prefix: string): void => {
    if (!value.startsWith(prefix)) throw cannotParse(value, prefix)
    value = value.slice(prefix.length)
  }
  const fixed2 = (elem: string): number => {
    const r = getnum(value, true)
    if (r === undefined) throw cannotParse(value, elem)
    value = r[1]
    return r[0]
  }

  // 2006
  if (value.length < 4 || !/^\d{4}/.test(value)) throw cannotParse(value, '2006')
  const year = Number(value.slice(0, 4))
  value = value.slice(4)
  skip('-')
  // 01
  const month = fixed2('01')
  if (month <= 0 || month > 12) throw outOfRange('month')
  skip('-')
  const day = fixed2('02')
  skip('T')
  // 15: one or two digits
  const h = getnum(value, false)
  const hour = h?.[0] ?? 0
  if (hour >= 24) throw outOfRange('hour')
  if (h === undefined) throw cannotParse(value, '15')
  value = h[1]
  skip(':')
  const mh = getnum(value, true)
  const minute = mh?.[0] ?? 0
  if (minute >= 60) throw outOfRange('minute')
  if (mh === undefined) throw cannotParse(value, '04')
  value = mh[1]
  skip(':')
  const second = fixed2('05')
  if (second >= 60) throw outOfRange('second')
  let nanosecond = 0
  if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigit(value, 1)) {
    let n = 2
    while (n < value.length && isDigit(value, n)) n++
    const digits = value.slice(1, Math.min(n, 10))
    nanosecond = Number(digits) * 10 ** (9 - digits.length)
    value = value.slice(n)
  }
  // Z07:00
  let offsetMinutes = 0
  if (value.length >= 1 && value[0] === 'Z') {
    value = value.slice(1)
  } else {
    const hold = value
    if (value.length < 6 || value[3] !== ':') throw cannotParse(hold, 'Z07:00')
    const sign = value[0]
    const hr = getnum(value.slice(1, 3), true)
    const mm = hr === undefined ? undefined : getnum(value.slice(4, 6), true)
    value = value.slice(6)
    const hrv = hr?.[0] ?? 0
    const mmv = mm?.[0] ?? 0
    if (mmv > 60) throw new InvalidTimestampError(`parsing time ${goTimeQuote(input)}: time zone offset minute out of range`)
    if (hrv > 24) throw new InvalidTimestampError(`parsing time ${goTimeQuote(input)}: time zone offset hour out of range`)
    if (hr === undefined || mm === undefined || (sign !== '+' && sign !== '-')) throw cannotParse(hold, 'Z07:00')
    offsetMinutes = sign === '-' ? -(hrv * 60 + mmv) || 0 : hrv * 60 + mmv
  }
  if (value.length !== 0) throw withMessage(`: extra text: ${goTimeQuote(value)}`)
  if (day < 1 || day > daysIn(month, year)) throw withMessage(': day out of range')
  return { year, month, day, hour, minute, second, nanosecond, offsetMinutes }
}

/**
 * The two go-humanize helpers the Go ctl uses, reproduced exactly: `Bytes` (SI units) and
 * `Time` (relative time such as `29 seconds from now`), plus Go's `%.Nf` rounding.
 */

const SI_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const

/**
 * Go's `%.<digits>f`: the exact binary value rounded, ties to even (JS `toFixed` rounds ties
 * away from zero).
 */
export function goFixed (x: number, digits: number): string {
  const scale = 10 ** digits
  const scaled = x * scale
  if (Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 52 && Math.abs(scaled % 1) === 0.5 && scaled / scale === x) {
    const floor = Math.floor(scaled)
    const even = floor % 2 === 0 ? floor : floor + 1
    return (even / scale).toFixed(digits)
  }
  return x.toFixed(digits)
}

/** go-humanize `Bytes`: `9 B`, `482 kB`, `5.2 GB`, `52 GB`. */
export function humanBytes (n: number | bigint): string {
  const v = typeof n === 'bigint' ? Number(n) : n
  if (v < 10) return `${Math.trunc(v)} B`
  const e = Math.floor(Math.log(v) / Math.log(1000))
  const unit = SI_UNITS[e] ?? SI_UNITS[SI_UNITS.length - 1]!
  const val = Math.floor(v / 1000 ** e * 10 + 0.5) / 10
  return val < 10 ? `${goFixed(val, 1)} ${unit}` : `${goFixed(val, 0)} ${unit}`
}

const NS = 1n
const SECOND = 1_000_000_000n * NS
const MINUTE = 60n * SECOND
const HOUR = 60n * MINUTE
const DAY = 24n * HOUR
const WEEK = 7n * DAY
const MONTH = 30n * DAY
const YEAR = 12n * MONTH
const LONG_TIME = 37n * YEAR
const MAX_INT64 = (1n << 63n) - 1n

/** [bound, format, divisor]: the first row whose bound exceeds the difference wins. */
const MAGNITUDES: ReadonlyArray<readonly [bigint, string, bigint]> = [
  [SECOND, 'now', SECOND],
  [2n * SECOND, '1 second %s', 1n],
  [MINUTE, '%d seconds %s', SECOND],
  [2n * MINUTE, '1 minute %s', 1n],
  [HOUR, '%d minutes %s', MINUTE],
  [2n * HOUR, '1 hour %s', 1n],
  [DAY, '%d hours %s', HOUR],
  [2n * DAY, '1 day %s', 1n],
  [WEEK, '%d days %s', DAY],
  [2n * WEEK, '1 week %s', 1n],
  [MONTH, '%d weeks %s', WEEK],
  [2n * MONTH, '1 month %s', 1n],
  [YEAR, '%d months %s', MONTH],
  [18n * MONTH, '1 year %s', 1n],
  [2n * YEAR, '2 years %s', 1n],
  [LONG_TIME, '%d years %s', YEAR],
  [MAX_INT64, 'a long while %s', 1n]
]

/**
 * go-humanize `Time(then)` with `now` given: both in Unix nanoseconds. Go's Duration
 * saturates at ±2^63-1 ns, so far-away times read "a long while".
 */
export function relativeTime (thenNs: bigint, nowNs: bigint): string {
  let label = 'ago'
  let diff = nowNs - thenNs
  if (thenNs > nowNs) {
    label = 'from now'
    diff = thenNs - nowNs
  }
  if (diff > MAX_INT64) diff = MAX_INT64
  let row = MAGNITUDES.find(([bound]) => bound > diff)
  row ??= MAGNITUDES[MAGNITUDES.length - 1]!
  const [, format, div] = row
  return format.replace('%d', (diff / div).toString()).replace('%s', label)
}

/**
 * Value helpers shared by the sections: Go durations (nanosecond bigints, @cluster/api) and
 * multiaddresses (canonical strings, @cluster/api), with Go's error texts.
 */
import { parseDuration, parseMultiaddr, formatDuration } from '@cluster/api'
import type { Duration } from '@cluster/api'
import { ConfigParseError, messageOf } from './errors.ts'
import type { JsonReader } from './json-reader.ts'

export { formatDuration }

/**
 * Go's `config.ParseDurations`: a missing key or `""` keeps `current`; anything else is parsed
 * strictly (`"0s"` really is zero) and a bad value fails with `error parsing <label>: <Go error>`.
 */
export function strictDuration (r: JsonReader, key: string, current: Duration, label = r.key(key)): Duration {
  const text = r.string(key)
  if (text === undefined || text === '') return current
  try {
    return parseDuration(text)
  } catch (err) {
    throw new ConfigParseError(r.key(key), `error parsing ${label}: ${messageOf(err)}`, { cause: err })
  }
}

/** Go's `d, _ := time.ParseDuration(txt)`: anything unparsable is 0. */
export function lenientDuration (text: string | undefined): Duration {
  if (text === undefined || text === '') return 0n
  try {
    return parseDuration(text)
  } catch {
    return 0n
  }
}

/** Parses multiaddresses into canonical strings; a bad one fails with `error parsing <label>: …`. */
export function multiaddrList (key: string, label: string, texts: readonly string[]): string[] {
  return texts.map((text) => multiaddrValue(key, label, text))
}

/** One multiaddress in canonical form, or `error parsing <label>: …`. */
export function multiaddrValue (key: string, label: string, text: string): string {
  try {
    return parseMultiaddr(text)
  } catch (err) {
    throw new ConfigParseError(key, `error parsing ${label}: ${messageOf(err)}`, { cause: err })
  }
}

/** Go's `config.Strings` on output: one element as a plain string, otherwise an array. */
export function stringsJson (list: readonly string[]): string | string[] {
  return list.length === 1 ? list[0]! : [...list]
}

/** Go's `SetIfNotDefault` for numbers: 0 keeps the current value. */
export function nonZero (value: number | undefined, current: number): number {
  return value === undefined || value === 0 ? current : value
}

/** Go's `SetIfNotDefault` for strings: '' keeps the current value. */
export function nonEmpty (value: string | undefined, current: string): string {
  return value === undefined || value === '' ? current : value
}

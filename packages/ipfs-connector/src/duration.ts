/*
 * Go duration strings (config.md §9.1) ↔ the millisecond numbers this package's config uses.
 * Parsing and printing are @cluster/api's (`parseDuration`/`formatDuration`, exact Go
 * behaviour on nanosecond bigints); this file only converts units.
 */
import { formatDuration, parseDuration } from '@cluster/api'

/** Parse a Go duration (`"5m0s"`, `"1.5h"`, `"200ms"`, `"0"`) into milliseconds (may be fractional). */
export function parseDurationMs (text: string): number {
  return Number(parseDuration(text)) / 1e6
}

/** Format milliseconds the way Go prints durations: `0s`, `200ms`, `2m0s`, `24h0m0s`. */
export function formatDurationMs (ms: number): string {
  return formatDuration(BigInt(Math.round(ms * 1e6)))
}

/**
 * TrackerStatus: the per-peer status of a CID. On the wire it is one of the names below; inside
 * Go it is a bit set, which is how status filters (`?filter=pinned,error`) work.
 */
import { InvalidFilterError } from '../errors.ts'

/** Every status name an object can carry. */
export const TRACKER_STATUSES = [
  'undefined',
  'cluster_error',
  'pin_error',
  'unpin_error',
  'pinned',
  'pinning',
  'unpinning',
  'unpinned',
  'remote',
  'pin_queued',
  'unpin_queued',
  'sharded',
  'unexpectedly_unpinned'
] as const

export type TrackerStatus = typeof TRACKER_STATUSES[number]

/** Names a filter may also use: the composites `error` and `queued`. */
export type TrackerStatusFilterName = TrackerStatus | 'error' | 'queued'

/** Go's bit values (internal; only names travel on the wire). */
export const TRACKER_STATUS_BITS: Readonly<Record<TrackerStatusFilterName, number>> = {
  undefined: 0,
  cluster_error: 1 << 1,
  pin_error: 1 << 2,
  unpin_error: 1 << 3,
  pinned: 1 << 4,
  pinning: 1 << 5,
  unpinning: 1 << 6,
  unpinned: 1 << 7,
  remote: 1 << 8,
  pin_queued: 1 << 9,
  unpin_queued: 1 << 10,
  sharded: 1 << 11,
  unexpectedly_unpinned: 1 << 12,
  error: (1 << 1) | (1 << 2) | (1 << 3),
  queued: (1 << 9) | (1 << 10)
}

const STATUS_SET: ReadonlySet<string> = new Set(TRACKER_STATUSES)

/** Whether a string is a (single) tracker status name. */
export function isTrackerStatus (s: unknown): s is TrackerStatus {
  return typeof s === 'string' && STATUS_SET.has(s)
}

/** A status name from the wire; unknown names become `undefined` (as the Go client does). */
export function trackerStatusFromString (s: string): TrackerStatus {
  return isTrackerStatus(s) ? s : 'undefined'
}

/** Whether a status is one of the three error statuses. */
export function isErrorStatus (s: TrackerStatus): boolean {
  return (TRACKER_STATUS_BITS[s] & TRACKER_STATUS_BITS.error) !== 0
}

/** A parsed status filter: a bit set, 0 meaning "everything". */
export type TrackerStatusFilter = number

/**
 * Parses a `filter` query value like Go's REST API: spaces removed, split on `,`, known names
 * OR-ed, unknown names ignored. Fails (InvalidFilterError, "invalid filter value") only when
 * the result is 0 although the input was not empty: `""` is "all", `"invalid,pinned"` is
 * `pinned`, `"undefined"` and `" "` are invalid.
 */
export function parseTrackerStatusFilter (text: string): TrackerStatusFilter {
  let filter = 0
  for (const name of text.replaceAll(' ', '').split(',')) {
    const bits = (TRACKER_STATUS_BITS as Record<string, number>)[name]
    if (bits !== undefined && Object.hasOwn(TRACKER_STATUS_BITS, name)) filter |= bits
  }
  if (filter === 0 && text !== '') throw new InvalidFilterError()
  return filter
}

/** Go's TrackerStatus.Match: filter 0 matches all; `undefined` matches every filter. */
export function trackerStatusMatches (status: TrackerStatus, filter: TrackerStatusFilter): boolean {
  return filter === 0 || status === 'undefined' || (TRACKER_STATUS_BITS[status] & filter) !== 0
}

/** The names of a filter's bits, comma-separated in bit order (the form the Go client sends). */
export function formatTrackerStatusFilter (filter: TrackerStatusFilter): string {
  for (const [name, bits] of Object.entries(TRACKER_STATUS_BITS)) {
    if (bits === filter && bits !== 0) return name
  }
  return TRACKER_STATUSES.filter((s) => (TRACKER_STATUS_BITS[s] & filter) !== 0).join(',')
}

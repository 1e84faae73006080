/**
 * Search filters of `GET /allocations` and `GET /pins` (an extension beyond Go's API, see the
 * README): name, metadata, allocation, expiry and timestamp criteria, combined, answered from
 * the pinset's index in CID order, with `limit` and an opaque `cursor` for paging. The body keeps
 * Go's shape (NDJSON); the cursor of the next page comes in the `X-Next-Cursor` header.
 */
import { createHash } from 'node:crypto'
import { parsePeerId, Timestamp } from '@cluster/api'
import type { NameMatch, PeerId, PinSearch, PinSearchIndex } from '@cluster/api'
import { HttpError } from './errors.ts'

export const NEXT_CURSOR_HEADER = 'X-Next-Cursor'

/** The metadata criteria: `meta-<key>=<value>` (the prefix Go's pin options use for metadata). */
const META_PREFIX = 'meta-'
const NAME_KEYS = new Map<string, NameMatch>([['name', 'exact'], ['name-prefix', 'prefix'], ['name-contains', 'contains']])
const TIME_KEYS = ['expire-before', 'expire-after', 'before', 'after'] as const
const PAGE_KEYS = ['limit', 'cursor'] as const
export const SEARCH_KEYS: readonly string[] = [...NAME_KEYS.keys(), `${META_PREFIX}<key>`, 'allocation', ...TIME_KEYS, ...PAGE_KEYS]

/** Largest `limit` (a page is bounded anyway: it is streamed, never held). */
const MAX_LIMIT = 1_000_000_000
/** Longest criterion value accepted (names are at most 255 bytes in the Pinning Service API). */
const MAX_VALUE_CHARS = 4096

export interface SearchRequest {
  search: PinSearch
  /** Matches per page; all when absent. */
  limit?: number
  /** Identifies the criteria (a cursor only continues the search it came from). */
  fingerprint: string
}

const bad = (message: string, cause?: unknown): HttpError => new HttpError(400, message, { cause })

function single (q: URLSearchParams, key: string): string | undefined {
  const values = q.getAll(key)
  if (values.length > 1) throw bad(`query parameter '${key}' given ${values.length} times`)
  return values[0]
}

function parseTime (key: string, text: string): Timestamp {
  try {
    return Timestamp.parse(text)
  } catch (err) {
    throw bad(`invalid '${key}' query parameter ${JSON.stringify(text)}: expected an RFC 3339 time such as 2024-05-01T00:00:00Z`, err)
  }
}

export function parseLimit (text: string): number {
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT) {
    throw bad(`invalid 'limit' query parameter ${JSON.stringify(text)}: expected a whole number from 1 to ${MAX_LIMIT}`)
  }
  return Number(text)
}

function parseAllocations (text: string): PeerId[] {
  const ids = text.split(',').map(s => s.trim())
  return ids.map((id) => {
    try {
      return parsePeerId(id)
    } catch (err) {
      throw bad(`invalid 'allocation' query parameter: ${JSON.stringify(id)} is not a peer ID`, err)
    }
  })
}

/**
 * The search of a request: undefined when it gives no search parameter (then the route answers
 * as Go does). `routeKeys` are the route's own parameters; any other key is refused.
 */
export function parseSearch (q: URLSearchParams, route: string, routeKeys: readonly string[]): SearchRequest | undefined {
  const search: PinSearch = {}
  const metadata: Array<[string, string]> = []
  let given = false
  for (const key of new Set(q.keys())) {
    if (routeKeys.includes(key)) continue
    given = true
    const value = single(q, key) ?? ''
    if (value.length > MAX_VALUE_CHARS) throw bad(`query parameter '${key}' is longer than ${MAX_VALUE_CHARS} characters`)
    const match = NAME_KEYS.get(key)
    if (match !== undefined) {
      if (search.name !== undefined) throw bad(`only one of 'name', 'name-prefix' and 'name-contains' may be given`)
      if (match !== 'exact' && value === '') throw bad(`query parameter '${key}' must not be empty`)
      search.name = { match, value }
    } else if (key.startsWith(META_PREFIX) && key.length > META_PREFIX.length) {
      metadata.push([key.slice(META_PREFIX.length), value])
    } else if (key === 'allocation') {
      search.allocations = parseAllocations(value)
    } else if (key === 'expire-before') search.expireBefore = parseTime(key, value)
    else if (key === 'expire-after') search.expireAfter = parseTime(key, value)
    else if (key === 'before') search.before = parseTime(key, value)
    else if (key === 'after') search.after = parseTime(key, value)
    else if (key !== 'limit' && key !== 'cursor') {
      throw bad(`unknown query parameter '${key}': this route takes ${[...new Set([...routeKeys, ...SEARCH_KEYS])].map(k => `'${k}'`).join(', ')}`)
    }
  }
  if (!given) return undefined
  if (metadata.length > 0) search.metadata = metadata.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  const fingerprint = fingerprintOf(route, search)
  const limitText = q.get('limit')
  const cursor = q.get('cursor')
  if (cursor !== null) search.afterCid = parseCursor(cursor, fingerprint)
  return { search, fingerprint, ...(limitText === null ? {} : { limit: parseLimit(limitText) }) }
}

function fingerprintOf (route: string, search: PinSearch): string {
  const canonical = JSON.stringify([route, search.name, search.metadata, search.allocations, ...[search.expireBefore, search.expireAfter, search.before, search.after].map(t => t?.unixNanos.toString())])
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16)
}

/** The cursor after `cid` for the search of `fingerprint`: opaque to clients. */
export function makeCursor (cid: string, fingerprint: string): string {
  return Buffer.from(JSON.stringify([1, fingerprint, cid])).toString('base64url')
}

function parseCursor (text: string, fingerprint: string): string {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    value = undefined
  }
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== 1 || typeof value[1] !== 'string' || typeof value[2] !== 'string') {
    throw bad(`invalid 'cursor' query parameter: not a cursor this API returned (take it from the ${NEXT_CURSOR_HEADER} header)`)
  }
  if (value[1] !== fingerprint) throw bad(`invalid 'cursor' query parameter: it belongs to a search with other filters`)
  return value[2]
}

/** The index, or a 400 when this cluster has none. */
export function indexOf (index: PinSearchIndex | undefined): PinSearchIndex {
  if (index === undefined) throw bad('this cluster cannot search its pinset: search parameters are not supported')
  return index
}

/** This page's criteria (bounded by `pageEnd` when limited) and the next page's cursor. */
export function pageOf (index: PinSearchIndex, req: SearchRequest): { search: PinSearch, next?: string, empty: boolean } {
  if (req.limit === undefined) return { search: req.search, empty: false }
  const end = index.pageEnd(req.search, req.limit)
  if (end.last === undefined) return { search: req.search, empty: true }
  return {
    search: { ...req.search, throughCid: end.last },
    empty: false,
    ...(end.more ? { next: makeCursor(end.last, req.fingerprint) } : {})
  }
}

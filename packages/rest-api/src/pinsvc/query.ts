/**
 * `GET /pins` query parameters of the Pinning Service API (rest-api.md §11) with Go's parsing
 * rules and messages (Go's `ListOptions.FromQuery`), and the filters applied to each PinStatus.
 * Invalid parameters are a 400 here (Go answers 500).
 */
import { parseCid, Timestamp } from '@cluster/api'
import type { CID } from '@cluster/api'
import { HttpError } from '../errors.ts'
import { goJsonKind, MAX_PIN_NAME_BYTES, PIN_SVC_STATUSES } from './types.ts'
import type { PinSvcPin, PinSvcPinStatus, PinSvcStatus } from './types.ts'

export const MATCH_STRATEGIES = ['exact', 'iexact', 'partial', 'ipartial'] as const
export type MatchStrategy = typeof MATCH_STRATEGIES[number]

/** Default (and Go's implicit) `limit`. */
export const DEFAULT_LIST_LIMIT = 10

/**
 * Most results one answer holds, the Pinning Service API's own maximum for `limit`: a bigger
 * `limit` gets this many (`count` still says how many match; clients page with `before`). Go has
 * no cap, so one request could make the server hold and write the whole pinset.
 */
export const MAX_LIST_LIMIT = 1000

export interface PinSvcListOptions {
  /** `cid`: only these CIDs (then the other filters are not applied, as in Go). */
  cids: CID[]
  /** `name` ('' = any) and how it is compared (`match`, default `exact`). */
  name: string
  match: MatchStrategy
  /** `status`: wanted statuses (empty = all). */
  statuses: PinSvcStatus[]
  /** `before` / `after`: compared with `created`. */
  before: Timestamp | undefined
  after: Timestamp | undefined
  limit: number
  /** `meta`: every entry must be in the pin's `meta`. */
  meta: Record<string, string>
}

const bad = (message: string, cause?: unknown): HttpError => new HttpError(400, message, { cause })

function parseTime (q: URLSearchParams, key: 'before' | 'after'): Timestamp | undefined {
  const text = q.get(key) ?? ''
  if (text === '') return undefined
  try {
    return Timestamp.parse(text)
  } catch (err) {
    throw bad(`error decoding '${key}' query param: ${text}: ${(err as Error).message}`, err)
  }
}

/** Go's strconv.ParseUint(v, 10, 64). */
function parseLimit (text: string): number {
  const fail = (why: string): never => { throw bad(`error parsing 'limit' query param: ${text}: strconv.ParseUint: parsing ${JSON.stringify(text)}: ${why}`) }
  if (!/^\d+$/.test(text)) fail('invalid syntax')
  const n = BigInt(text)
  if (n >= 1n << 64n) fail('value out of range')
  return Number(n)
}

/** Go's json.Unmarshal into map[string]string (`null` = no filter). */
function parseMeta (text: string): Record<string, string> {
  const fail = (why: string, cause?: unknown): never => { throw bad(`error unmarshalling 'meta' query param: ${text}: ${why}`, cause) }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return fail((err as Error).message, err)
  }
  const meta: Record<string, string> = Object.create(null) as Record<string, string>
  if (value === null) return meta
  if (typeof value !== 'object' || Array.isArray(value)) {
    return fail(`json: cannot unmarshal ${goJsonKind(value)} into Go value of type map[string]string`)
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== null && typeof v !== 'string') fail(`json: cannot unmarshal ${goJsonKind(v)} into Go value of type string`)
    meta[k] = (v as string | null) ?? ''
  }
  return meta
}

/**
 * Go's StatusFromString: spaces dropped, comma-separated, unknown names ignored; an input that
 * names no valid status is an error.
 */
function parseStatuses (text: string): PinSvcStatus[] {
  const names = new Set(text.replaceAll(' ', '').split(','))
  const statuses = PIN_SVC_STATUSES.filter((s) => names.has(s))
  if (text !== '' && statuses.length === 0) throw bad("error decoding 'status' query param: no valid filter")
  return statuses
}

/** Parses the `GET /pins` query; throws HttpError 400 with Go's message. */
export function parseListQuery (q: URLSearchParams): PinSvcListOptions {
  const cids: CID[] = []
  const cidText = q.get('cid') ?? ''
  if (cidText !== '') {
    for (const text of cidText.split(',')) {
      try {
        cids.push(parseCid(text))
      } catch (err) {
        throw bad(`error decoding cid ${text}: ${(err as Error).message}`, err)
      }
    }
  }
  const name = q.get('name') ?? ''
  if (Buffer.byteLength(name) > MAX_PIN_NAME_BYTES) throw bad("error in 'name' query param: longer than 255 chars")
  const match = q.get('match') ?? ''
  const statuses = parseStatuses(q.get('status') ?? '')
  const before = parseTime(q, 'before')
  const after = parseTime(q, 'after')
  const limitText = q.get('limit') ?? ''
  const metaText = q.get('meta') ?? ''
  return {
    cids,
    name,
    // Go falls back to `exact` for an unknown strategy.
    match: (MATCH_STRATEGIES as readonly string[]).includes(match) ? match as MatchStrategy : 'exact',
    statuses,
    before,
    after,
    limit: limitText === '' ? DEFAULT_LIST_LIMIT : Math.min(parseLimit(limitText), MAX_LIST_LIMIT),
    meta: metaText === '' ? {} : parseMeta(metaText)
  }
}

/** Go's Pin.MatchesName. */
export function matchesName (pin: PinSvcPin, name: string, match: MatchStrategy): boolean {
  if (name === '') return true
  switch (match) {
    case 'exact': return pin.name === name
    case 'iexact': return pin.name.toLowerCase() === name.toLowerCase()
    case 'partial': return pin.name.includes(name)
    case 'ipartial': return pin.name.toLowerCase().includes(name.toLowerCase())
  }
}

/** Go's Pin.MatchesMeta: every wanted entry is present with the same value. */
export function matchesMeta (pin: PinSvcPin, meta: Record<string, string>): boolean {
  return Object.entries(meta).every(([k, v]) => (Object.hasOwn(pin.meta, k) ? pin.meta[k] : '') === v)
}

/**
 * The name, meta and time filters of a listing without `cid`. `before`/`after` are strict
 * (the Pinning Service API's meaning; Go keeps a pin created exactly at the bound).
 */
export function matchesListFilters (st: PinSvcPinStatus, opts: PinSvcListOptions): boolean {
  if (opts.after !== undefined && !st.created.isAfter(opts.after)) return false
  if (opts.before !== undefined && !st.created.isBefore(opts.before)) return false
  return matchesName(st.pin, opts.name, opts.match) && matchesMeta(st.pin, opts.meta)
}

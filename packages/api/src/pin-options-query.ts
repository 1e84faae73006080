/**
 * Pin options as URL query parameters (REST API §2.1): decoding exactly like Go's
 * PinOptions.FromQuery (defaults, overrides, silent drops, error texts) and encoding exactly
 * like Go's PinOptions.ToQuery (what the Go client sends).
 */
import { PinOptionsError } from './errors.ts'
import type { ApiError } from './errors.ts'
import { parseCid } from './cid.ts'
import { parsePeerIdsLenient } from './peer-id.ts'
import { multiaddrPeerId, parseMultiaddr } from './multiaddr.ts'
import type { Multiaddr } from './multiaddr.ts'
import { parseDuration, SECOND } from './duration.ts'
import { Timestamp } from './timestamp.ts'
import { newRecord } from './json.ts'
import { encodeGoQuery } from './query-escape.ts'
import { defaultPinOptions } from './types/pin.ts'
import type { PinOptions } from './types/pin.ts'
import { pinModeFromString } from './types/pin-type.ts'

export const META_PREFIX = 'meta-'

export interface PinOptionsQueryContext {
  /** "Now" for `expire-in` (default: the system clock, UTC). */
  now?: () => Timestamp
}

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n
const UINT64_MAX = (1n << 64n) - 1n

/** Go's strconv.Atoi (base 10, optional sign, int64 range); undefined when invalid. */
function atoi (s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined
  const n = BigInt(s)
  if (n < INT64_MIN || n > INT64_MAX) return undefined
  return Number(n)
}

/** Go's strconv.ParseUint(s, 10, 64); undefined when invalid. */
function parseUint (s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined
  const n = BigInt(s)
  if (n > UINT64_MAX) return undefined
  return Number(n)
}

function message (err: unknown): string {
  return (err as ApiError).message
}

/**
 * Reads pin options from query parameters. Throws PinOptionsError carrying Go's exact message
 * (to be answered as HTTP 400). Metadata is always an object afterwards (possibly empty).
 */
export function decodePinOptionsQuery (params: URLSearchParams, ctx: PinOptionsQueryContext = {}): PinOptions {
  const get = (k: string): string => params.get(k) ?? ''
  const po = defaultPinOptions()
  po.name = get('name')
  po.mode = pinModeFromString(get('mode'))

  const replication = get('replication')
  const min = replication !== '' ? replication : get('replication-min')
  const max = replication !== '' ? replication : get('replication-max')
  if (min !== '') {
    const v = atoi(min)
    if (v === undefined) throw new PinOptionsError('parameter replication-min invalid')
    po.replicationFactorMin = v
  }
  if (max !== '') {
    const v = atoi(max)
    if (v === undefined) throw new PinOptionsError('parameter replication-max invalid')
    po.replicationFactorMax = v
  }

  const shardSize = get('shard-size')
  if (shardSize !== '') {
    const v = parseUint(shardSize)
    if (v === undefined) throw new PinOptionsError('parameter shard_size is invalid')
    po.shardSize = v
  }

  const allocs = get('user-allocations')
  if (allocs !== '') po.userAllocations = parsePeerIdsLenient(allocs.split(','))

  const expireAt = get('expire-at')
  const expireIn = get('expire-in')
  if (expireAt !== '') {
    try {
      po.expireAt = Timestamp.parse(expireAt)
    } catch (err) {
      throw new PinOptionsError(`expire-at cannot be parsed: ${message(err)}`, { cause: err })
    }
  } else if (expireIn !== '') {
    let d: bigint
    try {
      d = parseDuration(expireIn)
    } catch (err) {
      throw new PinOptionsError(`expire-in cannot be parsed: ${message(err)}`, { cause: err })
    }
    if (d < SECOND) throw new PinOptionsError('expire-in duration too short')
    po.expireAt = (ctx.now ?? (() => Timestamp.now()))().add(d)
  }

  const metadata = newRecord<string>()
  for (const key of new Set(params.keys())) {
    if (!key.startsWith(META_PREFIX)) continue
    const metaKey = key.slice(META_PREFIX.length)
    if (metaKey === '') continue
    metadata[metaKey] = get(key)
  }
  po.metadata = metadata

  const update = get('pin-update')
  if (update !== '') {
    try {
      po.pinUpdate = parseCid(update)
    } catch (err) {
      throw new PinOptionsError(`error decoding update option parameter: ${message(err)}`, { cause: err })
    }
  }

  const origins = get('origins')
  if (origins !== '') {
    const list: Multiaddr[] = []
    for (const text of origins.split(',')) {
      let addr: Multiaddr
      try {
        addr = parseMultiaddr(text)
      } catch (err) {
        throw new PinOptionsError(`error decoding multiaddress: ${message(err)}`, { cause: err })
      }
      if (multiaddrPeerId(addr) === undefined) {
        throw new PinOptionsError('multiaddress does not contain peer ID: protocol not found in multiaddr')
      }
      list.push(addr)
    }
    po.origins = list
  }
  return po
}

/**
 * The query string the Go client sends for these options (no leading `?`): keys sorted,
 * Go's escaping; `expire-at` only when set, `meta-*`, `pin-update`, `origins` when present.
 */
export function encodePinOptionsQuery (po: PinOptions): string {
  return encodeGoQuery(pinOptionsQueryEntries(po))
}

/** The parameters of `encodePinOptionsQuery`, unencoded (other encoders add theirs). */
export function pinOptionsQueryEntries (po: PinOptions): Map<string, string> {
  const entries: Array<[string, string]> = [
    ['replication-min', String(po.replicationFactorMin)],
    ['replication-max', String(po.replicationFactorMax)],
    ['name', po.name],
    ['mode', po.mode],
    ['shard-size', String(po.shardSize)],
    ['user-allocations', (po.userAllocations ?? []).join(',')]
  ]
  if (!po.expireAt.isZero()) entries.push(['expire-at', po.expireAt.toJSON()])
  const seen = new Map<string, string>(entries)
  for (const [k, v] of Object.entries(po.metadata ?? {})) {
    if (k === '') continue
    seen.set(META_PREFIX + k, v)
  }
  if (po.pinUpdate !== undefined) seen.set('pin-update', po.pinUpdate.toString())
  if (po.origins !== null && po.origins.length > 0) seen.set('origins', po.origins.join(','))
  return seen
}

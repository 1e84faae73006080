/**
 * Objects of the IPFS Pinning Service API as Go IPFS Cluster v1.1.6 writes them (rest-api.md §11):
 * `Pin`, `PinStatus`, `PinList`, with Go's field order and omit rules, the fixed `info` object,
 * and the request-body decoder with Go's encoding/json leniency (case-insensitive keys, `null`
 * as "absent", unknown keys ignored).
 */
import { goMap, parseCid, parseMultiaddr, Timestamp } from '@cluster/api'
import type { CID, JsonObject, Multiaddr } from '@cluster/api'

/** The four statuses of the Pinning Service API. */
export const PIN_SVC_STATUSES = ['queued', 'pinning', 'pinned', 'failed'] as const
export type PinSvcStatus = typeof PIN_SVC_STATUSES[number]

/** Longest accepted `name` (bytes), in bodies and in the `name` query parameter. */
export const MAX_PIN_NAME_BYTES = 255

/** The `info` object of every PinStatus (Go's fixed map). */
export const PINSVC_INFO: Readonly<Record<string, string>> = Object.freeze({
  source: 'IPFS cluster API',
  warning1: 'CID used for requestID. Conflicts possible',
  warning2: 'experimental'
})

/** What to pin (`Pin` object). Empty `name`/`origins`/`meta` are omitted on the wire. */
export interface PinSvcPin {
  cid: CID
  name: string
  origins: Multiaddr[]
  meta: Record<string, string>
}

/** A pin request and its state (`PinStatus` object); `info` is always PINSVC_INFO. */
export interface PinSvcPinStatus {
  /** The CID as a string (the cluster uses CIDs as request IDs). */
  requestId: string
  status: PinSvcStatus
  created: Timestamp
  pin: PinSvcPin
  /** IPFS multiaddrs of the peers holding the pin (always an array on the wire). */
  delegates: Multiaddr[]
}

/** Answer of `GET /pins` (`PinList` object). */
export interface PinSvcPinList {
  /** Matches before `limit`. */
  count: number
  results: PinSvcPinStatus[]
}

/** Invalid `Pin` JSON; `message` is Go's (decoding) text, without the route's prefix. */
export class PinSvcDecodeError extends Error {
  override readonly name = 'PinSvcDecodeError'
  readonly code = 'ERR_PINSVC_DECODE'
}

export function encodePinSvcPin (p: PinSvcPin): JsonObject {
  const meta = Object.entries(p.meta)
  return {
    cid: p.cid.toString(),
    name: p.name === '' ? undefined : p.name,
    origins: p.origins.length === 0 ? undefined : [...p.origins],
    meta: meta.length === 0 ? undefined : goMap(meta)
  }
}

export function encodePinSvcPinStatus (s: PinSvcPinStatus): JsonObject {
  return {
    requestid: s.requestId,
    status: s.status,
    created: s.created.toJSON(),
    pin: encodePinSvcPin(s.pin),
    delegates: [...s.delegates],
    info: goMap(Object.entries(PINSVC_INFO))
  }
}

export function encodePinSvcPinList (l: PinSvcPinList): JsonObject {
  return { count: l.count, results: l.results.map(encodePinSvcPinStatus) }
}

/** Go's name of a JSON value's kind, as in `json: cannot unmarshal <kind> into …`. */
export function goJsonKind (v: unknown): string {
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'object') return 'object'
  if (typeof v === 'boolean') return 'bool'
  return typeof v
}

const cannot = (v: unknown, into: string): PinSvcDecodeError =>
  new PinSvcDecodeError(`json: cannot unmarshal ${goJsonKind(v)} into ${into}`)

function wrap<T> (parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    throw new PinSvcDecodeError((err as Error).message, { cause: err })
  }
}

const PIN_FIELDS = ['cid', 'name', 'origins', 'meta'] as const

/** Go's field lookup: exact key first, else a case-insensitive match. */
function fieldOf (key: string): typeof PIN_FIELDS[number] | undefined {
  const lower = key.toLowerCase()
  return PIN_FIELDS.find((f) => f === key) ?? PIN_FIELDS.find((f) => f === lower)
}

/**
 * Decodes a `Pin` (already parsed JSON) the way Go's decoder fills `pinsvc.Pin`. The CID may be
 * missing (`undefined`): the caller decides. Throws PinSvcDecodeError.
 */
export function decodePinSvcPin (value: unknown): Omit<PinSvcPin, 'cid'> & { cid: CID | undefined } {
  const out: Omit<PinSvcPin, 'cid'> & { cid: CID | undefined } = { cid: undefined, name: '', origins: [], meta: {} }
  if (value === null) return out
  if (typeof value !== 'object' || Array.isArray(value)) throw cannot(value, 'Go value of type pinsvc.Pin')
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = fieldOf(key)
    if (field === undefined || v === null) continue
    switch (field) {
      case 'cid':
        if (typeof v !== 'string') throw cannot(v, 'Go value of type string')
        out.cid = wrap(() => parseCid(v))
        break
      case 'name':
        if (typeof v !== 'string') throw cannot(v, 'Go value of type string')
        if (Buffer.byteLength(v) > MAX_PIN_NAME_BYTES) throw new PinSvcDecodeError(`pin name is over ${MAX_PIN_NAME_BYTES} chars`)
        out.name = v
        break
      case 'origins':
        if (!Array.isArray(v)) throw cannot(v, 'Go struct field Pin.origins of type []api.Multiaddr')
        out.origins = v.map((o: unknown) => {
          if (o !== null && typeof o !== 'string') throw cannot(o, 'Go value of type string')
          return wrap(() => parseMultiaddr(o ?? ''))
        })
        break
      case 'meta': {
        if (typeof v !== 'object' || Array.isArray(v)) throw cannot(v, 'Go struct field Pin.meta of type map[string]string')
        const meta: Record<string, string> = Object.create(null) as Record<string, string>
        for (const [k, mv] of Object.entries(v as Record<string, unknown>)) {
          if (mv !== null && typeof mv !== 'string') throw cannot(mv, 'Go struct field Pin.meta of type string')
          meta[k] = mv ?? ''
        }
        out.meta = meta
        break
      }
    }
  }
  return out
}

/** Reads a PinStatus as this server (or Go) writes it; for clients and tests. Throws PinSvcDecodeError. */
export function decodePinSvcPinStatus (value: unknown): PinSvcPinStatus {
  const o = value as Record<string, unknown> | null
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw cannot(value, 'Go value of type pinsvc.PinStatus')
  const status = o.status
  if (typeof status !== 'string' || !(PIN_SVC_STATUSES as readonly string[]).includes(status)) {
    throw new PinSvcDecodeError(`invalid status ${JSON.stringify(status)}`)
  }
  if (typeof o.requestid !== 'string') throw cannot(o.requestid, 'Go struct field PinStatus.requestid of type string')
  if (typeof o.created !== 'string') throw cannot(o.created, 'Go struct field PinStatus.created of type time.Time')
  const created = o.created
  const pin = decodePinSvcPin(o.pin)
  if (pin.cid === undefined) throw new PinSvcDecodeError('missing cid')
  const delegates = o.delegates ?? []
  if (!Array.isArray(delegates)) throw cannot(delegates, 'Go struct field PinStatus.delegates of type []api.Multiaddr')
  return {
    requestId: o.requestid,
    status: status as PinSvcStatus,
    created: wrap(() => Timestamp.parse(created)),
    pin: { ...pin, cid: pin.cid },
    delegates: delegates.map((d: unknown) => wrap(() => parseMultiaddr(String(d))))
  }
}

/** Reads a PinList; for clients and tests. Throws PinSvcDecodeError. */
export function decodePinSvcPinList (value: unknown): PinSvcPinList {
  const o = value as Record<string, unknown> | null
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw cannot(value, 'Go value of type pinsvc.PinList')
  if (typeof o.count !== 'number' || !Number.isInteger(o.count) || o.count < 0) throw cannot(o.count, 'Go struct field PinList.count of type uint64')
  const results = o.results ?? []
  if (!Array.isArray(results)) throw cannot(results, 'Go struct field PinList.results of type []pinsvc.PinStatus')
  return { count: o.count, results: results.map((r: unknown) => decodePinSvcPinStatus(r)) }
}

/**
 * Validation helpers for decoding untrusted, already-parsed JSON. Every failure is a DecodeError
 * whose path says where it happened (`peer_map.P1.status`, `allocations[0]`).
 */
import { DecodeError } from './errors.ts'
import { parseCid } from './cid.ts'
import type { CID } from './cid.ts'
import { parsePeerId } from './peer-id.ts'
import type { PeerId } from './peer-id.ts'
import { parseMultiaddr } from './multiaddr.ts'
import type { Multiaddr } from './multiaddr.ts'
import { Timestamp } from './timestamp.ts'
import { newRecord } from './json.ts'

export type Reader<T> = (value: unknown, path: string) => T

export function at (path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

function describe (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}

function wrongType (path: string, expected: string, v: unknown): DecodeError {
  return new DecodeError(path, `expected ${expected}, got ${describe(v)}`)
}

/** A JSON object (not null, not an array). */
export function readObject (v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw wrongType(path, 'object', v)
  return v as Record<string, unknown>
}

function own (obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined
}

/** A member that Go always writes: missing is an error. */
export function required<T> (obj: Record<string, unknown>, key: string, path: string, read: Reader<T>): T {
  const v = own(obj, key)
  if (v === undefined) throw new DecodeError(at(path, key), 'missing required field')
  return read(v, at(path, key))
}

/** A member Go may omit (`omitempty`): missing gives `fallback`. */
export function optional<T, F> (obj: Record<string, unknown>, key: string, path: string, read: Reader<T>, fallback: F): T | F {
  const v = own(obj, key)
  if (v === undefined) return fallback
  return read(v, at(path, key))
}

export const readString: Reader<string> = (v, path) => {
  if (typeof v !== 'string') throw wrongType(path, 'string', v)
  return v
}

export const readBool: Reader<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw wrongType(path, 'boolean', v)
  return v
}

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n
const UINT64_MAX = (1n << 64n) - 1n

function integer (v: unknown, path: string, min: bigint, max: bigint, what: string): bigint {
  let n: bigint
  if (typeof v === 'bigint') {
    n = v
  } else if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new DecodeError(path, `expected ${what}, got non-integer number ${v}`)
    n = BigInt(v)
  } else {
    throw wrongType(path, what, v)
  }
  if (n < min || n > max) throw new DecodeError(path, `number ${n} out of range for ${what}`)
  return n
}

/** A Go int/int64 as a JS number (values beyond 2^53 lose precision, as JSON.parse would). */
export const readInt: Reader<number> = (v, path) => Number(integer(v, path, INT64_MIN, INT64_MAX, 'integer'))
/** A Go uint64 as a JS number. */
export const readUint: Reader<number> = (v, path) => Number(integer(v, path, 0n, UINT64_MAX, 'unsigned integer'))
/** A Go int64 kept exact as bigint (nanosecond epochs). */
export const readInt64: Reader<bigint> = (v, path) => integer(v, path, INT64_MIN, INT64_MAX, 'integer')

/** A Go float64. */
export const readFloat: Reader<number> = (v, path) => {
  if (typeof v === 'bigint') return Number(v)
  if (typeof v !== 'number' || !Number.isFinite(v)) throw wrongType(path, 'number', v)
  return v
}

function scalar<T> (parse: (s: string) => T, what: string): Reader<T> {
  return (v, path) => {
    if (typeof v !== 'string') throw wrongType(path, what, v)
    try {
      return parse(v)
    } catch (err) {
      throw new DecodeError(path, `invalid ${what}: ${(err as Error).message}`, { cause: err })
    }
  }
}

/** A CID string (null is rejected). */
export const readCid: Reader<CID> = scalar(parseCid, 'CID')
/** A CID string or null (→ undefined), as Go writes an undefined CID. */
export const readCidOrNull: Reader<CID | undefined> = (v, path) => v === null ? undefined : readCid(v, path)
/** A single peer ID: never "" nor null. */
export const readPeerId: Reader<PeerId> = scalar(parsePeerId, 'peer ID')
export const readMultiaddr: Reader<Multiaddr> = scalar(parseMultiaddr, 'multiaddress')
/** A timestamp string; null is Go's zero time (the Go client accepts it). */
export const readTimestamp: Reader<Timestamp> = (v, path) => v === null ? Timestamp.ZERO : scalar(Timestamp.parse, 'timestamp')(v, path)

/** An array or null (Go nil slice). */
export function arrayOrNull<T> (read: Reader<T>): Reader<T[] | null> {
  return (v, path) => {
    if (v === null) return null
    if (!Array.isArray(v)) throw wrongType(path, 'array or null', v)
    return v.map((item, i) => read(item, `${path}[${i}]`))
  }
}

/** An object used as a Go map, or null (Go nil map). Keys are kept as given. */
export function mapOrNull<T> (read: Reader<T>, readKey?: (key: string, path: string) => string): Reader<Record<string, T> | null> {
  return (v, path) => {
    if (v === null) return null
    const obj = readObject(v, path)
    const out = newRecord<T>()
    for (const key of Object.keys(obj)) {
      const k = readKey === undefined ? key : readKey(key, at(path, key))
      out[k] = read(obj[key], at(path, key))
    }
    return out
  }
}

/** Map keys that must be peer IDs (kept in canonical form). */
export function peerIdKey (key: string, path: string): string {
  return readPeerId(key, path)
}

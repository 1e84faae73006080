/** Pin and PinOptions (the options are flattened into the pin's JSON object, first). */
import { cidToString, type CID } from '../cid.ts'
import type { PeerId } from '../peer-id.ts'
import type { Multiaddr } from '../multiaddr.ts'
import { Timestamp, type OffsetSpec } from '../timestamp.ts'
import { goMap } from '../json.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import {
  arrayOrNull, mapOrNull, readCid, readCidOrNull, readInt, readMultiaddr, readObject, readPeerId,
  readString, readTimestamp, readUint, required
} from '../decode.ts'
import { pinModeFromString, pinTypeFromString } from './pin-type.ts'
import type { PinMode, PinType } from './pin-type.ts'

/** User options of a pin. */
export interface PinOptions {
  /** -1 = everywhere; 0 = use the cluster default. */
  replicationFactorMin: number
  replicationFactorMax: number
  name: string
  mode: PinMode
  /** Bytes; 0 unless sharding. */
  shardSize: number
  /** Priority peers; `null` when not given (and when read back from the state). */
  userAllocations: PeerId[] | null
  /** Go's zero time = never expires. */
  expireAt: Timestamp
  metadata: Record<string, string> | null
  /** The pin this one updates (`null` on the wire when undefined). */
  pinUpdate: CID | undefined
  origins: Multiaddr[] | null
}

/** A pin in the shared pinset. */
export interface Pin extends PinOptions {
  cid: CID
  type: PinType
  /** Peers the pin is allocated to (`[]` for pin-everywhere). */
  allocations: PeerId[] | null
  /** -1 recursive, 0 direct, 1 for shards. */
  maxDepth: number
  /** meta ↔ clusterdag ↔ previous shard link; undefined (null) for data pins. */
  reference: CID | undefined
  /** When the pin was committed. */
  timestamp: Timestamp
}

/** Options as Go's zero value has them (what FromQuery starts from, before defaults). */
export function defaultPinOptions (): PinOptions {
  return {
    replicationFactorMin: 0,
    replicationFactorMax: 0,
    name: '',
    mode: 'recursive',
    shardSize: 0,
    userAllocations: null,
    expireAt: Timestamp.ZERO,
    metadata: null,
    pinUpdate: undefined,
    origins: null
  }
}

export function encodeStringMap (m: Record<string, string> | null): JsonValue {
  return m === null ? null : goMap(Object.entries(m))
}

export function encodeCid (cid: CID | undefined): string | null {
  return cid === undefined ? null : cidToString(cid)
}

function encodeOptionFields (o: PinOptions): JsonObject {
  return {
    replication_factor_min: o.replicationFactorMin,
    replication_factor_max: o.replicationFactorMax,
    name: o.name,
    mode: o.mode,
    shard_size: o.shardSize,
    user_allocations: o.userAllocations,
    expire_at: o.expireAt.toJSON(),
    metadata: encodeStringMap(o.metadata),
    pin_update: encodeCid(o.pinUpdate),
    origins: o.origins
  }
}

export const readPeerIds = arrayOrNull(readPeerId)
export const readMultiaddrs = arrayOrNull(readMultiaddr)
export const readStringMap = mapOrNull(readString)

const readMode = (v: unknown, path: string): PinMode => pinModeFromString(readString(v, path))
const readType = (v: unknown, path: string): PinType => pinTypeFromString(readString(v, path))

function decodeOptionFields (obj: Record<string, unknown>, path: string): PinOptions {
  return {
    replicationFactorMin: required(obj, 'replication_factor_min', path, readInt),
    replicationFactorMax: required(obj, 'replication_factor_max', path, readInt),
    name: required(obj, 'name', path, readString),
    mode: required(obj, 'mode', path, readMode),
    shardSize: required(obj, 'shard_size', path, readUint),
    userAllocations: required(obj, 'user_allocations', path, readPeerIds),
    expireAt: required(obj, 'expire_at', path, readTimestamp),
    metadata: required(obj, 'metadata', path, readStringMap),
    // Go tags pin_update omitempty, but never omits it (a struct is never empty).
    pinUpdate: Object.hasOwn(obj, 'pin_update') ? required(obj, 'pin_update', path, readCidOrNull) : undefined,
    origins: required(obj, 'origins', path, readMultiaddrs)
  }
}

/** PinOptions as JSON (Go's field order). */
export function encodePinOptions (o: PinOptions): JsonObject {
  return encodeOptionFields(o)
}

export function decodePinOptions (value: unknown, path = ''): PinOptions {
  return decodeOptionFields(readObject(value, path), path)
}

/** A Pin as JSON: options first, then the pin's own keys, in Go's order. */
export function encodePin (p: Pin): JsonObject {
  return {
    ...encodeOptionFields(p),
    cid: cidToString(p.cid),
    type: p.type,
    allocations: p.allocations,
    max_depth: p.maxDepth,
    reference: encodeCid(p.reference),
    timestamp: p.timestamp.toJSON()
  }
}

export function decodePin (value: unknown, path = ''): Pin {
  const obj = readObject(value, path)
  return {
    ...decodeOptionFields(obj, path),
    cid: required(obj, 'cid', path, readCid),
    type: required(obj, 'type', path, readType),
    allocations: required(obj, 'allocations', path, readPeerIds),
    maxDepth: required(obj, 'max_depth', path, readInt),
    reference: required(obj, 'reference', path, readCidOrNull),
    timestamp: required(obj, 'timestamp', path, readTimestamp)
  }
}

/** A time as Go's state keeps it: whole seconds since the epoch (none when not after it), shown in `offset`. */
function storedTime (t: Timestamp, offset: OffsetSpec): Timestamp {
  return t.unixSeconds() <= 0n ? Timestamp.ZERO : t.truncateToSeconds().withOffset(offset)
}

/**
 * A pin as Go's state gives it back (the protobuf round trip of its pinset): `timestamp` and
 * `expire_at` in whole seconds and the local offset, `origins` and `allocations` never null,
 * `metadata` null when empty, `user_allocations` not kept, `mode` derived from `max_depth`. What
 * `GET /allocations` shows; the answer of `POST /pins` is the pin before it (nanoseconds,
 * `origins: null`).
 */
export function storedPin (pin: Pin, offset: OffsetSpec = 'local'): Pin {
  const metadata = pin.metadata === null || Object.keys(pin.metadata).length === 0 ? null : pin.metadata
  return {
    ...pin,
    timestamp: storedTime(pin.timestamp, offset),
    expireAt: storedTime(pin.expireAt, offset),
    origins: pin.origins ?? [],
    allocations: pin.allocations ?? [],
    metadata,
    userAllocations: null,
    mode: pin.maxDepth === 0 ? 'direct' : 'recursive'
  }
}

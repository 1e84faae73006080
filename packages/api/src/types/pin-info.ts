/** Status objects: GlobalPinInfo (one CID, many peers), PinInfoShort, and the local PinInfo. */
import { cidToString, type CID } from '../cid.ts'
import type { PeerId } from '../peer-id.ts'
import type { Multiaddr } from '../multiaddr.ts'
import type { Timestamp } from '../timestamp.ts'
import { goMap, newRecord } from '../json.ts'
import type { JsonObject } from '../json.ts'
import {
  mapOrNull, optional, peerIdKey, readBool, readCid, readInt, readObject, readPeerId, readString,
  readTimestamp, required
} from '../decode.ts'
import { encodeStringMap, readMultiaddrs, readPeerIds, readStringMap } from './pin.ts'
import { trackerStatusFromString } from './status.ts'
import type { TrackerStatus } from './status.ts'

/** One peer's view of a CID (value of `peer_map`). */
export interface PinInfoShort {
  /** Always present, may be "". */
  peername: string
  /** The peer's IPFS daemon ID; undefined (omitted on the wire) when unknown. */
  ipfsPeerId: PeerId | undefined
  /** Omitted on the wire when empty. */
  ipfsPeerAddresses: Multiaddr[]
  status: TrackerStatus
  timestamp: Timestamp
  /** "" when none. */
  error: string
  attemptCount: number
  priorityPin: boolean
}

/** A CID as seen by several cluster peers. */
export interface GlobalPinInfo {
  cid: CID
  name: string
  allocations: PeerId[] | null
  origins: Multiaddr[] | null
  /** Pin timestamp (zero time if unknown). */
  created: Timestamp
  metadata: Record<string, string> | null
  /** Cluster peer ID → its view. */
  peerMap: Record<string, PinInfoShort> | null
}

/** One peer's full local status of a CID (never sent as such by the REST API). */
export interface PinInfo extends PinInfoShort {
  cid: CID
  name: string
  /** The cluster peer this status comes from. */
  peer: PeerId
  allocations: PeerId[] | null
  origins: Multiaddr[] | null
  created: Timestamp
  metadata: Record<string, string> | null
}

export function encodePinInfoShort (p: PinInfoShort): JsonObject {
  return {
    peername: p.peername,
    ipfs_peer_id: p.ipfsPeerId,
    ipfs_peer_addresses: p.ipfsPeerAddresses.length > 0 ? p.ipfsPeerAddresses : undefined,
    status: p.status,
    timestamp: p.timestamp.toJSON(),
    error: p.error,
    attempt_count: p.attemptCount,
    priority_pin: p.priorityPin
  }
}

const readStatus = (v: unknown, path: string): TrackerStatus => trackerStatusFromString(readString(v, path))

export function decodePinInfoShort (value: unknown, path = ''): PinInfoShort {
  const obj = readObject(value, path)
  return {
    peername: required(obj, 'peername', path, readString),
    ipfsPeerId: optional(obj, 'ipfs_peer_id', path, readPeerId, undefined),
    ipfsPeerAddresses: optional(obj, 'ipfs_peer_addresses', path, readMultiaddrs, null) ?? [],
    ...decodeInfoStatusFields(obj, path)
  }
}

/** The status fields of a PinInfoShort (of a PinInfo too), read from its JSON object. */
export function decodeInfoStatusFields (obj: Record<string, unknown>, path: string): Pick<PinInfoShort, 'status' | 'timestamp' | 'error' | 'attemptCount' | 'priorityPin'> {
  return {
    status: required(obj, 'status', path, readStatus),
    timestamp: required(obj, 'timestamp', path, readTimestamp),
    error: required(obj, 'error', path, readString),
    attemptCount: required(obj, 'attempt_count', path, readInt),
    priorityPin: required(obj, 'priority_pin', path, readBool)
  }
}

/** The fields of a PinInfo (and of a GlobalPinInfo) that come from its CID's pin. */
export type InfoPinFields = Pick<PinInfo, 'cid' | 'name' | 'allocations' | 'origins' | 'created' | 'metadata'>

/** A PinInfo's InfoPinFields, read from its JSON object. */
export function decodeInfoPinFields (obj: Record<string, unknown>, path: string): InfoPinFields {
  return {
    cid: required(obj, 'cid', path, readCid),
    name: required(obj, 'name', path, readString),
    allocations: required(obj, 'allocations', path, readPeerIds),
    origins: required(obj, 'origins', path, readMultiaddrs),
    created: required(obj, 'created', path, readTimestamp),
    metadata: required(obj, 'metadata', path, readStringMap)
  }
}

export function encodeGlobalPinInfo (g: GlobalPinInfo): JsonObject {
  return {
    cid: cidToString(g.cid),
    name: g.name,
    allocations: g.allocations,
    origins: g.origins,
    created: g.created.toJSON(),
    metadata: encodeStringMap(g.metadata),
    peer_map: g.peerMap === null
      ? null
      : goMap(Object.entries(g.peerMap).map(([k, v]) => [k, encodePinInfoShort(v)]))
  }
}

const readPeerMap = mapOrNull(decodePinInfoShort, peerIdKey)

export function decodeGlobalPinInfo (value: unknown, path = ''): GlobalPinInfo {
  const obj = readObject(value, path)
  return { ...decodeInfoPinFields(obj, path), peerMap: required(obj, 'peer_map', path, readPeerMap) }
}

/** Only the PinInfoShort part of a PinInfo. */
export function pinInfoShortOf (p: PinInfoShort): PinInfoShort {
  return {
    peername: p.peername,
    ipfsPeerId: p.ipfsPeerId,
    ipfsPeerAddresses: p.ipfsPeerAddresses,
    status: p.status,
    timestamp: p.timestamp,
    error: p.error,
    attemptCount: p.attemptCount,
    priorityPin: p.priorityPin
  }
}

/** Go's PinInfo.ToGlobal: a GlobalPinInfo with a single `peer_map` entry for `info.peer`. */
export function pinInfoToGlobal (info: PinInfo): GlobalPinInfo {
  const peerMap = newRecord<PinInfoShort>()
  peerMap[info.peer] = pinInfoShortOf(info)
  return { ...infoPinFieldsOf(info), peerMap }
}

/** A PinInfo's InfoPinFields. */
export function infoPinFieldsOf (info: PinInfo): InfoPinFields {
  return { cid: info.cid, name: info.name, allocations: info.allocations, origins: info.origins, created: info.created, metadata: info.metadata }
}

/** The local PinInfo as JSON (Go's order: own keys, then the PinInfoShort keys). */
export function encodePinInfo (p: PinInfo): JsonObject {
  return {
    cid: cidToString(p.cid),
    name: p.name,
    peer: p.peer,
    allocations: p.allocations,
    origins: p.origins,
    created: p.created.toJSON(),
    metadata: encodeStringMap(p.metadata),
    ...encodePinInfoShort(p)
  }
}

export function decodePinInfo (value: unknown, path = ''): PinInfo {
  const obj = readObject(value, path)
  return {
    ...decodeInfoPinFields(obj, path),
    peer: required(obj, 'peer', path, readPeerId),
    ...decodePinInfoShort(obj, path)
  }
}

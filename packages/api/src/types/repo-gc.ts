/** Results of `POST /ipfs/gc`: GlobalRepoGC → RepoGC per peer → IPFSRepoGC per removed key. */
import type { CID } from '../cid.ts'
import type { PeerId } from '../peer-id.ts'
import { goMap } from '../json.ts'
import type { JsonObject } from '../json.ts'
import { arrayOrNull, mapOrNull, optional, peerIdKey, readCidOrNull, readObject, readPeerId, readString, required } from '../decode.ts'
import { encodeCid } from './pin.ts'

export interface IpfsRepoGc {
  /** Removed block; undefined (null on the wire) on error entries. */
  key: CID | undefined
  /** Omitted on the wire when "". */
  error: string
}

export interface RepoGc {
  peer: PeerId
  peername: string
  /** `[]` on error. */
  keys: IpfsRepoGc[] | null
  /** Omitted on the wire when "". */
  error: string
}

export interface GlobalRepoGc {
  /** Cluster peer ID → its result. */
  peerMap: Record<string, RepoGc> | null
}

export function encodeIpfsRepoGc (g: IpfsRepoGc): JsonObject {
  return { key: encodeCid(g.key), error: g.error !== '' ? g.error : undefined }
}

export function decodeIpfsRepoGc (value: unknown, path = ''): IpfsRepoGc {
  const obj = readObject(value, path)
  return {
    // Go's Cid marshals undefined as null, so "key" is always present.
    key: optional(obj, 'key', path, readCidOrNull, undefined),
    error: optional(obj, 'error', path, readString, '')
  }
}

export function encodeRepoGc (r: RepoGc): JsonObject {
  return {
    peer: r.peer,
    peername: r.peername,
    keys: r.keys === null ? null : r.keys.map(encodeIpfsRepoGc),
    error: r.error !== '' ? r.error : undefined
  }
}

export function decodeRepoGc (value: unknown, path = ''): RepoGc {
  const obj = readObject(value, path)
  return {
    peer: required(obj, 'peer', path, readPeerId),
    peername: required(obj, 'peername', path, readString),
    keys: required(obj, 'keys', path, arrayOrNull(decodeIpfsRepoGc)),
    error: optional(obj, 'error', path, readString, '')
  }
}

export function encodeGlobalRepoGc (g: GlobalRepoGc): JsonObject {
  return {
    peer_map: g.peerMap === null ? null : goMap(Object.entries(g.peerMap).map(([k, v]) => [k, encodeRepoGc(v)]))
  }
}

export function decodeGlobalRepoGc (value: unknown, path = ''): GlobalRepoGc {
  const obj = readObject(value, path)
  return { peerMap: required(obj, 'peer_map', path, mapOrNull(decodeRepoGc, peerIdKey)) }
}

/** AddedOutput: one line of the `/add` stream. */
import type { CID } from '../cid.ts'
import type { PeerId } from '../peer-id.ts'
import type { JsonObject } from '../json.ts'
import { optional, readCidOrNull, readObject, readString, readUint, required } from '../decode.ts'
import { encodeCid, readPeerIds } from './pin.ts'

export interface AddedOutput {
  /** Path of the node inside the upload (`""` for the wrapping directory). */
  name: string
  /** undefined (null on the wire) on progress-only entries. */
  cid: CID | undefined
  /** Progress: bytes read so far (omitted when 0). */
  bytes: number
  /** Cumulative DAG size (omitted when 0). */
  size: number
  /** Peers that received the blocks (omitted when empty). */
  allocations: PeerId[]
}

export function encodeAddedOutput (o: AddedOutput): JsonObject {
  return {
    name: o.name,
    cid: encodeCid(o.cid),
    bytes: o.bytes !== 0 ? o.bytes : undefined,
    size: o.size !== 0 ? o.size : undefined,
    allocations: o.allocations.length > 0 ? o.allocations : undefined
  }
}

export function decodeAddedOutput (value: unknown, path = ''): AddedOutput {
  const obj = readObject(value, path)
  return {
    name: required(obj, 'name', path, readString),
    cid: required(obj, 'cid', path, readCidOrNull),
    bytes: optional(obj, 'bytes', path, readUint, 0),
    size: optional(obj, 'size', path, readUint, 0),
    allocations: optional(obj, 'allocations', path, readPeerIds, null) ?? []
  }
}

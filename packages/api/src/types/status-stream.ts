/**
 * The items of a member's status stream between our peers (`PinTracker.StatusAllLean`): a
 * PinInfo's status alone. The peer's fields (the peer, its name, its IPFS daemon's ID and
 * addresses) go only with the first item and when they change; the pin's fields (name,
 * allocations, origins, created, metadata) do not go at all: the peer asking has them in its own
 * state. The pin's fields were about half of each item's bytes after the peer's went, each one
 * encoded, sent, encrypted and read again; decoding them was ~8 % of the asking peer's time in a
 * 100k-pin `GET /pins` (CPU profile).
 */
import { cidToString } from '../cid.ts'
import type { Codec } from '../codecs.ts'
import { optional, readCid, readObject, readPeerId, readString, required } from '../decode.ts'
import { readMultiaddrs } from './pin.ts'
import type { JsonObject } from '../json.ts'
import { Timestamp } from '../timestamp.ts'
import { decodeInfoStatusFields, type PinInfo } from './pin-info.ts'

/** The fields of a PinInfo that belong to the peer, not to the CID. */
export type StatusPeerFields = Pick<PinInfo, 'peer' | 'peername' | 'ipfsPeerId' | 'ipfsPeerAddresses'>

/** A status item: a CID's status, and the peer's fields when they are new to the stream. */
export type StatusStreamItem = Pick<PinInfo, 'cid' | 'status' | 'timestamp' | 'error' | 'attemptCount' | 'priorityPin'> & { who?: StatusPeerFields }

function encodeItem (item: StatusStreamItem): JsonObject {
  const out: JsonObject = {
    cid: cidToString(item.cid),
    status: item.status,
    timestamp: item.timestamp.toJSON(),
    error: item.error,
    attempt_count: item.attemptCount,
    priority_pin: item.priorityPin
  }
  const who = item.who
  if (who !== undefined) out.who = { peer: who.peer, peername: who.peername, ipfs_peer_id: who.ipfsPeerId, ipfs_peer_addresses: who.ipfsPeerAddresses }
  return out
}

function decodeWho (value: unknown, path: string): StatusPeerFields {
  const obj = readObject(value, path)
  return {
    peer: required(obj, 'peer', path, readPeerId),
    peername: required(obj, 'peername', path, readString),
    ipfsPeerId: optional(obj, 'ipfs_peer_id', path, readPeerId, undefined),
    ipfsPeerAddresses: optional(obj, 'ipfs_peer_addresses', path, readMultiaddrs, null) ?? []
  }
}

function decodeItem (value: unknown, path = ''): StatusStreamItem {
  const obj = readObject(value, path)
  const item: StatusStreamItem = { cid: required(obj, 'cid', path, readCid), ...decodeInfoStatusFields(obj, path) }
  const who = optional(obj, 'who', path, decodeWho, undefined)
  if (who !== undefined) item.who = who
  return item
}

export const statusStreamItemCodec: Codec<StatusStreamItem> = { encode: encodeItem, decode: decodeItem }

function samePeer (a: StatusPeerFields, b: StatusPeerFields): boolean {
  if (a.peer !== b.peer || a.peername !== b.peername || a.ipfsPeerId !== b.ipfsPeerId) return false
  if (a.ipfsPeerAddresses === b.ipfsPeerAddresses) return true
  return a.ipfsPeerAddresses.length === b.ipfsPeerAddresses.length && a.ipfsPeerAddresses.every((addr, i) => addr === b.ipfsPeerAddresses[i])
}

/** A stream of PinInfos as status items: the peer's fields with the first item and when they change, the pin's never. */
export async function * toStatusItems (infos: AsyncIterable<PinInfo>): AsyncGenerator<StatusStreamItem> {
  let last: StatusPeerFields | undefined
  for await (const info of infos) {
    const item: StatusStreamItem = {
      cid: info.cid,
      status: info.status,
      timestamp: info.timestamp,
      error: info.error,
      attemptCount: info.attemptCount,
      priorityPin: info.priorityPin
    }
    if (last === undefined || !samePeer(last, info)) {
      last = { peer: info.peer, peername: info.peername, ipfsPeerId: info.ipfsPeerId, ipfsPeerAddresses: info.ipfsPeerAddresses }
      item.who = last
    }
    yield item
  }
}

/**
 * Status items back as PinInfos: each gets the peer's fields last sent (a stream that starts
 * without them fails) and empty pin fields (no name, allocations, origins or metadata, the zero
 * time), which the asking peer fills from its own state.
 */
export async function * fromStatusItems (items: AsyncIterable<StatusStreamItem>): AsyncGenerator<PinInfo> {
  let who: StatusPeerFields | undefined
  for await (const item of items) {
    if (item.who !== undefined) who = item.who
    if (who === undefined) throw new TypeError('a status stream must give its peer\'s fields with its first item')
    yield {
      cid: item.cid,
      name: '',
      peer: who.peer,
      allocations: [],
      origins: null,
      created: Timestamp.ZERO,
      metadata: null,
      peername: who.peername,
      ipfsPeerId: who.ipfsPeerId,
      ipfsPeerAddresses: who.ipfsPeerAddresses,
      status: item.status,
      timestamp: item.timestamp,
      error: item.error,
      attemptCount: item.attemptCount,
      priorityPin: item.priorityPin
    }
  }
}

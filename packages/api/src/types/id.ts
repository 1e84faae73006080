/** ID (a cluster peer's identity), IPFSID (its IPFS daemon) and Version. */
import type { PeerId } from '../peer-id.ts'
import type { Multiaddr } from '../multiaddr.ts'
import type { JsonObject } from '../json.ts'
import { optional, readObject, readPeerId, readString, required } from '../decode.ts'
import { readMultiaddrs, readPeerIds } from './pin.ts'

export interface IpfsId {
  /** Omitted on the wire when unknown (e.g. the daemon is down). */
  id: PeerId | undefined
  addresses: Multiaddr[] | null
  /** "" when fine. */
  error: string
}

export interface Id {
  id: PeerId
  addresses: Multiaddr[] | null
  clusterPeers: PeerId[] | null
  clusterPeersAddresses: Multiaddr[] | null
  version: string
  commit: string
  rpcProtocolVersion: string
  /** "" unless this entry describes an unreachable peer. */
  error: string
  ipfs: IpfsId
  peername: string
}

export interface Version {
  version: string
}

export function encodeIpfsId (i: IpfsId): JsonObject {
  return { id: i.id, addresses: i.addresses, error: i.error }
}

export function decodeIpfsId (value: unknown, path = ''): IpfsId {
  const obj = readObject(value, path)
  return {
    id: optional(obj, 'id', path, readPeerId, undefined),
    addresses: required(obj, 'addresses', path, readMultiaddrs),
    error: required(obj, 'error', path, readString)
  }
}

export function encodeId (i: Id): JsonObject {
  return {
    id: i.id,
    addresses: i.addresses,
    cluster_peers: i.clusterPeers,
    cluster_peers_addresses: i.clusterPeersAddresses,
    version: i.version,
    commit: i.commit,
    rpc_protocol_version: i.rpcProtocolVersion,
    error: i.error,
    ipfs: encodeIpfsId(i.ipfs),
    peername: i.peername
  }
}

export function decodeId (value: unknown, path = ''): Id {
  const obj = readObject(value, path)
  return {
    id: required(obj, 'id', path, readPeerId),
    addresses: required(obj, 'addresses', path, readMultiaddrs),
    clusterPeers: required(obj, 'cluster_peers', path, readPeerIds),
    clusterPeersAddresses: required(obj, 'cluster_peers_addresses', path, readMultiaddrs),
    version: required(obj, 'version', path, readString),
    commit: required(obj, 'commit', path, readString),
    rpcProtocolVersion: required(obj, 'rpc_protocol_version', path, readString),
    error: required(obj, 'error', path, readString),
    ipfs: required(obj, 'ipfs', path, decodeIpfsId),
    peername: required(obj, 'peername', path, readString)
  }
}

export function encodeVersion (v: Version): JsonObject {
  return { version: v.version }
}

export function decodeVersion (value: unknown, path = ''): Version {
  const obj = readObject(value, path)
  return { version: required(obj, 'version', path, readString) }
}

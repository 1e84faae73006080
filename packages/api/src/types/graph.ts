/** ConnectGraph: who sees whom in the cluster and among the IPFS daemons. */
import type { PeerId } from '../peer-id.ts'
import { goMap } from '../json.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import { mapOrNull, peerIdKey, readBool, readObject, readPeerId, readString, required } from '../decode.ts'
import { readPeerIds } from './pin.ts'

export interface ConnectGraph {
  /** The peer that built the graph. */
  clusterId: PeerId
  idToPeername: Record<string, string> | null
  /** IPFS peer ID → IPFS peers it is connected to. */
  ipfsLinks: Record<string, PeerId[] | null> | null
  /** Cluster peer ID → cluster peers it sees (`[]` when unreachable). */
  clusterLinks: Record<string, PeerId[] | null> | null
  clusterTrustLinks: Record<string, boolean> | null
  /** Cluster peer ID → its IPFS peer ID (missing when the IPFS daemon errored). */
  clusterToIpfs: Record<string, PeerId> | null
}

function encodeMap<V extends JsonValue> (m: Record<string, V> | null): JsonValue {
  return m === null ? null : goMap(Object.entries(m))
}

export function encodeConnectGraph (g: ConnectGraph): JsonObject {
  return {
    cluster_id: g.clusterId,
    id_to_peername: encodeMap(g.idToPeername),
    ipfs_links: encodeMap(g.ipfsLinks),
    cluster_links: encodeMap(g.clusterLinks),
    cluster_trust_links: encodeMap(g.clusterTrustLinks),
    cluster_to_ipfs: encodeMap(g.clusterToIpfs)
  }
}

export function decodeConnectGraph (value: unknown, path = ''): ConnectGraph {
  const obj = readObject(value, path)
  return {
    clusterId: required(obj, 'cluster_id', path, readPeerId),
    idToPeername: required(obj, 'id_to_peername', path, mapOrNull(readString, peerIdKey)),
    ipfsLinks: required(obj, 'ipfs_links', path, mapOrNull(readPeerIds, peerIdKey)),
    clusterLinks: required(obj, 'cluster_links', path, mapOrNull(readPeerIds, peerIdKey)),
    clusterTrustLinks: required(obj, 'cluster_trust_links', path, mapOrNull(readBool, peerIdKey)),
    clusterToIpfs: required(obj, 'cluster_to_ipfs', path, mapOrNull(readPeerId, peerIdKey))
  }
}

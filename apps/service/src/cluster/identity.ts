/** A peer's identity as the API shows it (cluster-behaviour.md §10), from its libp2p host. */
import type { Id, PeerId } from '@cluster/api'
import { peerIdFromString } from '@libp2p/peer-id'
import type { ClusterHost } from './host.ts'
import type { IpfsIdentity } from './ping.ts'

/** Known addresses of these peers (`/…/p2p/<id>`), sorted. */
export async function memberAddresses (host: ClusterHost, peers: string[]): Promise<string[]> {
  const out: string[] = []
  for (const peer of peers) {
    const info = await host.peerStore.get(peerIdFromString(peer)).catch(() => undefined)
    for (const a of info?.addresses ?? []) out.push(`${a.multiaddr.toString()}/p2p/${peer}`)
  }
  return out.sort()
}

export interface IdentityFacts { version: string, rpcProtocolVersion: string, peername: string, ipfs: IpfsIdentity }

/** The ID object of the peer `self` with these members (addresses of the others per member, sorted). */
export async function identityOf (host: ClusterHost, self: PeerId, members: string[], facts: IdentityFacts): Promise<Id> {
  const others = members.filter(p => p !== self)
  const known = await Promise.all(others.map(async p => await memberAddresses(host, [p])))
  const { ipfs } = facts
  return {
    id: self,
    addresses: host.getMultiaddrs().map(a => a.toString()) as Id['addresses'],
    clusterPeers: members as PeerId[],
    clusterPeersAddresses: known.flat() as Id['clusterPeersAddresses'],
    version: facts.version,
    commit: '',
    rpcProtocolVersion: facts.rpcProtocolVersion,
    error: '',
    // The last call to Kubo failed: its error, no ID (the ping metric keeps the last good one).
    ipfs: ipfs.id === undefined || ipfs.error !== ''
      ? { id: undefined, addresses: null, error: ipfs.error }
      : { id: ipfs.id as PeerId, addresses: ipfs.addresses as Id['addresses'], error: '' },
    peername: facts.peername
  }
}

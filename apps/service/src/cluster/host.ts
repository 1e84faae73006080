import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { clusterGossipsubOptions } from '@cluster/blockstore'
import { preSharedKey } from '@cluster/pnet'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'

export type ClusterHost = Libp2p<{ pubsub: GossipSub, identify: unknown, ping: unknown }>

export interface HostOptions {
  privateKey: PrivateKey
  /** `cluster.listen_multiaddress`, e.g. `/ip4/0.0.0.0/tcp/9096`. */
  listen: string[]
  /** `cluster.secret`: 64 hex characters; the private-network key. Empty: no private network. */
  secret: string
  /** Known peers (`/…/p2p/<id>` multiaddrs) to put in the peerstore. */
  peers?: string[]
}

/**
 * The cluster's libp2p host: TCP, Noise, Yamux, the cluster secret as a private-network key
 * (peers with another secret cannot even finish the handshake), identify, ping and gossipsub
 * (bitswap is added on it by the CRDT consensus).
 */
export async function createHost (opts: HostOptions): Promise<ClusterHost> {
  const psk = opts.secret === '' ? undefined : swarmKey(opts.secret)
  const host = await createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: opts.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...(psk === undefined ? {} : { connectionProtector: preSharedKey({ psk }) }),
    services: {
      identify: identify(),
      ping: ping(),
      // Go's message IDs and signing on every topic, so Go peers and ours gossip the same IDs.
      pubsub: gossipsub({ ...clusterGossipsubOptions(), emitSelf: false })
    }
  })
  for (const addr of opts.peers ?? []) await rememberPeer(host, addr)
  return host
}

/** Adds a `/…/p2p/<id>` multiaddr to the peerstore (no dial). */
export async function rememberPeer (host: Libp2p, addr: string): Promise<string> {
  const ma = multiaddr(addr)
  const id = ma.getComponents().find(c => c.name === 'p2p')?.value
  if (id === undefined) throw new Error(`multiaddress does not contain peer ID: ${addr}`)
  const peerId = peerIdFromString(id)
  if (peerId.equals(host.peerId)) return id
  await host.peerStore.merge(peerId, { multiaddrs: [ma] })
  return id
}

/** The cluster secret as libp2p's swarm.key text (`/key/swarm/psk/1.0.0/`). */
export function swarmKey (secretHex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(secretHex)) throw new Error('cluster secret must be 32 bytes in hex (64 characters)')
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${secretHex.toLowerCase()}`)
}

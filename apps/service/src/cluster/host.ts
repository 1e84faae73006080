import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { clusterGossipsubOptions } from '@cluster/blockstore'
import { preSharedKey } from '@cluster/pnet'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import type { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { Registry } from 'prom-client'
import { withKeptSigner } from './signing-key.ts'

export type ClusterHost = Libp2p<{ pubsub: GossipSub, identify: unknown, ping: unknown }>

export interface HostOptions {
  privateKey: PrivateKey
  /** `cluster.listen_multiaddress`, e.g. `/ip4/0.0.0.0/tcp/9096`. */
  listen: string[]
  /** `cluster.secret`: 64 hex characters; the private-network key. Empty: no private network. */
  secret: string
  /**
   * Known peers (`/…/p2p/<id>` multiaddrs) to put in the peerstore. One that names no peer is
   * skipped and reported to `onWarning` (Go's peer manager skips it too).
   */
  peers?: string[]
  onWarning?: (message: string) => void
  /**
   * With stats on: libp2p's own metrics (connections, streams and bytes per protocol, dial
   * errors, ...) go to this registry, the one `/metrics` serves. Unset: no metrics at all.
   */
  metricsRegistry?: Registry | undefined
  /** Where `nodejs_fs_usage_bytes` looks (the data folder); default the working directory. */
  statfsLocation?: string
}

/**
 * The cluster's libp2p host: TCP, Noise, Yamux, the cluster secret as a private-network key
 * (peers with another secret cannot even finish the handshake), identify, ping and gossipsub
 * (bitswap is added on it by the CRDT consensus).
 */
export async function createHost (opts: HostOptions): Promise<ClusterHost> {
  const psk = opts.secret === '' ? undefined : swarmKey(opts.secret)
  const metrics = opts.metricsRegistry === undefined ? undefined : await libp2pMetrics(opts.metricsRegistry, opts.statfsLocation)
  const host = await createLibp2p({
    privateKey: withKeptSigner(opts.privateKey),
    addresses: { listen: opts.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...(psk === undefined ? {} : { connectionProtector: preSharedKey({ psk }) }),
    ...(metrics === undefined ? {} : { metrics }),
    services: {
      identify: identify(),
      ping: ping(),
      // Go's message IDs and signing on every topic, so Go peers and ours gossip the same IDs.
      pubsub: gossipsub({ ...clusterGossipsubOptions(), emitSelf: false })
    }
  })
  for (const addr of opts.peers ?? []) {
    // Nothing here may throw: the host listens already, and one left running would keep the
    // process alive after its start failed.
    try {
      await rememberPeer(host, addr)
    } catch (err) {
      opts.onWarning?.(`peer address ${addr} skipped: ${(err as Error).message}`)
    }
  }
  return host
}

/**
 * @libp2p/prometheus-metrics on our registry. Node's process metrics are already there (ClusterMetrics
 * collects them): collecting them twice would throw. It clears prom-client's global registry
 * and its own table of metrics when created (we use neither), so a second host in the same
 * process registers its metrics afresh in its own registry. Loaded only with metrics on.
 */
async function libp2pMetrics (registry: Registry, statfsLocation: string | undefined): Promise<ReturnType<typeof prometheusMetrics>> {
  const { prometheusMetrics } = await import('@libp2p/prometheus-metrics')
  return prometheusMetrics({ registry, collectDefaultMetrics: false, ...(statfsLocation === undefined ? {} : { statfsLocation }) })
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

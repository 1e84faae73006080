/** Clusters of real peers for tests: each peer with its own Kubo, short intervals. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { KuboDaemon, until } from '@cluster/test-utils'
import { ClusterPeer, type ClusterPeerOptions } from '../../src/cluster/index.ts'

export const SECRET = 'a'.repeat(64)

/** Short intervals so metrics, alerts and elections happen in test time. */
export function fastOptions (dir: string, kubo: KuboDaemon): Omit<ClusterPeerOptions, 'privateKey' | 'peername'> {
  return {
    secret: SECRET,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    dataDir: dir,
    raft: { heartbeatTimeoutMs: 300, waitForLeaderTimeoutMs: 20_000, commitRetries: 3, commitRetryDelayMs: 100 },
    monitorPingIntervalMs: 500,
    checkIntervalMs: 500,
    informerTtlMs: 5_000,
    ipfs: { nodeMultiaddress: kubo.apiMultiaddr, pinTimeoutMs: 10_000 },
    disableRepinning: false
  }
}

export interface PeerGroupOptions {
  dir: string
  /** Peer i's IPFS node (a Kubo, or another cluster's proxy); one peer each. */
  ipfsAddrs: string[]
  secret?: string
  /** Peer names are `<name><i>`. */
  name?: string
  replication?: [number, number]
  disableRepinning?: boolean
  informerTtlMs?: number
  pinTimeoutMs?: number
  /** Per-peer option changes (e.g. follower mode on one peer). */
  tweak?: (index: number) => Partial<ClusterPeerOptions>
}

/** Peers forming one Raft group from the start; resolves once every peer has every metric. */
export async function startPeerGroup (opts: PeerGroupOptions): Promise<ClusterPeer[]> {
  const n = opts.ipfsAddrs.length
  const name = opts.name ?? 'peer'
  const keys = await Promise.all(opts.ipfsAddrs.map(async () => await generateKeyPair('Ed25519')))
  const ids = keys.map(k => peerIdFromPrivateKey(k).toString())
  const peers: ClusterPeer[] = []
  try {
    for (let i = 0; i < n; i++) {
      const options: ClusterPeerOptions = {
        privateKey: keys[i]!,
        peername: `${name}${i}`,
        secret: opts.secret ?? SECRET,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        dataDir: join(opts.dir, `${name}${i}`),
        raft: { heartbeatTimeoutMs: 300, waitForLeaderTimeoutMs: 20_000, commitRetries: 3, commitRetryDelayMs: 100, initPeerset: ids },
        monitorPingIntervalMs: 500,
        checkIntervalMs: 500,
        informerTtlMs: opts.informerTtlMs ?? 5_000,
        ...(opts.replication === undefined ? {} : { replicationFactorMin: opts.replication[0], replicationFactorMax: opts.replication[1] }),
        ipfs: { nodeMultiaddress: opts.ipfsAddrs[i]!, pinTimeoutMs: opts.pinTimeoutMs ?? 10_000 },
        disableRepinning: opts.disableRepinning ?? false,
        ...opts.tweak?.(i)
      }
      peers.push(await ClusterPeer.start(options))
    }
    // Every host learns the others' addresses (the peerstore file does this in the service).
    for (const a of peers) for (const b of peers) if (a !== b) await a.host.peerStore.merge(b.host.peerId, { multiaddrs: b.host.getMultiaddrs() })
    await until(async () => peers.every(p => p.monitor.latest('freespace').length === n && p.monitor.latest('tag:group').length === n) ? true : undefined, `${name}: metrics from every peer`, 90_000)
  } catch (err) {
    await Promise.all(peers.map(async p => await p.stop()))
    throw err
  }
  return peers
}

export interface TestCluster {
  dir: string
  kubos: KuboDaemon[]
  peers: ClusterPeer[]
  stop: () => Promise<void>
}

/** `n` peers, each with its own new Kubo. */
export async function startCluster (n: number, prefix: string, opts: Partial<PeerGroupOptions> = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const kubos = await Promise.all(Array.from({ length: n }, async () => await KuboDaemon.start()))
  const cleanup = async (): Promise<void> => {
    await Promise.all(kubos.map(async k => await k.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
  let peers: ClusterPeer[]
  try {
    peers = await startPeerGroup({ ...opts, dir, ipfsAddrs: kubos.map(k => k.apiMultiaddr) })
  } catch (err) {
    await cleanup()
    throw err
  }
  return {
    dir,
    kubos,
    peers,
    stop: async () => {
      await Promise.all(peers.map(async p => await p.stop()))
      await cleanup()
    }
  }
}

/** Starting real cluster peers (apps/service ClusterPeer) in this process, each with a proxy. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { ClusterPeer } from '../../src/index.ts'
import { ipfsBinary } from '@cluster/test-utils'
import { startPeerGroup } from '../helpers/cluster.ts'
import { ProxyServer, type PeerRepoStat } from '@cluster/proxy'

const run = promisify(execFile)

export interface TestCluster {
  peers: ClusterPeer[]
  proxies: ProxyServer[]
  /** Proxy multiaddrs, one per peer (`/ip4/127.0.0.1/tcp/<port>`). */
  proxyAddrs: string[]
  stop: () => Promise<void>
}

/**
 * `ipfsAddrs[i]` is peer i's IPFS node (a Kubo, or another cluster's proxy). Intervals are short
 * so metrics and elections happen in test time. Every peer gets a proxy in front of its IPFS node.
 */
export async function startCluster (opts: { dir: string, secret: string, ipfsAddrs: string[], replication: [number, number], name: string }): Promise<TestCluster> {
  const peers = await startPeerGroup({ ...opts, informerTtlMs: 1_000, pinTimeoutMs: 20_000, disableRepinning: true })

  // ClusterApi has no repo/stat fan-out: every proxy asks each peer's own connector (what Go's
  // IPFSConnector.RepoStat RPC does), errors kept per peer.
  const repoStats = async (): Promise<Array<PeerRepoStat | Error>> =>
    await Promise.all(peers.map(async p => await p.connector.repoStat().catch((err: unknown) => err as Error)))
  const proxies = peers.map((p, i) => new ProxyServer(p, { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: opts.ipfsAddrs[i] as string }, { repoStats, stopGraceMs: 500 }))
  const proxyAddrs: string[] = []
  for (const proxy of proxies) proxyAddrs.push((await proxy.start()).multiaddr)
  return {
    peers,
    proxies,
    proxyAddrs,
    stop: async () => {
      await Promise.all(proxies.map(async p => await p.stop()))
      await Promise.all(peers.map(async p => await p.stop()))
    }
  }
}

/** The real `ipfs` CLI against an API multiaddr; resolves with stdout, rejects with stderr. */
export async function ipfsCli (api: string, args: string[], ipfsPath: string): Promise<string> {
  try {
    const { stdout } = await run(ipfsBinary(), ['--api', api, ...args], { env: { ...process.env, IPFS_PATH: ipfsPath, IPFS_TELEMETRY: 'off' }, timeout: 60_000 })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    throw new Error(`ipfs ${args.join(' ')}: ${e.stderr ?? e.message}`)
  }
}

/** Sorted tracker statuses of a CID across the cluster. */
export async function statuses (peer: ClusterPeer, cid: Parameters<ClusterPeer['status']>[0]): Promise<string> {
  const g = await peer.status(cid)
  return Object.values(g.peerMap ?? {}).map(s => s.status).sort().join(',')
}

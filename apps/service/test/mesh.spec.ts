/**
 * Peers connect to every member, not only to the peer they joined through: Raft links only the
 * leader to each follower, so without this a cluster is a star and losing its centre isolates
 * the others.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from '@cluster/test-utils'
import { ClusterPeer } from '../src/cluster/index.ts'
import { SECRET } from './helpers/cluster.ts'

function linked (a: ClusterPeer, b: ClusterPeer): boolean {
  return a.host.getConnections(b.host.peerId).length > 0 && b.host.getConnections(a.host.peerId).length > 0
}

function meshed (peers: ClusterPeer[]): boolean {
  return peers.every(a => peers.every(b => a === b || linked(a, b)))
}

describe('3 peers that only know the peer they bootstrapped from', () => {
  const peers: ClusterPeer[] = []
  let dir: string

  /** No Kubo (nothing listens on port 9): connectivity between cluster peers does not need one. */
  async function peer (name: string, bootstrap?: string[]): Promise<ClusterPeer> {
    const p = await ClusterPeer.start({
      secret: SECRET, listen: ['/ip4/127.0.0.1/tcp/0'], dataDir: join(dir, name), peername: name,
      privateKey: await generateKeyPair('Ed25519'),
      raft: { heartbeatTimeoutMs: 300, waitForLeaderTimeoutMs: 20_000 },
      monitorPingIntervalMs: 500, checkIntervalMs: 500, informerTtlMs: 5_000,
      ipfs: { nodeMultiaddress: '/ip4/127.0.0.1/tcp/9', ipfsRequestTimeoutMs: 2_000, pinTimeoutMs: 2_000 },
      ...(bootstrap === undefined ? {} : { bootstrap })
    })
    peers.push(p)
    return p
  }

  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'mesh-')) })
  afterAll(async () => {
    await Promise.all(peers.map(async p => await p.stop()))
    rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it('end fully meshed, and the other two stay connected when that peer dies', async () => {
    const hub = await peer('hub')
    await hub.consensus.waitForLeader()
    const addr = hub.host.getMultiaddrs()[0]!.toString()
    const a = await peer('a', [addr])
    const b = await peer('b', [addr])
    const all = [hub, a, b]
    await until(() => all.every(p => p.peerset().length === 3) ? true : undefined, 'every peer to see the 3 members')

    await until(() => meshed(all) ? true : undefined, 'a connection between every two peers', 20_000)
    const graph = await a.connectGraph()
    for (const p of all) {
      const others = all.filter(q => q !== p).map(q => q.peerId).sort()
      expect([...graph.clusterLinks[p.peerId] ?? []].sort()).toEqual(others)
    }

    await hub.stop()
    await until(() => a.peerset().length === 3 && linked(a, b) ? true : undefined, 'a and b connected without the hub', 10_000)
    // A connection that drops is dialled again.
    await a.host.hangUp(b.host.peerId)
    await until(() => linked(a, b) ? true : undefined, 'a and b connected again after a hang-up', 15_000)
    const after = await b.connectGraph()
    expect(after.clusterLinks[a.peerId]).toContain(b.peerId)
    expect(after.clusterLinks[b.peerId]).toContain(a.peerId)
  }, 90_000)
})

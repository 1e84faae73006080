import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeAddParams, defaultPinOptions, parseCid, PinNotFoundError, type GlobalPinInfo } from '@cluster/api'
import { KuboDaemon, multipart, until } from '@cluster/test-utils'
import { ClusterPeer, FollowerModeError } from '../src/cluster/index.ts'
import { fastOptions, SECRET, startCluster } from './helpers/cluster.ts'

function statuses (g: GlobalPinInfo): string[] {
  return Object.values(g.peerMap ?? {}).map(s => s.status).sort()
}

describe('a 3-peer cluster, each peer with its own Kubo', () => {
  let kubos: KuboDaemon[] = []
  let peers: ClusterPeer[] = []
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined

  beforeAll(async () => {
    cluster = await startCluster(3, 'cluster-')
    kubos = cluster.kubos
    peers = cluster.peers
  }, 120_000)

  afterAll(async () => { await cluster?.stop() }, 60_000)

  it('pins with replication factor 2: two peers pin it in Kubo, the third reports remote', async () => {
    const form = new FormData()
    form.append('file', new Blob([`cluster content ${Date.now()}`]))
    const { Key } = await (kubos[0] as KuboDaemon).rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)
    const cid = parseCid(Key)

    const pin = await (peers[1] as ClusterPeer).pin(cid, { ...defaultPinOptions(), name: 'two copies', replicationFactorMin: 2, replicationFactorMax: 2 })
    expect(pin.allocations).toHaveLength(2)
    const status = await until(async () => {
      const s = await (peers[2] as ClusterPeer).status(cid)
      return statuses(s).join() === 'pinned,pinned,remote' ? s : undefined
    }, 'pinned on both allocations')
    expect(status.name).toBe('two copies')
    for (const allocated of pin.allocations ?? []) {
      const i = peers.findIndex(p => p.peerId === allocated)
      const listed = await (kubos[i] as KuboDaemon).rpc<{ Keys: Record<string, unknown> }>('pin/ls', { arg: Key })
      expect(Object.keys(listed.Keys)).toHaveLength(1)
    }

    const all = []
    for await (const g of (peers[0] as ClusterPeer).statusAll(0)) all.push(g)
    expect(all.map(g => g.cid.toString())).toContain(Key)

    await (peers[0] as ClusterPeer).unpin(cid)
    await until(async () => statuses(await (peers[0] as ClusterPeer).status(cid)).every(s => s === 'unpinned') ? true : undefined, 'unpinned everywhere')
    await expect((peers[0] as ClusterPeer).allocation(cid)).rejects.toBeInstanceOf(PinNotFoundError)
  }, 90_000)

  it('allocates as asked: user allocations, rf_max capped by the peers there are, a clear error when too few, everywhere', async () => {
    const cids = []
    for (let i = 0; i < 4; i++) {
      const form = new FormData()
      form.append('file', new Blob([`allocation scenario ${i} ${Date.now()}`]))
      cids.push(parseCid((await (kubos[0] as KuboDaemon).rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key))
    }
    const [third, second] = [(peers[2] as ClusterPeer).peerId, (peers[1] as ClusterPeer).peerId]
    const chosen = await (peers[0] as ClusterPeer).pin(cids[0]!, { ...defaultPinOptions(), replicationFactorMin: 1, replicationFactorMax: 2, userAllocations: [third, second] })
    // Both asked-for peers are chosen (the allocator still orders them by their metrics).
    expect([...(chosen.allocations ?? [])].sort()).toEqual([third, second].sort())

    // rf_max above the peer count: every peer, and rf_min is met.
    const wide = await (peers[0] as ClusterPeer).pin(cids[1]!, { ...defaultPinOptions(), replicationFactorMin: 2, replicationFactorMax: 10 })
    expect([...(wide.allocations ?? [])].sort()).toEqual(peers.map(p => p.peerId).sort())
    await until(async () => statuses(await (peers[0] as ClusterPeer).status(cids[1]!)).join() === 'pinned,pinned,pinned' ? true : undefined, 'pinned on all three')

    await expect((peers[0] as ClusterPeer).pin(cids[2]!, { ...defaultPinOptions(), replicationFactorMin: 4, replicationFactorMax: 5 }))
      .rejects.toThrow('not enough peers to allocate CID. Needed at least: 4. Wanted at most: 5. Available candidates: 3. See logs for more info.')
    await expect((peers[0] as ClusterPeer).allocation(cids[2]!)).rejects.toBeInstanceOf(PinNotFoundError)

    // Everywhere (-1): no allocations stored, every peer pins it.
    const everywhere = await (peers[1] as ClusterPeer).pin(cids[3]!, { ...defaultPinOptions(), replicationFactorMin: -1, replicationFactorMax: -1 })
    expect(everywhere.allocations).toEqual([])
    await until(async () => statuses(await (peers[2] as ClusterPeer).status(cids[3]!)).join() === 'pinned,pinned,pinned' ? true : undefined, 'pinned everywhere')
  }, 60_000)

  it('lists every peer with its IPFS identity', async () => {
    const ids = []
    for await (const id of (peers[0] as ClusterPeer).peers()) ids.push(id)
    expect(ids.map(i => i.peername).sort()).toEqual(['peer0', 'peer1', 'peer2'])
    expect(ids.every(i => i.error === '' && i.ipfs.id !== undefined)).toBe(true)
    expect(ids[0]?.clusterPeers).toHaveLength(3)
  })
})

describe('follower mode', () => {
  it('refuses writes on the follower, which still follows the pinset and reports only itself', async () => {
    const cluster = await startCluster(2, 'follower-', { tweak: i => i === 1 ? { followerMode: true } : {} })
    try {
      const [leader, follower] = cluster.peers as [ClusterPeer, ClusterPeer]
      const form = new FormData()
      form.append('file', new Blob([`follower mode ${Date.now()}`]))
      const cid = parseCid((await (cluster.kubos[0] as KuboDaemon).rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key)
      const refused = 'this peer is configured to be in follower mode. Write operations are disabled'
      await expect(follower.pin(cid, defaultPinOptions())).rejects.toThrow(refused)
      await expect(follower.pin(cid, defaultPinOptions())).rejects.toBeInstanceOf(FollowerModeError)
      await expect(follower.pinPath(`/ipfs/${cid.toString()}`, defaultPinOptions())).rejects.toThrow(refused)

      await leader.pin(cid, { ...defaultPinOptions(), name: 'from the leader' })
      await until(async () => follower.consensus.state.get(cid)?.name === 'from the leader' ? true : undefined, 'the follower to apply the pin')
      await expect(follower.unpin(cid)).rejects.toThrow(refused)
      const upload = multipart([{ name: 'x.txt', content: 'x' }])
      const add = async (): Promise<void> => { for await (const _ of follower.add({ contentType: upload.contentType, body: [upload.body] }, decodeAddParams(new URLSearchParams()))) { /* nothing */ } }
      await expect(add()).rejects.toThrow(refused)

      const mine = await until(async () => {
        const s = await follower.status(cid)
        return s.peerMap?.[follower.peerId]?.status === 'pinned' ? s : undefined
      }, 'pinned on the follower')
      expect(Object.keys(mine.peerMap ?? {})).toEqual([follower.peerId])
      expect(Object.keys((await leader.status(cid)).peerMap ?? {}).sort()).toEqual([leader.peerId, follower.peerId].sort())
    } finally {
      await cluster.stop()
    }
  }, 90_000)
})

describe('joining and leaving', () => {
  const kubos: KuboDaemon[] = []
  const peers: ClusterPeer[] = []
  let dir: string

  beforeAll(async () => { dir = mkdtempSync(join(tmpdir(), 'join-')) })
  afterAll(async () => {
    await Promise.all(peers.map(async p => await p.stop()))
    await Promise.all(kubos.map(async k => await k.stop()))
    rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  async function peer (i: number, secret: string, bootstrap?: string[]): Promise<ClusterPeer> {
    const kubo = await KuboDaemon.start()
    kubos.push(kubo)
    const p = await ClusterPeer.start({
      ...fastOptions(join(dir, `peer${i}`), kubo), secret, privateKey: await generateKeyPair('Ed25519'), peername: `peer${i}`,
      ...(bootstrap === undefined ? {} : { bootstrap })
    })
    peers.push(p)
    return p
  }

  it('a peer joins with --bootstrap and is removed again; a peer with another secret cannot join', async () => {
    const first = await peer(0, SECRET)
    await first.consensus.waitForLeader()
    const addr = `${first.host.getMultiaddrs()[0]?.toString() ?? ''}`
    const second = await peer(1, SECRET, [addr])
    expect(first.peerset().sort()).toEqual([first.peerId, second.peerId].sort())
    await until(async () => second.peerset().length === 2 ? true : undefined, 'the joiner to see both members')

    await expect(peer(2, 'b'.repeat(64), [addr])).rejects.toThrow()
    expect(first.peerset()).toHaveLength(2)

    await first.peerRemove(second.peerId)
    expect(first.peerset()).toEqual([first.peerId])
  }, 120_000)
})

describe('a peer whose Kubo dies while it runs', () => {
  it('keeps serving, keeps its pinset, and reports the new pins as pin_error with the reason', async () => {
    const cluster = await startCluster(1, 'kubo-dies-')
    try {
      const [peer] = cluster.peers as [ClusterPeer]
      const kubo = cluster.kubos[0] as KuboDaemon
      const form = new FormData()
      form.append('file', new Blob([`before the crash ${Date.now()}`]))
      const pinned = parseCid((await kubo.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key)
      await peer.pin(pinned, { ...defaultPinOptions(), name: 'kept' })
      await until(async () => (await peer.status(pinned)).peerMap?.[peer.peerId]?.status === 'pinned' ? true : undefined, 'pinned before the crash')

      await kubo.kill()
      const later = parseCid('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS')
      await peer.pin(later, { ...defaultPinOptions(), name: 'after the crash' })
      const failed = await until(async () => {
        const mine = (await peer.status(later)).peerMap?.[peer.peerId]
        return mine?.status === 'pin_error' ? mine : undefined
      }, 'pin_error once Kubo is gone')
      expect(failed.error).not.toBe('')
      const id = await until(async () => { const i = await peer.id(); return i.ipfs.error !== '' ? i : undefined }, 'the IPFS error in the ID')
      expect(id.ipfs.id).toBeUndefined()
      expect((await peer.allocation(pinned)).name).toBe('kept')
      expect((await peer.allocation(later)).name).toBe('after the crash')
    } finally {
      await cluster.stop()
    }
  }, 90_000)
})

describe('a peer whose Kubo is down', () => {
  it('starts, reports the IPFS error in its ID, and marks pins pin_error instead of crashing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deadkubo-'))
    const peer = await ClusterPeer.start({
      secret: SECRET, listen: ['/ip4/127.0.0.1/tcp/0'], dataDir: join(dir, 'raft'), peername: 'lonely',
      privateKey: await generateKeyPair('Ed25519'),
      raft: { heartbeatTimeoutMs: 300, waitForLeaderTimeoutMs: 20_000 },
      monitorPingIntervalMs: 500, checkIntervalMs: 500, informerTtlMs: 5_000,
      // Nothing listens on port 9 of loopback: connection refused.
      ipfs: { nodeMultiaddress: '/ip4/127.0.0.1/tcp/9', ipfsRequestTimeoutMs: 2_000, pinTimeoutMs: 2_000 }
    })
    try {
      await peer.consensus.waitForLeader()
      const id = await until(async () => {
        const i = await peer.id()
        return i.ipfs.error !== '' && i.ipfs.error !== 'not contacted yet' ? i : undefined
      }, 'the IPFS error to show')
      expect(id.ipfs.id).toBeUndefined()
      const cid = parseCid('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS')
      await peer.pin(cid, { ...defaultPinOptions(), name: 'no kubo' })
      const status = await until(async () => {
        const s = await peer.status(cid)
        const mine = s.peerMap?.[peer.peerId]
        return mine?.status === 'pin_error' ? mine : undefined
      }, 'pin_error')
      expect(status.error).not.toBe('')
    } finally {
      await peer.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { clusterGossipsubOptions } from '@cluster/blockstore'
import { defaultPinOptions, Timestamp, type Pin } from '@cluster/api'
import { CrdtConsensus, type CrdtConsensusInit } from '@cluster/consensus'
import { loopbackNode, syntheticCid, until } from '@cluster/test-utils'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from './helpers.ts'

type Host = Libp2p<{ pubsub: GossipSub, identify: unknown }>

function pin (i: number, name = `crdt-${i}`): Pin {
  return {
    ...defaultPinOptions(), name, replicationFactorMin: -1, replicationFactorMax: -1,
    cid: syntheticCid(i), type: 'pin', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.fromUnixMillis(1_750_000_000_000 + i)
  }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c().catch(() => {}) })

interface Peer { host: Host, consensus: CrdtConsensus, tracked: string[], untracked: string[] }

async function host (): Promise<Host> {
  const h = await loopbackNode<{ pubsub: GossipSub, identify: unknown }>({ identify: identify(), pubsub: gossipsub({ ...clusterGossipsubOptions(), emitSelf: false }) })
  cleanups.push(async () => { await h.stop() })
  return h
}

async function peer (h: Host, dataDir: string, init: Partial<CrdtConsensusInit> = {}): Promise<Peer> {
  const tracked: string[] = []
  const untracked: string[] = []
  const consensus = new CrdtConsensus({
    id: h.peerId.toString(),
    dataDir,
    libp2p: h,
    config: { rebroadcastIntervalMs: 1_000, clusterName: 'crdt-consensus-test' },
    hooks: { onPin: p => tracked.push(p.cid.toString()), onUnpin: p => untracked.push(p.cid.toString()) },
    ...init
  })
  cleanups.push(async () => { await consensus.shutdown() })
  await consensus.start()
  return { host: h, consensus, tracked, untracked }
}

async function connect (a: Peer, b: Peer): Promise<void> {
  await b.host.dial(a.host.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) })
}

describe('CRDT consensus', () => {
  it('a pin written on one peer reaches the other peers\' pinsets and trackers; unpins too', async () => {
    const a = await peer(await host(), tempDir())
    const b = await peer(await host(), tempDir())
    await connect(a, b)
    await a.consensus.logPin(pin(1))
    expect(a.consensus.state.get(syntheticCid(1))?.name).toBe('crdt-1')
    await until(() => b.consensus.state.get(syntheticCid(1)), 'the pin on B', 20_000)
    expect(b.tracked).toContain(syntheticCid(1).toString())

    await b.consensus.logPin(pin(2))
    await until(() => a.consensus.state.get(syntheticCid(2)), 'B\'s pin on A', 20_000)
    await a.consensus.logUnpin(pin(1))
    expect(a.consensus.state.get(syntheticCid(1))).toBeUndefined()
    await until(() => b.consensus.state.get(syntheticCid(1)) === undefined ? true : undefined, 'the unpin on B', 20_000)
    expect(b.untracked).toContain(syntheticCid(1).toString())
    expect(b.consensus.state.count()).toBe(1)
  })

  it('a peer started later catches up from the heads it hears (rebroadcasts), including a batch', async () => {
    const a = await peer(await host(), tempDir())
    for (let i = 0; i < 20; i++) await a.consensus.logPin(pin(100 + i))
    for await (const group of a.consensus.logBatch(Array.from({ length: 200 }, (_, i) => ({ type: 'pin' as const, pin: pin(1000 + i) })))) expect(group.error).toBeUndefined()
    expect(a.consensus.state.count()).toBe(220)
    const late = await peer(await host(), tempDir())
    await connect(a, late)
    await until(() => late.consensus.state.count() === 220 ? true : undefined, 'the late peer has every pin', 30_000)
    expect(late.consensus.state.get(syntheticCid(1199))?.name).toBe('crdt-1199')
  })

  it('a pin and its unpin merged together (one commit group) leave neither in the view nor tracked', async () => {
    const a = await peer(await host(), tempDir())
    const b = await peer(await host(), tempDir())
    await connect(a, b)
    await a.consensus.logPin(pin(299))
    await until(() => b.consensus.state.get(syntheticCid(299)), 'B hears A', 20_000)
    // Each pair reaches B within a few ms, inside one merge commit group: B's view used to take
    // the pin and miss its unpin (the delete looked for the pin in the view before the view had it).
    for (let i = 0; i < 20; i++) {
      await a.consensus.logPin(pin(300 + i))
      await a.consensus.logUnpin(pin(300 + i))
    }
    await a.consensus.logPin(pin(400))
    const listed = (p: Peer): string[] => [...p.consensus.state.list()].map(x => x.cid.toString()).sort()
    await until(() => b.consensus.state.get(syntheticCid(400)), 'B has the last pin', 20_000)
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(listed(b)).toEqual(listed(a))
    expect(b.tracked.filter(cid => !b.untracked.includes(cid)).sort()).toEqual(listed(a))
  })

  it('a peer that joins or comes back gets the heads when it subscribes, long before a rebroadcast', async () => {
    const slow = { config: { rebroadcastIntervalMs: 600_000, clusterName: 'crdt-consensus-test' } }
    const a = await peer(await host(), tempDir(), slow)
    for (let i = 0; i < 20; i++) await a.consensus.logPin(pin(300 + i))
    const dir = tempDir()
    const late = await peer(await host(), dir, slow)
    await connect(a, late)
    await until(() => late.consensus.state.count() === 20 ? true : undefined, 'the late peer has every pin', 10_000)
    // It stops; writes go on without it; it comes back (a new host, the same data folder).
    await late.consensus.shutdown()
    await late.host.stop()
    for (let i = 20; i < 40; i++) await a.consensus.logPin(pin(300 + i))
    const back = await peer(await host(), dir, slow)
    expect(back.consensus.state.count()).toBe(20)
    await connect(a, back)
    await until(() => back.consensus.state.count() === 40 ? true : undefined, 'the returning peer has every pin', 10_000)
  })

  it('broadcasts from untrusted peers are ignored; trusting the writer later lets its heads in', async () => {
    const ha = await host()
    const hb = await host()
    const a = await peer(ha, tempDir(), { config: { rebroadcastIntervalMs: 500, clusterName: 'crdt-consensus-test', trustedPeers: [] } })
    const b = await peer(hb, tempDir(), { config: { rebroadcastIntervalMs: 500, clusterName: 'crdt-consensus-test', trustedPeers: [ha.peerId.toString()] } })
    await connect(a, b)
    await b.consensus.logPin(pin(7))
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect(a.consensus.state.get(syntheticCid(7))).toBeUndefined()
    a.consensus.trust(hb.peerId.toString())
    await until(() => a.consensus.state.get(syntheticCid(7)), 'B\'s pin once B is trusted', 20_000)
    // A is trusted by B from the start.
    await a.consensus.logPin(pin(8))
    await until(() => b.consensus.state.get(syntheticCid(8)), 'A\'s pin on B', 20_000)
  })

  it('has no leader, cannot remove peers, takes its peerset from metrics (sorted by ID bytes)', async () => {
    const h = await host()
    const others = ['12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR', 'QmPSoSaPXpyunaBwHs1rZBKYSqRV4bLRk32VGHTuuuuvXq']
    const c = await peer(h, tempDir(), { members: () => others })
    expect(() => c.consensus.leader()).toThrow('crdt consensus component does not provide a leader')
    await expect(c.consensus.rmPeer(others[0]!)).rejects.toThrow('crdt consensus component cannot remove peers')
    await c.consensus.addPeer(others[0]!)
    const peers = c.consensus.peers()
    expect(new Set(peers)).toEqual(new Set([h.peerId.toString(), ...others]))
    // RSA (Qm…, sha2-256 multihash 0x12) sorts before Ed25519 identity multihashes (0x00).
    expect(peers.indexOf('QmPSoSaPXpyunaBwHs1rZBKYSqRV4bLRk32VGHTuuuuvXq')).toBeGreaterThan(peers.indexOf(others[0]!))
  })

  it('batching: writes are answered once journaled, and go out in deltas of max_batch_size, the rest after max_batch_age', async () => {
    const c = await peer(await host(), tempDir(), { config: { clusterName: 'crdt-consensus-test', maxBatchSize: 50, maxBatchAgeMs: 300 } })
    const before = c.consensus.replica.info().maxHeight
    await Promise.all(Array.from({ length: 120 }, async (_, i) => { await c.consensus.logPin(pin(300 + i)) }))
    // Two full deltas of 50 at once; the 20 left wait for max_batch_age.
    await until(() => c.consensus.state.count() === 120 ? true : undefined, 'the last batch', 10_000)
    expect(c.consensus.replica.info().maxHeight - before).toBe(3)
  })

  it('batching: a lone writer is answered at once and its pins share one delta, as in Go', async () => {
    const dir = tempDir()
    const c = await peer(await host(), dir, { config: { clusterName: 'crdt-consensus-test', maxBatchSize: 100, maxBatchAgeMs: 1_500 } })
    const before = c.consensus.replica.info().maxHeight
    for (let i = 0; i < 3; i++) await c.consensus.logPin(pin(700 + i))
    // Answered, not yet committed: the batch is open until max_batch_age.
    expect(c.consensus.state.count()).toBe(0)
    await until(() => c.consensus.state.count() === 3 ? true : undefined, 'the batch', 10_000)
    expect(c.consensus.replica.info().maxHeight - before).toBe(1)
    // An unpin in the next batch; shutdown commits what is queued.
    await c.consensus.logUnpin(pin(700))
    await c.consensus.shutdown()
    const again = new CrdtConsensus({ id: c.host.peerId.toString(), dataDir: dir, config: { clusterName: 'crdt-consensus-test' } })
    cleanups.push(async () => { await again.shutdown() })
    expect(again.state.count()).toBe(2)
  })

  it('batching: writes answered before a kill -9 are committed at the next start', async () => {
    const dir = tempDir()
    const h = await host()
    // A peer process that answers 20 pins with the batch still open (max_batch_age 10 min), then dies.
    const program = `
import { CrdtConsensus } from '@cluster/consensus'
import { defaultPinOptions, Timestamp } from '@cluster/api'
import { syntheticCid } from '@cluster/test-utils'
const c = new CrdtConsensus({ id: ${JSON.stringify(h.peerId.toString())}, dataDir: ${JSON.stringify(dir)}, config: { clusterName: 't', maxBatchSize: 100, maxBatchAgeMs: 600000 } })
await c.start()
for (let i = 0; i < 20; i++) {
  await c.logPin({ ...defaultPinOptions(), name: 'j' + i, replicationFactorMin: -1, replicationFactorMax: -1, cid: syntheticCid(900 + i), type: 'pin', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.fromUnixMillis(1_750_000_000_000) })
}
process.stdout.write('answered ' + c.state.count() + '\\n')
process.kill(process.pid, 'SIGKILL')
`
    const child = spawnSync(process.execPath, ['--conditions=source', '--input-type=module', '-e', program], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8', timeout: 60_000 })
    expect(child.signal, child.stderr).toBe('SIGKILL')
    expect(child.stdout.trim()).toBe('answered 0')
    const logs: string[] = []
    const again = new CrdtConsensus({ id: h.peerId.toString(), dataDir: dir, config: { clusterName: 't' }, log: (_l, m) => logs.push(m) })
    cleanups.push(async () => { await again.shutdown() })
    await again.start()
    expect(logs).toContain('committing 20 batched pin writes answered before an unclean stop')
    expect(again.state.count()).toBe(20)
    expect(again.state.get(syntheticCid(919))?.name).toBe('j19')
  })

  it('batching: a damaged journal is moved aside with a warning, and batching goes on with a new one', async () => {
    const dir = tempDir()
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(dir, 'batching.sqlite'), 'not a database '.repeat(300))
    const logs: string[] = []
    const c = await peer(await host(), dir, { config: { clusterName: 'crdt-consensus-test', maxBatchSize: 2, maxBatchAgeMs: 200 }, log: (_l, m) => logs.push(m) })
    expect(logs.some(m => m.startsWith('the batching journal') && m.includes('moved to'))).toBe(true)
    await c.consensus.logPin(pin(950))
    await c.consensus.logPin(pin(951))
    await until(() => c.consensus.state.count() === 2 ? true : undefined, 'the batch', 10_000)
  })

  it('after a crash the view is rebuilt from the CRDT; a damaged view file is moved aside and rebuilt', async () => {
    const dir = tempDir()
    const h = await host()
    const first = new CrdtConsensus({ id: h.peerId.toString(), dataDir: dir, config: { clusterName: 'crdt-consensus-test' } })
    for (let i = 0; i < 30; i++) await first.logPin(pin(500 + i))
    // A crash: the view file is copied as it is while the peer runs (marked open), never closed cleanly.
    copyFileSync(join(dir, 'pinset.sqlite'), join(dir, 'crashed.sqlite'))
    await first.shutdown()
    copyFileSync(join(dir, 'crashed.sqlite'), join(dir, 'pinset.sqlite'))
    const logs: string[] = []
    const again = new CrdtConsensus({ id: h.peerId.toString(), dataDir: dir, config: { clusterName: 'crdt-consensus-test' }, log: (_l, m) => logs.push(m) })
    cleanups.push(async () => { await again.shutdown() })
    expect(logs.some(m => m.includes('pinset view rebuilt'))).toBe(true)
    expect(again.state.count()).toBe(30)
    await again.shutdown()

    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(dir, 'pinset.sqlite'), 'this is not a database, just garbage '.repeat(200))
    const logs2: string[] = []
    const third = new CrdtConsensus({ id: h.peerId.toString(), dataDir: dir, config: { clusterName: 'crdt-consensus-test' }, log: (_l, m) => logs2.push(m) })
    cleanups.push(async () => { await third.shutdown() })
    expect(logs2.some(m => m.includes('damaged'))).toBe(true)
    expect(third.state.get(syntheticCid(529))?.name).toBe('crdt-529')
  })

  it('the view skips fsync and the WAL while the peer runs (rebuilt after any crash) and is synced before it is marked clean', async () => {
    const dir = tempDir()
    const h = await host()
    const consensus = new CrdtConsensus({ id: h.peerId.toString(), dataDir: dir, config: { clusterName: 'crdt-consensus-test' } })
    cleanups.push(async () => { await consensus.shutdown() })
    const db = (consensus.state as unknown as { db: { pragma: (p: string, o: { simple: true }) => number | string } }).db
    expect(db.pragma('synchronous', { simple: true })).toBe(0)
    expect(db.pragma('journal_mode', { simple: true })).toBe('memory')
    expect(existsSync(join(dir, 'pinset.sqlite-wal'))).toBe(false)
    await consensus.logPin(pin(900))
    consensus.state.syncToDisk()
    expect(db.pragma('synchronous', { simple: true })).toBe(2)
    await consensus.shutdown()
    const again = new CrdtConsensus({ id: h.peerId.toString(), dataDir: dir, config: { clusterName: 'crdt-consensus-test' } })
    cleanups.push(async () => { await again.shutdown() })
    expect(again.state.get(syntheticCid(900))?.name).toBe('crdt-900')
  })
})

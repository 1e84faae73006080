/**
 * A full disk, in both consensus modes: writes are refused with a 503 (StorageUnavailableError)
 * while it lasts, the peer keeps running, and once there is room again it writes as before with
 * every acknowledged pin kept. The disk fills for real as far as SQLite can tell: each file's
 * `max_page_count` is set to its size (SQLite then answers SQLITE_FULL, "database or disk is
 * full", as for a full file system).
 */
import type Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { defaultPinOptions, Timestamp, type Pin } from '@cluster/api'
import { MemoryNetwork } from '@cluster/raft/node'
import { CrdtConsensus, RaftConsensus, StorageUnavailableError } from '@cluster/consensus'
import { clusterGossipsubOptions } from '@cluster/blockstore'
import { loopbackNode, syntheticCid } from '@cluster/test-utils'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tempDir, track, until } from './helpers.ts'

function pin (i: number): Pin {
  return {
    ...defaultPinOptions(), name: `p${i}`, replicationFactorMin: -1, replicationFactorMax: -1,
    cid: syntheticCid(i), type: 'pin', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.fromUnixMillis(1_750_000_000_000 + i)
  }
}

/** The SQLite connections behind a consensus (reached into: a test of the disk, not of an API). */
function files (c: object): Database.Database[] {
  const inner = c as { storage?: { db: Database.Database }, store?: { db: Database.Database }, blockstore?: { db?: Database.Database }, state: object }
  return [inner.storage?.db, inner.store?.db, inner.blockstore?.db, (inner.state as { db: Database.Database }).db]
    .filter((db): db is Database.Database => db !== undefined)
}

/** No file may grow any more (`full`), or they may again; `except` the block store. */
function fill (c: object, full: boolean, except?: 'blocks'): void {
  const blocks = (c as { blockstore?: { db?: Database.Database } }).blockstore?.db
  for (const db of files(c)) {
    if (except === 'blocks' && db === blocks) continue
    db.pragma(`max_page_count = ${full ? String(db.pragma('page_count', { simple: true })) : '1073741823'}`)
  }
}

/** Pins from `from` on until one is refused; returns the first refused (every earlier one was acknowledged). */
async function pinUntilRefused (c: CrdtConsensus | RaftConsensus, from: number): Promise<{ refused: number, err: unknown }> {
  for (let i = from; i < from + 500; i++) {
    try {
      await c.logPin(pin(i))
    } catch (err) {
      return { refused: i, err }
    }
  }
  throw new Error('the disk never filled')
}

describe('a full disk', () => {
  it('crdt: writes are refused with a 503 while it is full, and go through again once there is room; nothing acknowledged is lost', async () => {
    const dir = tempDir()
    const logs: string[] = []
    const c = new CrdtConsensus({ id: '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR', dataDir: dir, config: { clusterName: 't' }, log: (_l, m) => logs.push(m) })
    await c.start()
    try {
      await c.logPin(pin(0))
      fill(c, true)
      const { refused, err } = await pinUntilRefused(c, 1)
      expect(err).toBeInstanceOf(StorageUnavailableError)
      expect(err).toMatchObject({ httpStatus: 503 })
      expect((err as Error).message).toMatch(/cannot write to its disk.*(database or disk is full|SQLITE_FULL)/)
      fill(c, false)
      await c.logPin(pin(refused))
      await until(() => c.state.get(syntheticCid(refused)) !== undefined, 'the pin refused before, now in the view')
      for (let i = 0; i <= refused; i++) expect(c.state.get(syntheticCid(i))?.name).toBe(`p${i}`)
    } finally {
      await c.shutdown()
    }
  })

  it('crdt: a pinset view that cannot be written catches up once it can; the peer goes on, and a stop meanwhile rebuilds it at the next start', async () => {
    const dir = tempDir()
    const logs: string[] = []
    const id = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
    const c = new CrdtConsensus({ id, dataDir: dir, config: { clusterName: 't' }, log: (_l, m) => logs.push(m) })
    await c.start()
    const view = (c.state as unknown as { db: Database.Database }).db
    const full = String(view.pragma('page_count', { simple: true }))
    view.pragma(`max_page_count = ${full}`)
    // The CRDT store takes the pins (acknowledged); the view falls behind.
    for (let i = 0; i < 200; i++) await c.logPin(pin(i))
    await until(() => logs.some(m => m.startsWith('the pinset view could not be written')), 'the view to fail')
    expect(c.state.get(syntheticCid(199))).toBeUndefined()
    view.pragma('max_page_count = 1073741823')
    await until(() => c.state.get(syntheticCid(199)) !== undefined, 'the view to catch up', 10_000)
    expect(logs).toContain('the pinset view is written again')
    for (let i = 0; i < 200; i++) expect(c.state.get(syntheticCid(i))?.name).toBe(`p${i}`)

    // Behind again when the peer stops: the next start rebuilds the view from the store.
    view.pragma(`max_page_count = ${String(view.pragma('page_count', { simple: true }))}`)
    for (let i = 200; i < 400; i++) await c.logPin(pin(i))
    await c.shutdown()
    const again = new CrdtConsensus({ id, dataDir: dir, config: { clusterName: 't' }, log: (_l, m) => logs.push(m) })
    try {
      await again.start()
      for (let i = 0; i < 400; i++) expect(again.state.get(syntheticCid(i))?.name).toBe(`p${i}`)
    } finally {
      await again.shutdown()
    }
  })

  // (With the block store full too, a block fetched over bitswap that could not be stored leaves
  // its fetch waiting for its timeout, 2 minutes, before the walk fails and is repaired.)
  it('crdt: a peer whose store and view are full misses the others\' writes while they are, and converges once there is room', async () => {
    const hosts = await Promise.all([0, 1].map(async () => await loopbackNode<{ pubsub: GossipSub, identify: unknown }>({ identify: identify(), pubsub: gossipsub({ ...clusterGossipsubOptions(), emitSelf: false }) })))
    const logs: string[] = []
    const [a, b] = hosts.map((h, i) => new CrdtConsensus({
      id: h.peerId.toString(), dataDir: tempDir(), libp2p: h, config: { clusterName: 'disk-full', rebroadcastIntervalMs: 500 },
      ...(i === 1 ? { log: (_l: string, m: string) => logs.push(m) } : {})
    })) as [CrdtConsensus, CrdtConsensus]
    try {
      await Promise.all([a.start(), b.start()])
      await hosts[1]?.dial(hosts[0]?.getMultiaddrs() ?? [], { signal: AbortSignal.timeout(10_000) })
      await a.logPin(pin(0))
      await until(() => b.state.get(syntheticCid(0)) !== undefined, 'b gets the first pin', 20_000)
      fill(b, true, 'blocks')
      for (let i = 1; i <= 100; i++) await a.logPin(pin(i))
      await until(() => logs.some(m => m.includes('cannot write to its disk') || m.startsWith('the pinset view could not be written')), 'b fails to take them', 20_000)
      fill(b, false)
      await until(() => b.state.get(syntheticCid(100)) !== undefined, 'b converges', 30_000)
      for (let i = 0; i <= 100; i++) expect(b.state.get(syntheticCid(i))?.name).toBe(`p${i}`)
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()])
      await Promise.all(hosts.map(async h => { await h.stop() }))
    }
  }, 90_000)

  it('raft: writes are refused with a 503 while the log cannot be written, the node stands still, and writes again once there is room', async () => {
    const net = new MemoryNetwork()
    const id = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
    const logs: string[] = []
    const c = track(new RaftConsensus({
      id, dataDir: tempDir(), transport: net.transport(id), log: (_l, m) => logs.push(m),
      config: { heartbeatTimeoutMs: 100, waitForLeaderTimeoutMs: 10_000, commitRetries: 3, commitRetryDelayMs: 20, initPeerset: [id] }
    }))
    await c.logPin(pin(0))
    fill(c, true)
    const { refused, err } = await pinUntilRefused(c, 1)
    expect(err).toBeInstanceOf(StorageUnavailableError)
    expect(err).toMatchObject({ httpStatus: 503 })
    expect(logs.some(m => m.startsWith('raft cannot write to this peer\'s disk (database or disk is full)'))).toBe(true)
    fill(c, false)
    await until(() => logs.includes('raft writes to this peer\'s disk again'), 'the node writes again', 10_000)
    await c.logPin(pin(refused))
    for (let i = 0; i <= refused; i++) expect(c.state.get(syntheticCid(i))?.name).toBe(`p${i}`)
  })
})

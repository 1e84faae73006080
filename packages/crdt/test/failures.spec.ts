/** Unreachable blocks, the dirty flag and repair, closing mid-walk, persistence, rebroadcasts, batches. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as dagPb from '@ipld/dag-pb'
import { decodeBlock, decodeBroadcast, encodeBroadcast, makeBlock, MemoryStore, rebroadcastDelay, Replica, SqliteStore, type CrdtStore } from '../src/index.ts'
import { BlockNet, goBlocks, goScenario, hex, unhex } from './helpers.ts'

const scenario = goScenario()
const goFinal = scenario.replicas.C!
const top = CID.parse(goFinal.heads[0]!.cid)
const stateOf = (r: Replica): Array<{ key: string, valueHex: string }> =>
  [...r.entries()].map(([key, v]) => ({ key, valueHex: hex(v) }))
// A block in the middle of the DAG that decides a final value: B's re-add of p3 (add wins).
const inner = scenario.events.find((e) => e.replica === 'B' && e.kind === 'put' && e.ops![0]!.key === scenario.keys.p3)!.blockCid!

function replicaOn (net: BlockNet, store: CrdtStore = new MemoryStore()): Replica {
  return new Replica({ store, blocks: net.access(), fetchTimeoutMs: 50 })
}

describe('a walk that cannot fetch a block', () => {
  it('leaves a fresh replica dirty with the head adopted, and repair completes it', async () => {
    const net = new BlockNet(goBlocks(scenario))
    net.withheld.add(inner)
    const r = replicaOn(net)
    const result = await r.receive(encodeBroadcast([top]))
    expect(result.failed.map(String)).toEqual([top.toString()])
    expect(r.isDirty()).toBe(true)
    expect(r.info().heads.map((h) => h.cid.toString())).toEqual([top.toString()])
    expect(stateOf(r)).not.toEqual(goFinal.state)

    expect(await r.repair()).toBe(false) // still unreachable: stays dirty
    expect(r.isDirty()).toBe(true)
    net.withheld.clear()
    expect(await r.repair()).toBe(true)
    expect(r.isDirty()).toBe(false)
    expect(stateOf(r)).toEqual(goFinal.state)
    expect(r.info().heads.map((h) => ({ cid: h.cid.toString(), height: h.height }))).toEqual(goFinal.heads)
  })

  it('makes the failed branch a head on a replica that had older heads, so repair reaches it', async () => {
    const net = new BlockNet(goBlocks(scenario))
    const r = replicaOn(net)
    // First the state up to A's fourth block (before the batch).
    const early = scenario.events[3]!.blockCid!
    await r.receive(encodeBroadcast([CID.parse(early)]))
    net.withheld.add(inner)
    expect((await r.receive(encodeBroadcast([top]))).failed.map(String)).toEqual([top.toString()])
    expect(r.isDirty()).toBe(true)
    expect(r.info().heads.map((h) => h.cid.toString())).toContain(top.toString())
    // Announcing the processed root again does not help (Go's trap); repair does.
    await r.receive(encodeBroadcast([top]))
    expect(stateOf(r)).not.toEqual(goFinal.state)
    net.withheld.clear()
    expect(await r.repair()).toBe(true)
    expect(stateOf(r)).toEqual(goFinal.state)
    // The next local write joins every head.
    const cid = await r.put('/K', new Uint8Array([1]))
    const bytes = await net.access().getBlock(cid, { signal: AbortSignal.timeout(1000) })
    const node = await decodeBlock(cid, bytes)
    expect(node.links.length).toBeGreaterThanOrEqual(1)
    expect(r.info().heads.map((h) => h.cid.toString())).toEqual([cid.toString()])
  })

  it('does not dirty the store or adopt a head it cannot fetch', async () => {
    const net = new BlockNet(goBlocks(scenario))
    const r = replicaOn(net)
    await r.put('/K', new Uint8Array([1]))
    net.withheld.add(top.toString())
    expect((await r.receive(encodeBroadcast([top]))).failed.map(String)).toEqual([top.toString()])
    expect(r.isDirty()).toBe(false)
    expect(r.info().heads.map((h) => h.cid.toString())).not.toContain(top.toString())
    // An empty replica gives up adopting it too (Go would wait forever).
    const empty = replicaOn(net)
    await empty.receive(encodeBroadcast([top]))
    expect(empty.info().heads).toEqual([])
  })

  it('marks the store dirty when closed in the middle of a walk', async () => {
    const net = new BlockNet(goBlocks(scenario))
    net.withheld.add(inner)
    const r = new Replica({ store: new MemoryStore(), blocks: net.access(), fetchTimeoutMs: 60_000 })
    const walking = r.receive(encodeBroadcast([top]))
    // Let the walk reach the withheld block.
    for (let i = 0; i < 10_000 && net.fetches < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    await r.close()
    await walking.catch(() => {})
    expect(r.isDirty()).toBe(true)
    await expect(r.put('/K', new Uint8Array([1]))).rejects.toThrow(/closed/)
  })
})

describe('a peer killed mid-walk (kill -9: no close, nothing after the last commit)', () => {
  let dir: string | undefined
  afterEach(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('starts dirty, and its repair completes the state; walks that end well leave the store clean', async () => {
    dir = mkdtempSync(join(tmpdir(), 'crdt-'))
    const path = join(dir, 'crdt.sqlite')
    // The walk stops at the withheld block; the merges above it are committed.
    const stuck = new BlockNet(goBlocks(scenario))
    stuck.withheld.add(inner)
    const killed = new Replica({ store: new SqliteStore(path), blocks: stuck.access(), fetchTimeoutMs: 60_000 })
    const walking = killed.receive(encodeBroadcast([top]))
    while (stuck.fetches < 2 || killed.size === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    await new Promise((resolve) => setTimeout(resolve, 20))

    // The same file opened again, as the restarted peer opens it.
    const restarted = new Replica({ store: new SqliteStore(path), blocks: new BlockNet(goBlocks(scenario)).access(), fetchTimeoutMs: 1000 })
    expect(restarted.isDirty()).toBe(true)
    await restarted.receive(encodeBroadcast([top])) // the head is processed: no walk goes below it
    expect(stateOf(restarted)).not.toEqual(goFinal.state)
    expect(await restarted.repair()).toBe(true)
    expect(restarted.isDirty()).toBe(false)
    expect(stateOf(restarted)).toEqual(goFinal.state)

    await killed.close()
    await walking.catch(() => {})
    killed.store.close()
    await restarted.close()
    restarted.store.close()

    // A walk that ends well clears the bit it set.
    const fresh = new Replica({ store: new SqliteStore(join(dir, 'fresh.sqlite')), blocks: new BlockNet(goBlocks(scenario)).access(), fetchTimeoutMs: 1000 })
    await fresh.receive(encodeBroadcast([top]))
    expect(stateOf(fresh)).toEqual(goFinal.state)
    expect(fresh.isDirty()).toBe(false)
    await fresh.close()
    fresh.store.close()
  })
})

describe('hooks', () => {
  let dir: string | undefined
  afterEach(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('fire after the commit: a put hook sees its value from another connection', async () => {
    dir = mkdtempSync(join(tmpdir(), 'crdt-'))
    const path = join(dir, 'crdt.sqlite')
    const net = new BlockNet()
    // Hooks fire after the commit: a put hook sees its value from another connection too.
    const seenElsewhere: boolean[] = []
    const watcher = new SqliteStore(path)
    const writer = new Replica({
      store: new SqliteStore(path),
      blocks: net.access(),
      onPut: (key) => { seenElsewhere.push(watcher.getValue(key) !== undefined) }
    })
    await writer.put('/HOOKED', new Uint8Array([1]))
    await Promise.all([writer.put('/H1', new Uint8Array([1])), writer.put('/H2', new Uint8Array([2]))])
    expect(seenElsewhere).toEqual([true, true, true])
    await writer.close()
    writer.store.close()
    watcher.close()

  })
})

describe('the receive queue', () => {
  it('holds at most maxQueuedHeads announced heads and reports the ones it drops', async () => {
    const net = new BlockNet(goBlocks(scenario))
    net.withheld.add(inner)
    const r = new Replica({ store: new MemoryStore(), blocks: net.access(), fetchTimeoutMs: 50, maxQueuedHeads: 2 })
    const first = r.receive(encodeBroadcast([top])) // stuck on the withheld block for a while
    const [b1, b2] = scenario.blocks.slice(0, 2).map((b) => CID.parse(b.cid))
    const second = r.receive(encodeBroadcast([b1!, b2!, top]))
    const [one, two] = await Promise.all([first, second])
    expect(one.dropped).toEqual([])
    expect(two.heads.map(String)).toEqual([b1, b2, top].map(String))
    expect(two.dropped.map(String)).toEqual([b2!.toString()]) // top was already waiting: not queued twice
    net.withheld.clear()
    expect(await r.repair()).toBe(true)
    expect(stateOf(r)).toEqual(goFinal.state)
  })
})

describe('a replica on SQLite', () => {
  let dir: string | undefined
  afterEach(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('keeps its state, heads and processed blocks across a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'crdt-'))
    const path = join(dir, 'crdt.sqlite')
    const net = new BlockNet(goBlocks(scenario))
    const store = new SqliteStore(path)
    const r = replicaOn(net, store)
    await r.receive(encodeBroadcast([top]))
    // Merges are group-committed: once the walk is over, another connection sees all of them.
    const other = new SqliteStore(path)
    expect(other.size()).toBe(goFinal.state.length)
    expect(other.listHeads().length).toBe(1)
    other.close()
    await r.close()
    store.close()

    const reopened = new SqliteStore(path)
    const again = replicaOn(net, reopened)
    expect(stateOf(again)).toEqual(goFinal.state)
    expect(again.info().heads.map((h) => ({ cid: h.cid.toString(), height: h.height }))).toEqual(goFinal.heads)
    const fetches = net.fetches
    await again.receive(encodeBroadcast([top]))
    expect(net.fetches).toBe(fetches) // known block: nothing walked again
    expect(again.size).toBe(goFinal.state.length)
    reopened.close()
  })
})

describe('rebroadcasts', () => {
  it('announce the heads nobody announced since the previous tick, own writes counting once', async () => {
    const sent: string[][] = []
    const net = new BlockNet()
    const r = new Replica({ store: new MemoryStore(), blocks: net.access(), broadcast: (p) => { sent.push(decodeBroadcast(p).map(String)) } })
    expect(r.announcer.rebroadcastPayload()).toBeUndefined()
    const a = await r.put('/A', new Uint8Array([1]))
    expect(sent).toEqual([[a.toString()]])
    await r.rebroadcast() // own broadcast counts as seen (as Go's self-delivery)
    expect(sent.length).toBe(1)
    await r.rebroadcast()
    expect(sent[1]).toEqual([a.toString()])
    // A head someone else announced is not repeated at the next tick.
    const other = new Replica({ store: new MemoryStore(), blocks: net.access() })
    const b = await other.put('/B', new Uint8Array([2]))
    await r.receive(encodeBroadcast([b]))
    await r.rebroadcast()
    expect(sent[2]).toEqual([a.toString()])
    await r.rebroadcast()
    expect(new Set(sent[3])).toEqual(new Set([a.toString(), b.toString()]))
  })
})

describe('the rebroadcast delay', () => {
  it('is the interval ± 30 %, as Go randomizes it', () => {
    expect(rebroadcastDelay(60_000, () => 0)).toBe(42_000)
    expect(rebroadcastDelay(60_000, () => 0.5)).toBe(60_000)
    expect(rebroadcastDelay(60_000, () => 0.999999)).toBe(77_999)
    expect(() => rebroadcastDelay(0)).toThrow(RangeError)
  })
})

describe('batches', () => {
  it('commit on their own when the delta outgrows the limit', async () => {
    const net = new BlockNet()
    const r = new Replica({ store: new MemoryStore(), blocks: net.access(), maxBatchDeltaSize: 100 })
    const b = r.batch()
    expect(await b.put('/K1', new Uint8Array(60))).toBeUndefined()
    const committed = await b.put('/K2', new Uint8Array(60))
    expect(committed).toBeDefined()
    expect(r.has('/K1') && r.has('/K2')).toBe(true)
    expect(await b.commit()).toBeUndefined() // nothing left
    const node = await decodeBlock(committed!, unhex(hex(net.blocks.get(committed!.toString())!)))
    expect(node.delta.elements.map((e) => e.key)).toEqual(['/K1', '/K2'])
  })
})

describe('malformed blocks from a trusted peer', () => {
  it('are refused: an announced one is skipped, one met inside a walk dirties the store', async () => {
    const bad = dagPb.encode({ Data: new Uint8Array([0x0a, 0xff, 0x01]), Links: [] }) // truncated Delta
    const badCid = CID.createV1(dagPb.code, await sha256.digest(bad))
    const good = await makeBlock({ elements: [{ key: '/K', id: '', value: new Uint8Array([1]) }], tombstones: [], priority: 2 }, [badCid])
    const net = new BlockNet(new Map([[badCid.toString(), bad], [good.cid.toString(), good.bytes]]))

    const a = replicaOn(net)
    await a.put('/Z', new Uint8Array([9]))
    expect((await a.receive(encodeBroadcast([badCid]))).failed.map(String)).toEqual([badCid.toString()])
    expect(a.isDirty()).toBe(false)

    expect((await a.receive(encodeBroadcast([good.cid]))).failed.map(String)).toEqual([good.cid.toString()])
    expect(a.isDirty()).toBe(true)
    expect(a.has('/K')).toBe(true) // the block above the bad one was merged
    expect(await a.repair()).toBe(false)
    expect(a.isDirty()).toBe(true)
  })
})

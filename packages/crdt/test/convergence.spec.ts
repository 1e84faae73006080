/**
 * Convergence: Go's blocks fed in any order, and seeded random runs of several replicas with
 * concurrent writes and random delivery orders.
 */
import { describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import { encodeBroadcast, makeBlock, MemoryStore, Replica, SqliteStore, type CrdtStore } from '../src/index.ts'
import { BlockNet, goBlocks, goScenario, hex, rng, shuffle } from './helpers.ts'

const scenario = goScenario()
const goFinal = scenario.replicas.C!

function stateOf (r: Replica): Array<{ key: string, valueHex: string }> {
  return [...r.entries()].map(([key, valueHex]) => ({ key, valueHex: hex(valueHex) }))
}

describe('a replica fed Go\'s blocks in any order', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`converges to Go's final state and head (seed ${seed})`, async () => {
      const random = rng(seed)
      const net = new BlockNet(goBlocks(scenario), random)
      const replica = new Replica({ store: new MemoryStore(), blocks: net.access(), fetchConcurrency: 1 + (seed % 4) })
      // Each block announced on its own, in a random order, some announcements concurrent.
      const order = shuffle(scenario.blocks.map((b) => CID.parse(b.cid)), random)
      const pending: Array<Promise<unknown>> = []
      for (const cid of order) {
        const p = replica.receive(encodeBroadcast([cid]))
        if (random() < 0.5) await p
        else pending.push(p)
      }
      const results = await Promise.all(pending)
      for (const r of results) expect((r as { failed: CID[] }).failed).toEqual([])
      expect(stateOf(replica)).toEqual(goFinal.state)
      expect(replica.info().heads.map((h) => ({ cid: h.cid.toString(), height: h.height }))).toEqual(goFinal.heads)
      expect(replica.isDirty()).toBe(false)
    })
  }

  it('walks each block once when catching up from the last head', async () => {
    const net = new BlockNet(goBlocks(scenario))
    const replica = new Replica({ store: new MemoryStore(), blocks: net.access() })
    const last = CID.parse(goFinal.heads[0]!.cid)
    await replica.receive(encodeBroadcast([last]))
    expect(stateOf(replica)).toEqual(goFinal.state)
    // One fetch to adopt the head on an empty replica, then one per block.
    expect(net.fetches).toBe(scenario.blocks.length + 1)
    const before = net.fetches
    await replica.receive(encodeBroadcast([last]))
    expect(net.fetches).toBe(before)
  })
})

describe('a wide DAG', () => {
  it('is walked completely with bounded parallel fetches', async () => {
    const net = new BlockNet(undefined, rng(7))
    const roots: CID[] = []
    for (let i = 0; i < 5000; i++) {
      const b = await makeBlock({ elements: [{ key: `/R${i}`, id: '', value: new Uint8Array([1]) }], tombstones: [], priority: 1 }, [])
      net.blocks.set(b.cid.toString(), b.bytes)
      roots.push(b.cid)
    }
    const top = await makeBlock({ elements: [{ key: '/TOP', id: '', value: new Uint8Array([2]) }], tombstones: [], priority: 2 }, roots)
    net.blocks.set(top.cid.toString(), top.bytes)
    let inFlight = 0
    let most = 0
    const access = net.access()
    const replica = new Replica({
      store: new SqliteStore(':memory:'),
      fetchConcurrency: 8,
      blocks: {
        getBlock: async (cid, opts) => {
          most = Math.max(most, ++inFlight)
          try { return await access.getBlock(cid, opts) } finally { inFlight-- }
        },
        putBlock: access.putBlock
      }
    })
    const result = await replica.receive(encodeBroadcast([top.cid]))
    expect(result.failed).toEqual([])
    expect(replica.size).toBe(5001)
    expect(replica.info().heads.map((h) => h.cid.toString())).toEqual([top.cid.toString()])
    expect(most).toBeLessThanOrEqual(8)
    expect(most).toBeGreaterThan(1)
  })
})

type Op = { kind: 'put', key: string, value: string } | { kind: 'delete', key: string } | { kind: 'batch', ops: Array<[string, string | undefined]> }

describe('replicas writing concurrently with random delivery', () => {
  const runs: Array<[number, string, () => CrdtStore]> = [
    ...[11, 12, 13, 14, 15].map((seed): [number, string, () => CrdtStore] => [seed, 'memory', () => new MemoryStore()]),
    // SQLite adds group commits spanning awaits, with writes and walks interleaved.
    ...[21, 22, 23].map((seed): [number, string, () => CrdtStore] => [seed, 'sqlite', () => new SqliteStore(':memory:')])
  ]
  for (const [seed, kind, newStore] of runs) {
    it(`converge on every key, value and head (seed ${seed}, ${kind})`, async () => {
      const random = rng(seed)
      const net = new BlockNet(undefined, random)
      const inboxes: Uint8Array[][] = [[], [], [], []]
      const replicas = inboxes.map((_, i) => new Replica({
        store: newStore(),
        blocksPerCommit: 1 + Math.floor(random() * 8),
        blocks: net.access(),
        broadcast: (payload) => { inboxes.forEach((box, j) => { if (j !== i) box.push(payload) }) }
      }))
      const keys = ['/K0', '/K1', '/K2', '/K3', '/K4']
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
      const randomOp = (): Op => {
        const x = random()
        if (x < 0.5) return { kind: 'put', key: pick(keys), value: `v${Math.floor(random() * 1000)}` }
        if (x < 0.8) return { kind: 'delete', key: pick(keys) }
        // Keys may repeat within a batch: a later put replaces the pending one, so the delta
        // never holds two values of a key (with Go's duplicates, seed 22 diverged).
        return { kind: 'batch', ops: [0, 1, 2].map(() => [pick(keys), random() < 0.7 ? `b${Math.floor(random() * 1000)}` : undefined]) }
      }
      const apply = async (r: Replica, op: Op): Promise<void> => {
        if (op.kind === 'put') await r.put(op.key, new TextEncoder().encode(op.value))
        else if (op.kind === 'delete') await r.delete(op.key)
        else {
          const b = r.batch()
          for (const [k, v] of op.ops) {
            if (v === undefined) await b.delete(k)
            else await b.put(k, new TextEncoder().encode(v))
          }
          await b.commit()
        }
      }
      // Bounded run: writes interleaved with partial, reordered deliveries (some dropped).
      // Some writes and receives are left running while the next steps start.
      const running: Array<Promise<unknown>> = []
      const maybeAwait = async (p: Promise<unknown>): Promise<void> => {
        if (random() < 0.3) running.push(p)
        else await p
      }
      for (let step = 0; step < 60; step++) {
        const i = Math.floor(random() * replicas.length)
        if (random() < 0.55) {
          await maybeAwait(apply(replicas[i]!, randomOp()))
        } else {
          const box = shuffle(inboxes[i]!.splice(0), random)
          for (const payload of box) if (random() < 0.8) await maybeAwait(replicas[i]!.receive(payload))
        }
      }
      await Promise.all(running)
      // Heal: every replica announces its heads to every other until nothing changes.
      for (let round = 0; round < 3; round++) {
        for (const [i, r] of replicas.entries()) {
          const payload = encodeBroadcast(r.info().heads.map((h) => h.cid))
          for (const [j, other] of replicas.entries()) if (j !== i) await other.receive(payload)
        }
      }
      const expected = stateOf(replicas[0]!)
      const heads = replicas[0]!.info().heads.map((h) => h.cid.toString())
      expect(expected.length).toBeGreaterThan(0)
      for (const r of replicas) {
        expect(stateOf(r)).toEqual(expected)
        expect(r.info().heads.map((h) => h.cid.toString())).toEqual(heads)
        expect(r.isDirty()).toBe(false)
      }
    })
  }
})

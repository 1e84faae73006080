/**
 * Replays the operations Go ran on three go-ds-crdt replicas (testdata/go/scenario.json) on
 * three of ours: every block, broadcast, head set, hook call and final state must match.
 */
import { describe, expect, it } from 'vitest'
import { dotLines, goLayout, MemoryStore, Replica, SqliteStore, type CrdtStore } from '../src/index.ts'
import { BlockNet, goScenario, hex, unhex, type GoHook } from './helpers.ts'

const scenario = goScenario()

interface Recorded { replica: Replica, sent: string[], hooks: GoHook[] }

function makeReplicas (net: BlockNet, newStore: () => CrdtStore, blocksPerCommit: number): Map<string, Recorded> {
  const out = new Map<string, Recorded>()
  for (const name of ['A', 'B', 'C']) {
    const rec: Recorded = { sent: [], hooks: [] } as unknown as Recorded
    rec.replica = new Replica({
      store: newStore(),
      blocks: net.access(),
      blocksPerCommit,
      broadcast: (payload) => { rec.sent.push(hex(payload)) },
      onPut: (key, value) => { rec.hooks.push({ hook: 'put', key, valueHex: hex(value) }) },
      onDelete: (key) => { rec.hooks.push({ hook: 'delete', key }) }
    })
    out.set(name, rec)
  }
  return out
}

function sortedHooks (hooks: GoHook[]): GoHook[] {
  const k = (h: GoHook): string => `${h.key}\0${h.hook}\0${h.valueHex ?? ''}`
  return [...hooks].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0))
}

const stores: Array<[string, () => CrdtStore, number]> = [
  ['memory', () => new MemoryStore(), 256],
  ['sqlite', () => new SqliteStore(':memory:'), 256],
  ['sqlite (one commit per block)', () => new SqliteStore(':memory:'), 1]
]

describe.each(stores)('the Go scenario replayed on %s stores', (_name, newStore, blocksPerCommit) => {
  it('produces Go\'s blocks, broadcasts, heads, hooks and states step by step', async () => {
    const net = new BlockNet()
    const replicas = makeReplicas(net, newStore, blocksPerCommit)
    for (const [i, ev] of scenario.events.entries()) {
      const rec = replicas.get(ev.replica)!
      const r = rec.replica
      const sentBefore = rec.sent.length
      rec.hooks = []
      let published: string | undefined
      if (ev.kind === 'put') {
        const op = ev.ops![0]!
        published = (await r.put(op.key, unhex(op.valueHex!))).toString()
      } else if (ev.kind === 'delete') {
        published = (await r.delete(ev.ops![0]!.key))?.toString()
      } else if (ev.kind === 'batch') {
        const b = r.batch({ keepDuplicatePuts: true }) // Go's exact deltas
        for (const op of ev.ops!) {
          if (op.op === 'put') await b.put(op.key, unhex(op.valueHex!))
          else await b.delete(op.key)
        }
        published = (await b.commit())?.toString()
      } else {
        const result = await r.receive(unhex(ev.payloadHex!))
        expect(result.failed, `event ${i}`).toEqual([])
      }
      expect(published, `event ${i} block`).toBe(ev.blockCid)
      expect(rec.sent.slice(sentBefore), `event ${i} broadcast`).toEqual(ev.broadcastHex === undefined ? [] : [ev.broadcastHex])
      const heads = r.info().heads.map((h) => ({ cid: h.cid.toString(), height: h.height }))
      expect(heads, `event ${i} heads`).toEqual(ev.heads)
      if (ev.kind === 'deliver') {
        // A walk merges blocks in an order that differs between implementations (Go's is
        // parallel), so which intermediate values fire a put may differ: compare what is fixed.
        const deletes = (hs: GoHook[]): GoHook[] => sortedHooks(hs.filter((h) => h.hook === 'delete'))
        const putKeys = (hs: GoHook[]): string[] => [...new Set(hs.filter((h) => h.hook === 'put').map((h) => h.key))].sort()
        expect(deletes(rec.hooks), `event ${i} delete hooks`).toEqual(deletes(ev.hooks))
        expect(putKeys(rec.hooks), `event ${i} put hooks`).toEqual(putKeys(ev.hooks))
      } else {
        expect(sortedHooks(rec.hooks), `event ${i} hooks`).toEqual(ev.hooks)
      }
    }
    for (const [name, rec] of replicas) {
      const goReplica = scenario.replicas[name]!
      const state = [...rec.replica.entries(2)].map(([key, value]) => ({ key, valueHex: hex(value) }))
      expect(state, `${name} state`).toEqual(goReplica.state)
      expect(rec.replica.info().heads.map((h) => ({ cid: h.cid.toString(), height: h.height }))).toEqual(goReplica.heads)
      expect(rec.replica.isDirty()).toBe(false)
      // The whole datastore as Go lays it out: values, priorities, elements, tombstones, heads,
      // processed marks, version.
      const layout = [...goLayout(rec.replica.store)].map(([key, v]) => ({ key, valueHex: hex(v) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      expect(layout, `${name} datastore`).toEqual(goReplica.store)
      const dot: string[] = []
      for await (const line of dotLines(rec.replica)) dot.push(line)
      expect(dot.join('\n') + '\n', `${name} dot`).toBe(goReplica.dot)
    }
  })
})

/** A batch outgrowing the delta size limit commits on its own at exactly Go's points (testdata/go/batch-limit.json). */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MemoryStore, Replica, type Batch } from '../src/index.ts'
import { BlockNet, hex, unhex, type GoHead, type GoKv } from './helpers.ts'

interface BatchLimitVectors {
  maxBatchDeltaSize: number
  ops: Array<{ op: 'put' | 'delete' | 'begin' | 'commit', key?: string, valueHex?: string }>
  broadcasts: string[]
  blocks: Array<{ cid: string, bytesHex: string }>
  heads: GoHead[]
  state: GoKv[]
}

const go = JSON.parse(readFileSync(new URL('../testdata/go/batch-limit.json', import.meta.url), 'utf8')) as BatchLimitVectors

describe('the batch size limit (vectors from go-ds-crdt v0.6.8)', () => {
  it('commits at the same operations, with the same blocks, as Go', async () => {
    const net = new BlockNet()
    const sent: string[] = []
    const r = new Replica({ store: new MemoryStore(), blocks: net.access(), maxBatchDeltaSize: go.maxBatchDeltaSize, broadcast: (p) => { sent.push(hex(p)) } })
    let batch: Batch | undefined
    for (const op of go.ops) {
      if (op.op === 'begin') batch = r.batch()
      else if (op.op === 'commit') await batch!.commit()
      else if (op.op === 'put') await (batch !== undefined ? batch.put(op.key!, unhex(op.valueHex!)) : r.put(op.key!, unhex(op.valueHex!)))
      else await batch!.delete(op.key!)
    }
    expect(go.broadcasts.length).toBeGreaterThan(5) // several commits inside the batch
    expect(sent).toEqual(go.broadcasts)
    for (const b of go.blocks) expect(hex(net.blocks.get(b.cid)!)).toBe(b.bytesHex)
    expect(r.info().heads.map((h) => ({ cid: h.cid.toString(), height: h.height }))).toEqual(go.heads)
    expect([...r.entries()].map(([key, v]) => ({ key, valueHex: hex(v) }))).toEqual(go.state)
  })
})

/** Local writes: concurrent ones share a commit and an announcement but each still makes its own block. */
import { describe, expect, it } from 'vitest'
import type { CID } from 'multiformats/cid'
import { decodeBlock, decodeBroadcast, Replica, SqliteStore } from '../src/index.ts'
import { BlockNet } from './helpers.ts'

describe('local writes', () => {
  it('chain concurrent writes block by block and announce the newest head', async () => {
    const net = new BlockNet()
    const announced: string[][] = []
    const puts: string[] = []
    const r = new Replica({
      store: new SqliteStore(':memory:'),
      blocks: net.access(),
      broadcast: (p) => { announced.push(decodeBroadcast(p).map(String)) },
      onPut: (key) => { puts.push(key) }
    })
    const cids = await Promise.all(Array.from({ length: 10 }, async (_, i) => await r.put(`/K${i}`, new Uint8Array([i + 1]))))
    expect(new Set(cids.map(String)).size).toBe(10)
    expect(announced.length).toBeLessThan(10)
    expect(announced.at(-1)).toEqual([cids[9]!.toString()])
    expect(r.info().heads.map((h) => [h.cid.toString(), h.height])).toEqual([[cids[9]!.toString(), 10]])
    expect(puts.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `/K${i}`).sort())
    // Each block sits on the previous one, with the next priority.
    for (const [i, cid] of cids.entries()) {
      const node = await decodeBlock(cid, net.blocks.get(cid.toString())!)
      expect(node.delta.priority).toBe(i + 1)
      expect(node.links.map(String)).toEqual(i === 0 ? [] : [cids[i - 1]!.toString()])
    }
  })

  it('with coalesceWrites, queued writes become one block, in order (a later write of a key wins)', async () => {
    const net = new BlockNet()
    const r = new Replica({ store: new SqliteStore(':memory:'), blocks: net.access(), coalesceWrites: true })
    await r.put('/old', new Uint8Array([9]))
    await r.put('/back', new Uint8Array([9]))
    const cids = await Promise.all([
      ...Array.from({ length: 10 }, async (_, i) => await r.put(`/K${i}`, new Uint8Array([i + 1]))),
      r.delete('/old'),
      r.delete('/back'),
      r.put('/back', new Uint8Array([3])),
      r.put('/twice', new Uint8Array([1])),
      r.put('/twice', new Uint8Array([2]))
    ])
    // The first write went alone (nothing was queued yet); the others share the next block.
    expect(new Set(cids.map(String)).size).toBeLessThanOrEqual(2)
    expect(r.info().maxHeight).toBeLessThanOrEqual(4)
    expect(r.has('/old')).toBe(false)
    expect(r.get('/back')).toEqual(new Uint8Array([3]))
    expect(r.get('/twice')).toEqual(new Uint8Array([2]))
    for (let i = 0; i < 10; i++) expect(r.get(`/K${i}`)).toEqual(new Uint8Array([i + 1]))
    // Another replica merging the blocks ends with the same state.
    const other = new Replica({ store: new SqliteStore(':memory:'), blocks: net.access() })
    for (const h of r.info().heads) await other.walk(h.cid, h.cid, undefined)
    expect([...other.entries()].map(([k]) => k)).toEqual([...r.entries()].map(([k]) => k))
  })

  it('start again after the queue has drained, whatever the timing', async () => {
    const net = new BlockNet()
    const r = new Replica({ store: new SqliteStore(':memory:'), blocks: net.access() })
    let last: CID | undefined
    for (let i = 0; i < 20; i++) {
      const p = r.put(`/K${i % 3}`, new Uint8Array([i]))
      // Queue the next write at various points of the previous one's progress.
      for (let j = 0; j < i % 4; j++) await Promise.resolve()
      if (i % 2 === 0) last = await p
      else void p.then((c) => { last = c })
    }
    await r.close()
    expect(r.info().heads.map((h) => h.height)).toEqual([20])
    expect(last).toBeDefined()
  })

  it('reject a write when the block cannot be stored, and go on with the next', async () => {
    const net = new BlockNet()
    let fail = true
    const access = net.access()
    const r = new Replica({
      store: new SqliteStore(':memory:'),
      blocks: { getBlock: access.getBlock, putBlock: (cid, bytes) => { if (fail) throw new Error('disk full'); access.putBlock(cid, bytes) } }
    })
    await expect(r.put('/A', new Uint8Array([1]))).rejects.toThrow('disk full')
    expect(r.has('/A')).toBe(false)
    fail = false
    await r.put('/B', new Uint8Array([2]))
    expect(r.has('/B')).toBe(true)
    expect(r.info().heads.map((h) => h.height)).toEqual([1])
  })

  it('a batch keeps the last put of a key, drops a deleted key\'s puts, and starts afresh after a commit', async () => {
    const net = new BlockNet()
    const r = new Replica({ store: new SqliteStore(':memory:'), blocks: net.access() })
    const batch = r.batch()
    for (let i = 0; i < 200; i++) await batch.put(`/K${i}`, new Uint8Array([1]))
    await batch.put('/K7', new Uint8Array([2]))
    await batch.delete('/K8')
    const first = await batch.commit()
    const delta = (await decodeBlock(first!, net.blocks.get(first!.toString())!)).delta
    expect(delta.elements).toHaveLength(199)
    expect(delta.elements.filter((e) => e.key === '/K7').map((e) => [...e.value])).toEqual([[2]])
    expect(delta.elements.some((e) => e.key === '/K8')).toBe(false)
    // After the commit, nothing of the committed delta is pending: a put of a committed key is
    // kept, and a delete tombstones the stored element instead.
    await batch.put('/K7', new Uint8Array([3]))
    await batch.delete('/K9')
    const second = await batch.commit()
    const next = (await decodeBlock(second!, net.blocks.get(second!.toString())!)).delta
    expect(next.elements.map((e) => [e.key, [...e.value]])).toEqual([['/K7', [3]]])
    expect(next.tombstones.map((t) => t.key)).toEqual(['/K9'])
    expect(r.has('/K9')).toBe(false)
    expect(r.has('/K8')).toBe(false)
    expect(r.has('/K0')).toBe(true)
  })

  it('refuse keys that are not clean paths', async () => {
    const r = new Replica({ store: new SqliteStore(':memory:'), blocks: new BlockNet().access() })
    for (const key of ['', '/', 'K', '/K/', '//K', '/a/../b', '/./K']) {
      await expect(r.put(key, new Uint8Array([1])), key).rejects.toThrow(TypeError)
      await expect(r.batch().delete(key), key).rejects.toThrow(TypeError)
    }
    await r.put('/a/b', new Uint8Array([1]))
    expect(r.has('/a/b')).toBe(true)
  })

  it('start over after clear() (Go\'s state cleanup, or leaving the cluster)', async () => {
    const r = new Replica({ store: new SqliteStore(':memory:'), blocks: new BlockNet().access() })
    await r.put('/A', new Uint8Array([1]))
    await r.put('/B', new Uint8Array([2]))
    r.markDirty()
    r.clear()
    expect(r.size).toBe(0)
    expect(r.info()).toEqual({ heads: [], maxHeight: 0, dirty: false })
    await r.put('/C', new Uint8Array([3]))
    expect(r.info().heads.map((h) => h.height)).toEqual([1])
    expect([...r.entries()].map(([k]) => k)).toEqual(['/C'])
  })
})

/**
 * Blocks carried along with an announcement (carryBlockBytes): a receiving replica stores them
 * and walks without fetching; Go's decoding sees a plain announcement; bad carried blocks are
 * ignored, never trusted.
 */
import { describe, expect, it, vi } from 'vitest'
import { reader, writer } from 'protons-runtime'
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { decodeBroadcast, decodeCarriedBlocks, encodeBroadcast, Replica, SqliteStore } from '../src/index.ts'
import { BlockNet } from './helpers.ts'

function pair (carry: number): { writer: Replica, reader: Replica, sent: Uint8Array[], readerNet: BlockNet } {
  const writerNet = new BlockNet()
  // The reader's network has nothing: every block it gets must come with the announcements.
  const readerNet = new BlockNet()
  const sent: Uint8Array[] = []
  const writer = new Replica({ store: new SqliteStore(':memory:'), blocks: writerNet.access(), carryBlockBytes: carry, broadcast: (p) => { sent.push(p) } })
  const reader = new Replica({ store: new SqliteStore(':memory:'), blocks: readerNet.access(), fetchTimeoutMs: 200 })
  return { writer, reader, sent, readerNet }
}

describe('blocks carried along with announcements', () => {
  it('the receiver stores them and merges with nothing from the network; Go reads only the heads', async () => {
    const { writer, reader, sent, readerNet } = pair(256 * 1024)
    await Promise.all(Array.from({ length: 20 }, async (_, i) => await writer.put(`/K${i}`, new Uint8Array([i]))))
    await writer.put('/last', new Uint8Array([99]))
    for (const payload of sent) {
      const result = await reader.receive(payload)
      expect(result.failed).toEqual([])
    }
    // Every block reached the reader with an announcement (its network alone has none to give).
    expect(readerNet.blocks.size).toBe(writer.info().maxHeight)
    expect([...reader.entries()].map(([k]) => k).sort()).toEqual([...writer.entries()].map(([k]) => k).sort())
    // What a Go peer decodes: just the announced head.
    const last = sent.at(-1)!
    expect(decodeBroadcast(last).map(String)).toEqual([writer.info().heads[0]!.cid.toString()])
    expect(decodeCarriedBlocks(last).length).toBeGreaterThan(0)
    // Go (go-ds-crdt decodeBroadcast) takes any unknown top-level field for a legacy bare CID and
    // drops the message: the payload's top level must hold Heads (field 1) only.
    for (const payload of sent) expect(topLevelFields(payload)).toEqual(new Set([1]))
  })

  it('a backlog read out of order (a peer resuming after a pause): the walk of the first finds the blocks a later, queued announcement carries', async () => {
    const a = pair(1024)
    const b = pair(1024)
    await a.writer.put('/A1', new Uint8Array([1]))
    expect((await b.writer.receive(a.sent[0]!)).failed).toEqual([])
    // B's block links to A's head; B's announcement carries only B's block.
    await b.writer.put('/B1', new Uint8Array([2]))
    expect(decodeCarriedBlocks(b.sent[0]!)).toHaveLength(1)
    // The reader's network has nothing: A's block must come from A's announcement, read second.
    const reader = new Replica({ store: new SqliteStore(':memory:'), blocks: new BlockNet().access(), fetchTimeoutMs: 200 })
    const results = await Promise.all([reader.receive(b.sent[0]!), reader.receive(a.sent[0]!)])
    expect(results.map((r) => r.failed)).toEqual([[], []])
    expect([...reader.entries()].map(([k]) => k).sort()).toEqual(['/A1', '/B1'])
  })

  it('still reads blocks carried at the top level (what earlier versions of ours sent)', () => {
    const cid = CID.create(1, 0x55, identity.digest(new Uint8Array([1, 2, 3])))
    const w = writer()
    w.uint32(10).fork().uint32(10).bytes(cid.bytes).ldelim()
    w.uint32((100 << 3) | 2).fork().uint32(10).bytes(cid.bytes).uint32(18).bytes(new Uint8Array([1, 2, 3])).ldelim()
    expect(decodeCarriedBlocks(w.finish())).toEqual([{ cid, bytes: new Uint8Array([1, 2, 3]) }])
  })

  it('carries nothing by default (Go\'s payload) and nothing in rebroadcasts', async () => {
    const { writer, sent } = pair(0)
    await writer.put('/A', new Uint8Array([1]))
    expect(decodeCarriedBlocks(sent[0]!)).toEqual([])
    const carrying = pair(1024)
    await carrying.writer.put('/A', new Uint8Array([1]))
    await carrying.writer.rebroadcast()
    await carrying.writer.rebroadcast()
    expect(decodeCarriedBlocks(carrying.sent.at(-1)!)).toEqual([])
  })

  it('paced announcements (announceIntervalMs): the first at once, then one naming the newest head with every block made since', async () => {
    const writerNet = new BlockNet()
    const readerNet = new BlockNet()
    const sent: Uint8Array[] = []
    const paced = new Replica({ store: new SqliteStore(':memory:'), blocks: writerNet.access(), carryBlockBytes: 256 * 1024, announceIntervalMs: 60_000, broadcast: (p) => { sent.push(p) } })
    const reader = new Replica({ store: new SqliteStore(':memory:'), blocks: readerNet.access(), fetchTimeoutMs: 200 })
    const first = await paced.put('/K0', new Uint8Array([0]))
    expect(sent.map((p) => decodeBroadcast(p).map(String))).toEqual([[first.toString()]])
    const later: string[] = []
    for (let i = 1; i <= 5; i++) later.push((await paced.put(`/K${i}`, new Uint8Array([i]))).toString())
    // Within the interval: the writes are answered, nothing more goes out.
    expect(sent).toHaveLength(1)
    await paced.announcer.flush()
    expect(sent).toHaveLength(2)
    expect(decodeBroadcast(sent[1]!).map(String)).toEqual([later.at(-1)])
    expect(decodeCarriedBlocks(sent[1]!).map((b) => b.cid.toString())).toEqual(later)
    for (const payload of sent) expect((await reader.receive(payload)).failed).toEqual([])
    // The reader merged all six writes from the two announcements alone (its network has no block).
    expect([...reader.entries()].map(([k]) => k).sort()).toEqual(['/K0', '/K1', '/K2', '/K3', '/K4', '/K5'])
    // Nothing waiting: no announcement is made again.
    await paced.announcer.flush()
    expect(sent).toHaveLength(2)
  })

  it('a paced announcement goes out by itself once the interval has passed, and close() sends one still waiting', async () => {
    const sent: Uint8Array[] = []
    const paced = new Replica({ store: new SqliteStore(':memory:'), blocks: new BlockNet().access(), announceIntervalMs: 30, broadcast: (p) => { sent.push(p) } })
    await paced.put('/A', new Uint8Array([1]))
    const b = await paced.put('/B', new Uint8Array([2]))
    await vi.waitFor(() => { expect(sent).toHaveLength(2) }, { timeout: 5000, interval: 5 })
    expect(decodeBroadcast(sent[1]!).map(String)).toEqual([b.toString()])
    // The next write within 30 ms of that one waits, and close() does not lose it.
    const c = await paced.put('/C', new Uint8Array([3]))
    await paced.close()
    expect(decodeBroadcast(sent.at(-1)!).map(String)).toEqual([c.toString()])
  })

  it('a carried block that does not match its CID is ignored: the walk has to fetch it (and fails here)', async () => {
    const { writer, reader, sent } = pair(1024)
    await writer.put('/A', new Uint8Array([1]))
    const [block] = decodeCarriedBlocks(sent[0]!)
    const forged = encodeBroadcast([block!.cid], [{ cid: block!.cid, bytes: new Uint8Array([...block!.bytes, 0]) }])
    const result = await reader.receive(forged)
    expect(result.failed.map(String)).toEqual([block!.cid.toString()])
    expect(reader.has('/A')).toBe(false)
  })
})

/** The field numbers at the top level of a protobuf message. */
function topLevelFields (bytes: Uint8Array): Set<number> {
  const r = reader(bytes)
  const fields = new Set<number>()
  while (r.pos < r.len) {
    const tag = r.uint32()
    fields.add(tag >>> 3)
    r.skipType(tag & 7)
  }
  return fields
}

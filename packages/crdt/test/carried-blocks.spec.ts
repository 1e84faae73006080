/**
 * Blocks carried along with an announcement (carryBlockBytes): a receiving replica stores them
 * and walks without fetching; Go's decoding sees a plain announcement; bad carried blocks are
 * ignored, never trusted.
 */
import { describe, expect, it } from 'vitest'
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

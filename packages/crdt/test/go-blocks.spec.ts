import { describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import { blockId, cidFromBlockId, decodeBlock, decodeBroadcast, decodeDelta, encodeBroadcast, encodeDelta, makeBlock } from '../src/index.ts'
import { goScenario, hex, unhex } from './helpers.ts'

const scenario = goScenario()

describe('blocks and broadcasts made by go-ds-crdt v0.6.8', () => {
  it('re-encodes every Go block to the same bytes and CID', async () => {
    expect(scenario.blocks.length).toBeGreaterThan(10)
    for (const b of scenario.blocks) {
      const cid = CID.parse(b.cid)
      const node = await decodeBlock(cid, unhex(b.bytesHex))
      const again = await makeBlock(node.delta, node.links)
      expect(again.cid.toString()).toBe(b.cid)
      expect(hex(again.bytes)).toBe(b.bytesHex)
      expect(hex(encodeDelta(decodeDelta(encodeDelta(node.delta))))).toBe(hex(encodeDelta(node.delta)))
    }
  })

  it('covers blocks with several links, tombstones, several puts of one key and an empty delta', async () => {
    const nodes = await Promise.all(scenario.blocks.map(async (b) => await decodeBlock(CID.parse(b.cid), unhex(b.bytesHex))))
    expect(nodes.some((n) => n.links.length === 2)).toBe(true)
    expect(nodes.some((n) => n.delta.tombstones.length > 0 && n.delta.tombstones.every((t) => t.id.startsWith('/CIQ')))).toBe(true)
    expect(nodes.some((n) => new Set(n.delta.elements.map((e) => e.key)).size < n.delta.elements.length)).toBe(true)
    expect(nodes.some((n) => n.delta.elements.length === 0 && n.delta.tombstones.length === 0)).toBe(true)
    // Tombstone IDs name blocks that exist, as CIDv1 dag-pb.
    const cids = new Set(scenario.blocks.map((b) => b.cid))
    for (const n of nodes) for (const t of n.delta.tombstones) expect(cids.has(cidFromBlockId(t.id).toString())).toBe(true)
    for (const n of nodes) expect(cidFromBlockId(blockId(n.cid)).equals(n.cid)).toBe(true)
  })

  it('encodes and decodes broadcasts as Go does', () => {
    for (const ev of scenario.events) {
      if (ev.broadcastHex === undefined) continue
      const heads = decodeBroadcast(unhex(ev.broadcastHex))
      expect(heads.map(String)).toEqual([ev.blockCid])
      expect(hex(encodeBroadcast(heads))).toBe(ev.broadcastHex)
    }
    for (const v of scenario.broadcasts) {
      expect(hex(encodeBroadcast(v.heads.map((h) => CID.parse(h))))).toBe(v.hex)
      expect(decodeBroadcast(unhex(v.hex)).map(String)).toEqual(v.heads)
    }
  })

  it('reads a legacy bare CIDv0 payload and rejects garbage', () => {
    const v0 = CID.parse('QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn')
    expect(decodeBroadcast(v0.bytes).map(String)).toEqual([v0.toString()])
    const v1 = CID.parse(scenario.blocks[0]!.cid)
    expect(() => decodeBroadcast(v1.bytes)).toThrow()
    expect(() => decodeBroadcast(new Uint8Array([0x0a, 0x05, 0x0a]))).toThrow()
  })

  it('refuses a block whose bytes do not match its CID', async () => {
    const [a, b] = scenario.blocks
    await expect(decodeBlock(CID.parse(a!.cid), unhex(b!.bytesHex))).rejects.toThrow(/does not match/)
  })
})

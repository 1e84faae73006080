import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultPinOptions, encodePin, parseCid, stringifyJson, Timestamp, type Pin } from '@cluster/api'
import { encodeOp, exportPins, parsePinStream, pinsOfChunks, PinsetState, StateFormatError } from '@cluster/consensus'
import { SnapshotFolder } from '@cluster/raft/node'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
const pin = (cid: string, name: string): Pin => ({
  ...defaultPinOptions(), name, replicationFactorMin: 2, replicationFactorMax: 3, metadata: { kind: name },
  cid: parseCid(cid), type: 'pin', allocations: [P1], maxDepth: -1, reference: undefined,
  timestamp: Timestamp.parse('2025-03-01T12:34:56.5+01:00')
})

describe('state export / import', () => {
  it('round-trips the pinset through Go\'s JSON-lines format, and through a snapshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-'))
    try {
      const a = new PinsetState(join(dir, 'a.sqlite'))
      a.apply(encodeOp({ type: 'pin', pin: pin('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS', 'one') }), 1)
      a.apply(encodeOp({ type: 'pin', pin: pin('bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm', 'two <&>') }), 2)
      const exported = [...exportPins(a.list())].join('')
      expect(exported.split('\n')).toHaveLength(3)
      expect(exported).toContain('"name":"two \\u003c\\u0026\\u003e"')

      const b = new PinsetState(join(dir, 'b.sqlite'))
      b.replaceAll(parsePinStream(exported), 2)
      expect([...exportPins(b.list())].join('')).toBe(exported)

      const c = new PinsetState(join(dir, 'c.sqlite'))
      c.restore(a.snapshot(), 2)
      expect([...exportPins(c.list())].join('')).toBe(exported)
      for (const s of [a, b, c]) s.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('an import in any CID order, a CID given twice, gives the pinset of pins applied one by one; its at-rest snapshot (a copy of the file) restores it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-order-'))
    try {
      const cids = ['bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm', 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS',
        'bafkreiaaaaaqbvcmjxpmdg5o4ksydlsfvwu4zqaf2l4lrmcb2w6ovjtanq', 'QmYFQTdsnwUVEZmALypPf8wLz6VAPKPYpwPGgUD7NEfh4M']
      // Unsorted, and the first CID again at the end under another name: the later one counts.
      const given = [...cids.map((c, i) => pin(c, `p${i}`)), pin(cids[0] as string, 'again')]
      const one = new PinsetState(join(dir, 'one.sqlite'))
      given.forEach((p, i) => { one.apply(encodeOp({ type: 'pin', pin: p }), i + 1) })
      const expected = [...exportPins(one.list())].join('')
      expect(expected).toContain('"name":"again"')
      expect(expected).not.toContain('"name":"p0"')

      const folder = new SnapshotFolder(join(dir, 'snapshots'))
      const bulk = new PinsetState(join(dir, 'bulk.sqlite'), {}, { snapshots: folder })
      bulk.replaceAll(given, 7)
      expect([...exportPins(bulk.list())].join('')).toBe(expected)
      const descriptor = await bulk.snapshotAtRest()
      // Still usable afterwards (the copy left the file as it was).
      bulk.apply(encodeOp({ type: 'pin', pin: pin('QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u', 'after') }), 8)
      expect(bulk.count()).toBe(5)
      bulk.close()

      const restored = new PinsetState(join(dir, 'restored.sqlite'), {}, { snapshots: folder })
      restored.restore(descriptor, 7)
      expect([...exportPins(restored.list())].join('')).toBe(expected)
      expect(restored.appliedIndex()).toBe(7)
      restored.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('accepts whitespace-separated values and rejects malformed input with the pin number', () => {
    const line = [...exportPins([pin('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS', 'x')])][0] as string
    expect(parsePinStream(`  ${line.trim()}   ${line.trim()}\n\n`)).toHaveLength(2)
    expect(() => parsePinStream(`${line}{"cid":"nope"}`)).toThrow(/pin #2/)
    expect(() => parsePinStream(`${line}{"cid":`)).toThrow(StateFormatError)
    expect(() => parsePinStream('42')).toThrow(StateFormatError)
  })

  it('reads the input as it arrives: a pin split anywhere between chunks, even inside a UTF-8 character or an escape', async () => {
    const names = ['plain', 'café ☕ "quoted" \\ back\\slash', '𝄞 {brace} [bracket]']
    const cids = ['QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS', 'QmYFQTdsnwUVEZmALypPf8wLz6VAPKPYpwPGgUD7NEfh4M', 'bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm']
    // One value pretty-printed over lines, as Go's decoder loop takes it too.
    const lines = [...exportPins(cids.map((c, i) => pin(c, names[i] as string)))]
    const text = `${lines[0]}\n  ${JSON.stringify(JSON.parse(lines[1] as string), null, 2)}\t${lines[2]}`
    const bytes = new TextEncoder().encode(text)
    const expected = parsePinStream(text).map(p => p.name)
    expect(expected).toEqual(names)
    const read = async (chunks: Uint8Array[]): Promise<string[]> => {
      const out: string[] = []
      for await (const p of pinsOfChunks(chunks)) out.push(p.name)
      return out
    }
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await read([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected)
    }
    expect(await read([...bytes].map(b => Uint8Array.of(b)))).toEqual(expected)
  })

  it('reading as it arrives, names the malformed pin and refuses a truncated end', async () => {
    const line = [...exportPins([pin('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS', 'x')])][0] as string
    const enc = new TextEncoder()
    const drain = async (text: string): Promise<number> => {
      let n = 0
      for await (const _ of pinsOfChunks([enc.encode(text.slice(0, 10)), enc.encode(text.slice(10))])) n++
      return n
    }
    expect(await drain(`${line}${line}`)).toBe(2)
    await expect(drain(`${line}{"cid":"nope"}`)).rejects.toThrow(/pin #2/)
    await expect(drain(`${line}{"cid":`)).rejects.toThrow(/truncated/)
    await expect(drain(`${line}42`)).rejects.toThrow(StateFormatError)
  })
})

describe('PinsetState listing', () => {
  it('lets entries be applied while a listing is paused between pages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'listing-'))
    try {
      const state = new PinsetState(join(dir, 'pins.sqlite'))
      const cids = ['QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS', 'QmYFQTdsnwUVEZmALypPf8wLz6VAPKPYpwPGgUD7NEfh4M', 'bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm']
      cids.forEach((c, i) => { state.apply(encodeOp({ type: 'pin', pin: pin(c, `p${i}`) }), i + 1) })
      const seen: string[] = []
      let index = 10
      for (const p of state.list(1)) {
        seen.push(p.name)
        // A write in the middle of the listing (what a re-pin or a REST stream does) must work.
        state.apply(encodeOp({ type: 'pin', pin: { ...p, name: `${p.name}!` } }), index++)
      }
      expect(seen).toEqual(['p0', 'p1', 'p2'])
      expect([...state.list()].map(p => p.name)).toEqual(['p0!', 'p1!', 'p2!'])
      state.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('listing the stored JSON', () => {
  it('yields every pin as its REST JSON line, in CID order, across pages, filtered by type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'listjson-'))
    try {
      const s = new PinsetState(join(dir, 's.sqlite'))
      const cids = ['QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS', 'bafkreig6bm26z4gfprwdams273vb6strmhzg7yrfh6wdtvfqsa2x4zkylm', 'bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa']
      cids.forEach((cid, i) => { s.apply(encodeOp({ type: 'pin', pin: pin(cid, `p${i} <&>`) }), i + 1) })
      const fromList = [...s.list()].map(p => stringifyJson(encodePin(p)) + '\n').join('')
      const pages = [...s.listJson(() => true, 2)]
      expect(pages).toHaveLength(2)
      expect(pages.join('')).toBe(fromList)
      expect([...s.listJson(type => type === 'shard-pin')]).toEqual([])
      s.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

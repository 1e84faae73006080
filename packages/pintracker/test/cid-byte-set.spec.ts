import { parseCid } from '@cluster/api'
import { describe, expect, it } from 'vitest'
import { CidByteSet } from '../src/cid-byte-set.ts'

/** `n` distinct CIDv1 (raw) byte strings, built from an index so the test needs no randomness. */
function cidBytes (n: number, salt = 0): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    const b = new Uint8Array(36)
    b.set([0x01, 0x55, 0x12, 0x20])
    new DataView(b.buffer).setUint32(4, i)
    new DataView(b.buffer).setUint32(8, salt)
    out.push(b)
  }
  return out
}

describe('CidByteSet', () => {
  it('holds what was added, through many table and buffer growths, and nothing else', () => {
    const set = new CidByteSet()
    const added = cidBytes(50_000)
    for (const key of added) set.add(key)
    expect(set.size).toBe(50_000)
    expect(added.every(key => set.has(key))).toBe(true)
    expect(cidBytes(50_000, 1).some(key => set.has(key))).toBe(false)
  })

  it('compares whole keys: a prefix, an extension or a CIDv0 of the same digest is another key', () => {
    const v1 = parseCid('bafkreigeulqfmgtcdlatkputs7spg5akyuophlgxzvtl7kis2tvcfy43wa')
    const v0 = parseCid('QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco')
    const set = new CidByteSet()
    set.add(v1.bytes)
    expect(set.has(v1.bytes)).toBe(true)
    expect(set.has(v1.bytes.subarray(0, 35))).toBe(false)
    expect(set.has(Uint8Array.of(...v1.bytes, 0))).toBe(false)
    expect(set.has(v0.bytes)).toBe(false)
    expect(set.has(v1.multihash.bytes)).toBe(false)
    set.add(v0.bytes)
    expect(set.has(v0.bytes)).toBe(true)
  })

  it('counts a key added twice once, and takes an empty key', () => {
    const set = new CidByteSet()
    const [key] = cidBytes(1)
    set.add(key as Uint8Array)
    set.add(Uint8Array.from(key as Uint8Array))
    expect(set.size).toBe(1)
    expect(set.has(new Uint8Array(0))).toBe(false)
    set.add(new Uint8Array(0))
    expect(set.has(new Uint8Array(0))).toBe(true)
    expect(set.size).toBe(2)
  })

  it('keeps keys of every length across its 1 MiB chunks (a record never split between two)', () => {
    const set = new CidByteSet()
    const keys: Uint8Array[] = []
    // 40 keys of up to 60 KiB: ~1.2 MiB, so some land in a second chunk.
    for (let i = 0; i < 40; i++) keys.push(new Uint8Array(1000 + i * 1500).fill(i + 1))
    for (const key of keys) set.add(key)
    expect(keys.every(key => set.has(key))).toBe(true)
    expect(set.has(new Uint8Array(1000 + 1500).fill(1))).toBe(false)
  })

  it('starts a new chunk when the last one is exactly full', () => {
    const set = new CidByteSet()
    // 16 records of 65,536 bytes (2 of length, 65,534 of key) fill the first chunk to the byte.
    const keys = Array.from({ length: 20 }, (_, i) => new Uint8Array(65_534).fill(i + 1))
    for (const key of keys) set.add(key)
    expect(set.size).toBe(20)
    expect(keys.every(key => set.has(key))).toBe(true)
  })

  it('refuses a key longer than its 2-byte length can say', () => {
    expect(() => { new CidByteSet().add(new Uint8Array(70_000)) }).toThrow(RangeError)
  })
})

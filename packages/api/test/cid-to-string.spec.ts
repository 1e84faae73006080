// The fast CID string must equal multiformats' toString() for every CID, and the fast parse of
// canonical text must give the CID multiformats' parser gives.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CID, keepRecentCids, parseCid } from '../src/index.ts'
import { cidToString } from '../src/cid.ts'
import { base32Lower } from '../src/base32.ts'
import { base58btc as base58btcEncoder } from 'multiformats/bases/base58'

/** A CID whose digest is derived from `n` (v0, or v1 raw over the same sha2-256 multihash). */
function makeCid (n: number, version: 0 | 1): CID {
  const digest = new Uint8Array(32)
  new DataView(digest.buffer).setUint32(0, n)
  digest[31] = 7
  const mh = new Uint8Array([0x12, 0x20, ...digest])
  return version === 0 ? CID.decode(mh) : CID.decode(new Uint8Array([0x01, 0x55, ...mh]))
}

describe('cidToString', () => {
  it('equals cid.toString() for v0 and v1 CIDs of every length and codec', () => {
    let seed = 12345
    const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed & 0xff }
    for (let n = 0; n < 300; n++) {
      expect(cidToString(makeCid(n, 0))).toBe(makeCid(n, 0).toString())
      expect(cidToString(makeCid(n, 1))).toBe(makeCid(n, 1).toString())
      const len = 1 + (n % 64) // identity multihashes of any length
      const digest = Array.from({ length: len }, rand)
      const cid = CID.decode(new Uint8Array([0x01, n % 2 === 0 ? 0x70 : 0x71, 0x00, len, ...digest]))
      expect(cidToString(cid)).toBe(cid.toString())
    }
    const parsed = parseCid('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')
    expect(cidToString(parsed)).toBe('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')
  })

  it('encodes RFC 4648 base32 test vectors (lower case, no padding)', () => {
    const enc = (s: string): string => base32Lower(new TextEncoder().encode(s))
    expect(enc('')).toBe('')
    expect(enc('f')).toBe('my')
    expect(enc('fo')).toBe('mzxq')
    expect(enc('foo')).toBe('mzxw6')
    expect(enc('foob')).toBe('mzxw6yq')
    expect(enc('fooba')).toBe('mzxw6ytb')
    expect(enc('foobar')).toBe('mzxw6ytboi')
    expect(base32Lower(new TextEncoder().encode('foobar'), 'b')).toBe('bmzxw6ytboi')
  })

  it('prints v0 CIDs of extreme digests as multiformats does (all zeros, all ones, random)', () => {
    const digests = [new Uint8Array(32), new Uint8Array(32).fill(255), ...Array.from({ length: 500 }, () => randomBytes(32))]
    for (const d of digests) {
      const cid = CID.decode(new Uint8Array([0x12, 0x20, ...d]))
      expect(cidToString(cid)).toBe(cid.toString())
    }
  })
})

describe('parseCid of canonical text (Qm… and lowercase base32)', () => {
  it('gives the CID multiformats parses, printing back to the same text', () => {
    for (let n = 0; n < 500; n++) {
      const d = n === 0 ? new Uint8Array(32) : n === 1 ? new Uint8Array(32).fill(255) : randomBytes(32)
      const mh = [0x12, 0x20, ...d]
      for (const bytes of [mh, [0x01, 0x55, ...mh], [0x01, 0x70, ...mh], [0x01, 0x71, ...mh], [0x01, 0x80, 0x04, ...mh]]) {
        const text = CID.decode(new Uint8Array(bytes)).toString()
        const cid = parseCid(text)
        expect(cid.equals(CID.parse(text))).toBe(true)
        expect(cidToString(cid)).toBe(text)
        expect([cid.version, cid.code, cid.multihash.code, cid.multihash.size]).toEqual([bytes[0] === 0x12 ? 0 : 1, CID.parse(text).code, 0x12, 32])
        // One buffer per CID: the digest is a view of the CID's own bytes.
        expect(cid.multihash.digest.buffer).toBe(cid.bytes.buffer)
      }
    }
  })

  it('takes the full parser for other forms of the same CIDs, with the same result', () => {
    const v0 = 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'
    const cid = parseCid(v0)
    // base32 of a v0 CID's bytes is a v0 CID (as Go's cid.Decode), upper case base32 a v1 one.
    const b32OfV0 = 'b' + base32Lower(cid.bytes)
    expect(parseCid(b32OfV0).equals(cid)).toBe(true)
    const v1 = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
    expect(parseCid(v1.toUpperCase()).equals(parseCid(v1))).toBe(true)
    expect(parseCid(CID.parse(v1).toString(base58btcEncoder)).equals(parseCid(v1))).toBe(true)
    // Leftover bits that multiformats refuses are dropped, as go-multibase drops them.
    expect(parseCid(v1 + 'a').equals(parseCid(v1))).toBe(true)
  })

  it('refuses damaged canonical text with the messages of the full parser', () => {
    const v0 = 'QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS'
    const v1 = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
    const cases: Array<[string, string]> = [
      [v0.slice(0, 45) + '0', "invalid cid: input isn't valid multihash"], // '0' is not base58
      ['Qm' + 'z'.repeat(44), 'invalid cid: length greater than remaining number of bytes in buffer'],
      ['Qm' + '1'.repeat(44), 'invalid cid: multihash length inconsistent: expected 30; got 32'],
      [v1.slice(0, -3), 'invalid cid: invalid cid: length greater than remaining number of bytes in buffer'],
      [v1.slice(0, 20) + '1' + v1.slice(21), 'invalid cid: illegal base32 data at input byte 19'],
      ['b' + 'a'.repeat(10), 'invalid cid: invalid cid: expected 1 as the cid version number, got: 0'],
      ['bafy', 'invalid cid: invalid cid: varints malformed, could not reach the end']
    ]
    for (const [text, message] of cases) expect(() => parseCid(text), text).toThrow(message)
  })

  it('keeps the CIDs it parsed lately: the same text gives the same CID, printed back without encoding; older ones are parsed again, equal', () => {
    const texts = Array.from({ length: 10_000 }, (_, n) => makeCid(n, (n % 2) as 0 | 1).toString())
    const first = parseCid(texts[0]!)
    expect(parseCid(texts[0]!)).toBe(first)
    const firsts = texts.map(t => parseCid(t))
    // A thousand later, the same objects.
    texts.slice(9_000).forEach((t, i) => { expect(parseCid(t)).toBe(firsts[9_000 + i]) })
    // Ten thousand later, the first ones are gone: parsed again, equal, printing the same.
    const again = parseCid(texts[1]!)
    expect(again).not.toBe(firsts[1])
    expect(again.equals(firsts[1]!)).toBe(true)
    texts.forEach((t, i) => { expect(cidToString(firsts[i]!)).toBe(t) })
    // A CID parsed from other text prints its canonical form, not the text it came from.
    const upper = parseCid(texts[1]!.toUpperCase())
    expect(cidToString(upper)).toBe(texts[1])
  })
  it('keeps none when told not to (keepRecentCids(false)), and keeps them again when told to', () => {
    const text = makeCid(77, 1).toString()
    keepRecentCids(false)
    try {
      const a = parseCid(text)
      const b = parseCid(text)
      expect(b).not.toBe(a)
      expect(b.equals(a)).toBe(true)
      expect(cidToString(a)).toBe(text)
    } finally {
      keepRecentCids(true)
    }
    const kept = parseCid(text)
    expect(parseCid(text)).toBe(kept)
  })
})

// The fast CID string must equal multiformats' toString() for every CID.
import { describe, expect, it } from 'vitest'
import { CID, parseCid } from '../src/index.ts'
import { base32Lower, cidToString } from '../src/cid.ts'

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
})

// The fast CID string must equal multiformats' toString() for every CID.
import { describe, expect, it } from 'vitest'
import { CID, parseCid } from '@cluster/api'
import { base32Lower, cidKey } from '../src/cid-key.ts'
import { makeCid } from './helpers.ts'

describe('cidKey', () => {
  it('equals cid.toString() for v0 and v1 CIDs of every length and codec', () => {
    let seed = 12345
    const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed & 0xff }
    for (let n = 0; n < 300; n++) {
      expect(cidKey(makeCid(n, 0))).toBe(makeCid(n, 0).toString())
      expect(cidKey(makeCid(n, 1))).toBe(makeCid(n, 1).toString())
      const len = 1 + (n % 64) // identity multihashes of any length
      const digest = Array.from({ length: len }, rand)
      const cid = CID.decode(new Uint8Array([0x01, n % 2 === 0 ? 0x70 : 0x71, 0x00, len, ...digest]))
      expect(cidKey(cid)).toBe(cid.toString())
    }
    const parsed = parseCid('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')
    expect(cidKey(parsed)).toBe('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')
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
  })
})

// State keys and block IDs are Go's ("/" + unpadded upper-case base32): checked against
// multiformats' own base32 encoder for every length of input, and back.
import { randomBytes } from 'node:crypto'
import { base32upper } from 'multiformats/bases/base32'
import { describe, expect, it } from 'vitest'
import { base32Upper, base32UpperDecode, blockId, cidFromBlockId, cidFromStateKey, stateKey } from '../src/index.ts'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'

describe('keys', () => {
  it('base32Upper equals RFC 4648 base32 (upper case, unpadded) for inputs of 0 to 100 bytes, and decodes back', () => {
    for (let len = 0; len <= 100; len++) {
      const bytes = new Uint8Array(randomBytes(len))
      const text = base32Upper(bytes)
      expect(text).toBe(base32upper.baseEncode(bytes))
      expect(base32Upper(bytes, '/x/')).toBe('/x/' + text)
      expect(base32UpperDecode(text)).toEqual(bytes)
    }
  })

  it('state keys and block IDs of v0 and v1 CIDs have Go\'s form and give the CID back', async () => {
    const digest = await sha256.digest(new TextEncoder().encode('a pin'))
    for (const cid of [CID.createV0(digest), CID.createV1(0x55, digest), CID.createV1(0x70, digest)]) {
      const key = stateKey(cid)
      expect(key).toBe('/' + base32upper.baseEncode(cid.bytes))
      expect(cidFromStateKey(key).equals(cid)).toBe(true)
      expect(blockId(cid)).toBe('/' + base32upper.baseEncode(cid.multihash.bytes))
    }
    expect(cidFromBlockId(blockId(CID.createV1(0x70, digest))).equals(CID.createV1(0x70, digest))).toBe(true)
  })
})

import { describe, expect, it } from 'vitest'
import {
  castCid, cidEquals, cidToString, InvalidMultiaddrError, InvalidPeerIdError, isCid, isPeerId, multiaddrPeerId,
  parseCid, parseMultiaddr, parsePeerId, parsePeerIdsLenient, peerIdToBytes
} from '../src/index.ts'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'

describe('CIDs', () => {
  it('castCid gives the CID its own bytes, not a view of the buffer it was read from', () => {
    const cid = parseCid('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')
    const message = new Uint8Array(65_536)
    message.set(cid.bytes, 500)
    const cast = castCid(message.subarray(500, 500 + cid.bytes.length))
    expect(cidEquals(cast, cid)).toBe(true)
    expect(cast.bytes.buffer.byteLength).toBeLessThan(500)
    expect(cast.multihash.digest.buffer.byteLength).toBeLessThan(500)
  })

  it('keeps v0 in base58 and prints v1 in base32, comparing by value', () => {
    const v0 = parseCid('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS')
    expect(cidToString(v0)).toBe('QmSZNMb8uztNA4S2yzEKQtSoEc1VPAxog91JAjR9Ye1deS')
    const a = parseCid('k2jmtxvh9locaxy4r5x8gk7gaeas3q43mgyjt9gfzeh2r8j1l3l16c8o')
    const b = parseCid('bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa')
    expect(a.toString()).toBe(b.toString())
    expect(cidEquals(a, b)).toBe(true)
    expect(cidEquals(a, v0)).toBe(false)
    expect(cidEquals(undefined, undefined)).toBe(true)
    expect(cidEquals(a, undefined)).toBe(false)
    expect(isCid(a)).toBe(true)
    expect(isCid('bafy')).toBe(false)
  })
})

describe('peer IDs', () => {
  it('canonicalises to base58btc and validates', () => {
    expect(parsePeerId(P1)).toBe(P1)
    expect(parsePeerId('bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe')).toBe('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')
    expect(isPeerId(P1)).toBe(true)
    expect(isPeerId('bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe')).toBe(false)
    expect(isPeerId(42)).toBe(false)
    expect(() => parsePeerId('')).toThrow(InvalidPeerIdError)
    expect(peerIdToBytes(parsePeerId(P1))[0]).toBe(0)
    expect(parsePeerIdsLenient(['x', P1, ''])).toEqual([P1])
  })
})

describe('multiaddrs', () => {
  it('validates, canonicalises /ipfs/ to /p2p/ and CID peer IDs to base58', () => {
    expect(parseMultiaddr(`/ip4/1.2.3.4/tcp/4001/ipfs/${P1}`)).toBe(`/ip4/1.2.3.4/tcp/4001/p2p/${P1}`)
    expect(parseMultiaddr('/ip4/1.2.3.4/tcp/1/p2p/bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe'))
      .toBe('/ip4/1.2.3.4/tcp/1/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')
    expect(parseMultiaddr('/dns4/example.org/tcp/443/wss')).toBe('/dns4/example.org/tcp/443/wss')
    expect(multiaddrPeerId(`/ip4/1.2.3.4/tcp/4001/p2p/${P1}`)).toBe(P1)
    expect(multiaddrPeerId('/ip4/1.2.3.4/tcp/4001')).toBeUndefined()
  })

  it('rejects empty and malformed addresses', () => {
    for (const bad of ['', '/', 'ip4/1.2.3.4', '/ip4/999.1.1.1', '/ip4/1.2.3.4/tcp/x', '/p2p/notapeer']) {
      expect(() => parseMultiaddr(bad), bad).toThrow(InvalidMultiaddrError)
    }
  })

  it('gives the same canonical text for a text parsed before, and keeps refusing a bad one, past the size of its cache', () => {
    const ipfsForm = `/ip4/1.2.3.4/tcp/4001/ipfs/${P1}`
    for (let round = 0; round < 2; round++) {
      expect(parseMultiaddr(ipfsForm)).toBe(`/ip4/1.2.3.4/tcp/4001/p2p/${P1}`)
      expect(() => parseMultiaddr('/ip4/999.1.1.1'), '/ip4/999.1.1.1').toThrow(InvalidMultiaddrError)
      // More distinct addresses than the cache holds (4096): it starts over, answers stay right.
      for (let i = 0; i < 5000; i++) expect(parseMultiaddr(`/ip4/10.${i >> 8}.${i & 255}.1/tcp/${4000 + round}`)).toBe(`/ip4/10.${i >> 8}.${i & 255}.1/tcp/${4000 + round}`)
    }
    expect(parseMultiaddr('/ip4/1.2.3.4/tcp/1/p2p/bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe')).toBe('/ip4/1.2.3.4/tcp/1/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')
  })
})

describe('base16 CIDs and peer IDs fail with Go hex errors', () => {
  it('reports the first invalid byte, then an odd length, as encoding/hex does', () => {
    const parse = parseCid
    expect(() => parse('foo')).toThrow("encoding/hex: invalid byte: U+006F 'o'")
    expect(() => parse('Fxyz')).toThrow("encoding/hex: invalid byte: U+0078 'x'")
    expect(() => parse('f0')).toThrow('encoding/hex: odd length hex string')
    expect(parse('f01551220' + 'ab'.repeat(32)).toString()).toBe(parse('f01551220' + 'AB'.repeat(32)).toString())
  })
})

import { describe, expect, it } from 'vitest'
import { decodePin, encodePin, parseCid, storedPin } from '@cluster/api'
import { cidFromStateKey, decodePinValue, encodePinValue, stateKey } from '../src/index.ts'
import { goPins, hex, unhex } from './helpers.ts'

describe('pin values and state keys (vectors from Go IPFS Cluster v1.1.6)', () => {
  for (const v of goPins()) {
    it(`encodes the "${v.name}" pin to Go's protobuf bytes and key`, () => {
      const pin = decodePin(v.pin)
      expect(hex(encodePinValue(pin))).toBe(v.protoHex)
      expect(stateKey(pin.cid)).toBe(v.key)
      expect(cidFromStateKey(v.key).equals(pin.cid)).toBe(true)
    })

    it(`decodes Go's "${v.name}" value as Go reads it back`, () => {
      const decoded = decodePinValue(unhex(v.protoHex), { offset: 0 })
      expect(encodePin(decoded)).toEqual(encodePin(storedPin(decodePin(v.pin), 0)))
      expect(hex(encodePinValue(decoded))).toBe(v.protoHex)
    })
  }

  it('matches the state-key vectors of the spec', () => {
    expect(stateKey(parseCid('QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn'))).toBe('/CIQFTFEEHEDF6KLBT32BFAGLXEZL4UWFNWM4LFTLMXQBCERZ6CMLX3Y')
    expect(stateKey(parseCid('bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354'))).toBe('/AFYBEICZSSCDSBS7FFQZ55ASQDF3SMV6KLCW3GOFSZVWLYARCI47BGF354')
  })

  it('gives a decoded pin\'s CIDs their own bytes, not views of the delta block they came from', () => {
    // A pin operation queued for hours must not keep the whole block of its delta alive.
    const value = unhex(goPins()[0]!.protoHex)
    const block = new Uint8Array(65_536)
    block.set(value, 1000)
    const pin = decodePinValue(block.subarray(1000, 1000 + value.length), { offset: 0 })
    expect(pin.cid.equals(decodePinValue(value, { offset: 0 }).cid)).toBe(true)
    expect(pin.cid.bytes.buffer.byteLength).toBeLessThan(1000)
    expect(pin.cid.multihash.digest.buffer.byteLength).toBeLessThan(1000)
  })

  it('rejects values Go rejects and falls back to the key CID like Go', () => {
    const good = unhex(goPins()[0]!.protoHex)
    // Allocations (field 3) holding bytes that are not a peer ID fail the whole value.
    const badAlloc = new Uint8Array([...good, 0x1a, 0x02, 0x01, 0x02])
    expect(() => decodePinValue(badAlloc)).toThrow()
    // A value without a CID field takes the key's CID.
    const keyCid = parseCid('QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn')
    expect(decodePinValue(new Uint8Array([0x32, 0x00]), { keyCid }).cid.equals(keyCid)).toBe(true)
    expect(() => decodePinValue(new Uint8Array([0x32, 0x00]))).toThrow(/no valid CID/)
    // Truncated input is an error, not a partial pin.
    expect(() => decodePinValue(good.subarray(0, good.length - 3))).toThrow()
  })
})

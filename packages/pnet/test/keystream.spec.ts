import { xsalsa20 } from '@noble/ciphers/salsa.js'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { KeystreamExhaustedError, XSalsa20Stream } from '../src/index.ts'
import { LAST_BLOCK } from '../src/keystream.ts'
import { bytes } from './helpers.ts'

const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1)
const nonce = Uint8Array.from({ length: 24 }, (_, i) => 255 - i)

/** Ciphertext of the whole message in one pass. */
function onePass (plain: Uint8Array): Uint8Array {
  return xsalsa20(key, nonce, plain)
}

/** Ciphertext of the message cut at `sizes` (cycled), each piece through the same stream. */
function chunked (plain: Uint8Array, sizes: readonly number[]): Uint8Array {
  const stream = new XSalsa20Stream(key, nonce)
  const out = new Uint8Array(plain.byteLength)
  let at = 0
  for (let k = 0; at < plain.byteLength; k++) {
    const size = Math.min(sizes[k % sizes.length]!, plain.byteLength - at)
    out.set(stream.process(plain.subarray(at, at + size)), at)
    at += size
  }
  expect(stream.position).toBe(plain.byteLength)
  return out
}

describe('XSalsa20Stream', () => {
  const plain = bytes(300_000)
  const expected = onePass(plain)

  // [name, chunk sizes (cycled), message length]
  it.each([
    ['1 byte', [1], 20_000],
    ['63 bytes', [63], plain.byteLength],
    ['64 bytes', [64], plain.byteLength],
    ['65 bytes', [65], plain.byteLength],
    ['mixed odd sizes', [1, 63, 64, 65, 3, 127, 129, 4093, 1, 2], plain.byteLength],
    ['pieces larger than the internal 64 KiB piece', [70_001, 131_073], plain.byteLength],
    // The keystream is made 16 blocks (1 KiB) ahead; from 1 KiB on a chunk on a block boundary is ciphered in place.
    ['sizes around the keystream window', [1023, 1024, 1025, 1, 2047, 64, 960, 1024], plain.byteLength]
  ] as const)('chunks of %s give the one-pass ciphertext', (_name, sizes, length) => {
    const input = plain.subarray(0, length)
    expect(Buffer.from(chunked(input, sizes)).equals(Buffer.from(expected.subarray(0, input.byteLength)))).toBe(true)
  })

  it('random splits give the one-pass ciphertext', () => {
    let seed = 42
    for (let round = 0; round < 20; round++) {
      const sizes = Array.from({ length: 50 }, () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
        return 1 + (seed % 9000)
      })
      expect(Buffer.from(chunked(plain, sizes)).equals(Buffer.from(expected))).toBe(true)
    }
  })

  it('a message in several chunks (Uint8ArrayList) and unaligned inputs give the same bytes', () => {
    const stream = new XSalsa20Stream(key, nonce)
    const head = stream.process(plain.subarray(0, 5))
    // Views at odd offsets, as socket buffers sliced from a pool are.
    const list = new Uint8ArrayList(plain.subarray(5, 1001), plain.subarray(1001, 1002), plain.subarray(1002, 200_003))
    const rest = stream.process(list)
    expect(Buffer.concat([head, rest]).equals(Buffer.from(expected.subarray(0, 200_003)))).toBe(true)
  })

  it('leaves its input untouched and decrypts with a second stream', () => {
    const copy = plain.slice(0, 10_000)
    const sealed = new XSalsa20Stream(key, nonce).process(copy)
    expect(Buffer.from(copy).equals(Buffer.from(plain.subarray(0, 10_000)))).toBe(true)
    const opened = new XSalsa20Stream(key, nonce).process(sealed)
    expect(Buffer.from(opened).equals(Buffer.from(copy))).toBe(true)
  })

  it('continues the keystream across a chunk ending mid-block (offset kept)', () => {
    const stream = new XSalsa20Stream(key, nonce)
    stream.process(new Uint8Array(100))
    expect(stream.position).toBe(100)
    const next = stream.process(plain.subarray(100, 228))
    expect(Buffer.from(next).equals(Buffer.from(expected.subarray(100, 228)))).toBe(true)
  })

  it('makes no keystream past the last block when fewer than a window of blocks are left', () => {
    const start = LAST_BLOCK - 2
    const stream = new XSalsa20Stream(key, nonce, start)
    const pieces = [stream.process(new Uint8Array(10)), stream.process(new Uint8Array(100)), stream.process(new Uint8Array(82))]
    // Blocks start..LAST_BLOCK of the same keystream, made in one pass from `start`.
    const whole = xsalsa20(key, nonce, new Uint8Array(192), undefined, start)
    expect(Buffer.concat(pieces).equals(Buffer.from(whole))).toBe(true)
    expect(() => { stream.apply(new Uint8Array(1)) }).toThrow(KeystreamExhaustedError)
  })

  it('refuses to go past the last addressable block, without touching the data', () => {
    const stream = new XSalsa20Stream(key, nonce, LAST_BLOCK)
    const last = stream.process(new Uint8Array(60))
    expect(last.byteLength).toBe(60)
    const data = new Uint8Array(10).fill(9)
    expect(() => { stream.apply(data) }).toThrow(KeystreamExhaustedError)
    expect([...data]).toEqual(new Array(10).fill(9))
    // The last 4 bytes of the last block are still usable.
    stream.apply(new Uint8Array(4))
    expect(() => { stream.apply(new Uint8Array(1)) }).toThrow(KeystreamExhaustedError)
  })
})

/** Chunkers: Kubo's rabin port cuts at the same places however the bytes arrive. */
import { describe, expect, it } from 'vitest'
import { createChunker, parseChunker } from '../src/chunker.ts'
import { seededBytes } from '@cluster/test-utils'

async function chunks (spec: string, data: Uint8Array, piece: number): Promise<number[]> {
  async function * source (): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i += piece) yield data.subarray(i, i + piece)
  }
  const sizes: number[] = []
  for await (const chunk of createChunker(parseChunker(spec))(source())) sizes.push(chunk.length)
  return sizes
}

describe('chunkers', () => {
  it('parses the chunker forms as Kubo does', () => {
    expect(parseChunker('size-262144')).toEqual({ kind: 'size', size: 262144 })
    expect(parseChunker('')).toEqual({ kind: 'size', size: 262144 })
    expect(parseChunker('rabin')).toEqual({ kind: 'rabin', min: 87381, avg: 262144, max: 393216 })
    expect(parseChunker('rabin-1000')).toEqual({ kind: 'rabin', min: 333, avg: 1000, max: 1500 })
    expect(parseChunker('rabin-min:100-avg:200-max:300')).toEqual({ kind: 'rabin', min: 100, avg: 200, max: 300 })
  })

  it('rabin boundaries do not depend on how the input is split', async () => {
    const data = seededBytes(300_000, 41)
    const whole = await chunks('rabin-512-4096-16384', data, data.length)
    expect(whole.reduce((a, b) => a + b, 0)).toBe(data.length)
    expect(whole.length).toBeGreaterThan(10)
    expect(whole.slice(0, -1).every(n => n >= 512 && n <= 16384)).toBe(true)
    for (const piece of [1, 15, 16, 17, 511, 4097, 65_536]) {
      expect(await chunks('rabin-512-4096-16384', data, piece), `pieces of ${piece}`).toEqual(whole)
    }
  })

  it('an empty input is one empty chunk, as with fixed-size chunks', async () => {
    expect(await chunks('rabin', new Uint8Array(0), 1)).toEqual([0])
    expect(await chunks('size-10', new Uint8Array(0), 1)).toEqual([0])
    expect(await chunks('size-10', new Uint8Array(25), 7)).toEqual([10, 10, 5])
  })
})

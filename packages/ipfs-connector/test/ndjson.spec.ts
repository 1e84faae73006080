import { describe, expect, it } from 'vitest'
import { IpfsBadResponseError, parseNdjson } from '../src/index.ts'

async function * chunksOf (...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p
}

async function collect (it: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('parseNdjson', () => {
  it('parses values split anywhere across chunks, skips blank lines, keeps a last unterminated line', async () => {
    const euro = Buffer.from('{"s":"€"}\n')
    const values = await collect(parseNdjson(chunksOf('{"a":', '1}\n\n{"b"', ':2}\n', euro.subarray(0, 7), euro.subarray(7), '{"c":3}'), 'x', 1024))
    expect(values).toEqual([{ a: 1 }, { b: 2 }, { s: '€' }, { c: 3 }])
  })

  it('refuses a line longer than the limit instead of buffering without bound', async () => {
    const big = 'x'.repeat(600)
    const err = await collect(parseNdjson(chunksOf(big, big), 'pin/ls', 1000)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(IpfsBadResponseError)
    expect((err as Error).message).toContain('longer than 1000 bytes')
  })

  it('passes the source text of numbers to the reviver (bigint-exact parsing)', async () => {
    const values = await collect(parseNdjson(chunksOf('{"n":18446744073709551615}\n'), 'x', 1024,
      (_k, v, ctx) => typeof v === 'number' && ctx?.source !== undefined ? BigInt(ctx.source) : v))
    expect(values).toEqual([{ n: 18446744073709551615n }])
  })
})

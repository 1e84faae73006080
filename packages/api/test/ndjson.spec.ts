import { describe, expect, it } from 'vitest'
import { ApiError, NdjsonLineTooLongError, ndjsonLines, ndjsonLinesSync, type NdjsonLine } from '../src/index.ts'

const enc = new TextEncoder()

async function * chunksOf (...parts: Array<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  for (const p of parts) yield p
}

async function collect (it: AsyncIterable<NdjsonLine>): Promise<NdjsonLine[]> {
  const out: NdjsonLine[] = []
  for await (const x of it) out.push(x)
  return out
}

const MAX = 1024

describe('ndjsonLines', () => {
  // Blank lines, CRLF, multi-byte UTF-8 (2, 3 and 4 bytes) and a last line without a newline.
  const sample = enc.encode('{"a":1}\n\n  \r\n{"s":"é€😀"}\r\n\t{"b":2}\n{"c":"last"}')
  const expected: NdjsonLine[] = [
    { text: '{"a":1}', line: 1 },
    { text: '{"s":"é€😀"}', line: 4 },
    { text: '\t{"b":2}', line: 5 },
    { text: '{"c":"last"}', line: 6 }
  ]

  it('reads a sample in one chunk', async () => {
    expect(await collect(ndjsonLines(chunksOf(sample), { maxLineBytes: MAX }))).toEqual(expected)
  })

  it('gives the same lines whatever byte the chunks are cut at (one cut, two cuts)', async () => {
    for (let i = 0; i <= sample.length; i++) {
      const one = await collect(ndjsonLines(chunksOf(sample.subarray(0, i), sample.subarray(i)), { maxLineBytes: MAX }))
      expect(one, `cut at ${i}`).toEqual(expected)
      for (let j = i; j <= sample.length; j++) {
        const parts = [sample.subarray(0, i), sample.subarray(i, j), sample.subarray(j)]
        expect([...ndjsonLinesSync(parts, { maxLineBytes: MAX })], `cuts at ${i}, ${j}`).toEqual(expected)
      }
    }
  })

  it('reads byte by byte', async () => {
    const bytes = Array.from(sample, b => Uint8Array.of(b))
    expect(await collect(ndjsonLines(chunksOf(...bytes), { maxLineBytes: MAX }))).toEqual(expected)
  })

  it('joins a multi-byte character split across chunks', async () => {
    const line = enc.encode('"😀"\n')
    const got = await collect(ndjsonLines(chunksOf(line.subarray(0, 2), line.subarray(2, 3), line.subarray(3)), { maxLineBytes: MAX }))
    expect(got).toEqual([{ text: '"😀"', line: 1 }])
  })

  it('takes string chunks, and a mix of strings and bytes', async () => {
    expect(await collect(ndjsonLines(chunksOf('{"a":', '1}\r\n', enc.encode('{"b":"€'), '"}\n'), { maxLineBytes: MAX })))
      .toEqual([{ text: '{"a":1}', line: 1 }, { text: '{"b":"€"}', line: 2 }])
  })

  it('yields nothing for empty or blank input', async () => {
    expect(await collect(ndjsonLines(chunksOf(), { maxLineBytes: MAX }))).toEqual([])
    expect(await collect(ndjsonLines(chunksOf('', '\n', ' \r\n', '\t'), { maxLineBytes: MAX }))).toEqual([])
  })

  it('throws NdjsonLineTooLongError for a line over the limit, split or not, before buffering it', async () => {
    const split = await collect(ndjsonLines(chunksOf('{"a":1}\n', 'x'.repeat(600), 'x'.repeat(600)), { maxLineBytes: 1000 })).catch((e: unknown) => e)
    expect(split).toBeInstanceOf(NdjsonLineTooLongError)
    expect(split).toBeInstanceOf(ApiError)
    expect(split).toMatchObject({ code: 'ERR_NDJSON_LINE_TOO_LONG', line: 2, maxLineBytes: 1000, message: 'line 2 is longer than 1000 bytes' })

    const whole = await collect(ndjsonLines(chunksOf(`${'x'.repeat(1001)}\n`), { maxLineBytes: 1000 })).catch((e: unknown) => e)
    expect(whole).toMatchObject({ name: 'NdjsonLineTooLongError', line: 1 })

    // Exactly at the limit is fine (the newline is not counted).
    const atLimit = await collect(ndjsonLines(chunksOf('x'.repeat(500), `${'x'.repeat(500)}\n`), { maxLineBytes: 1000 }))
    expect(atLimit).toHaveLength(1)
  })

  it('yields lines before a later line fails', async () => {
    const seen: string[] = []
    const err = await (async () => {
      for await (const { text } of ndjsonLines(chunksOf('1\n2\n', 'x'.repeat(20)), { maxLineBytes: 10 })) seen.push(text)
    })().catch((e: unknown) => e)
    expect(seen).toEqual(['1', '2'])
    expect(err).toBeInstanceOf(NdjsonLineTooLongError)
  })

  it('reads sync iterables with the async reader too', async () => {
    expect(await collect(ndjsonLines(['{"a":1}\n', '{"b":2}'], { maxLineBytes: MAX })))
      .toEqual([{ text: '{"a":1}', line: 1 }, { text: '{"b":2}', line: 2 }])
  })
})

import { IpfsBadResponseError, messageOf } from './errors.ts'

/** A `JSON.parse` reviver; the third argument carries the source text of primitives. */
export type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown

const NEWLINE = 0x0a

/**
 * Parse newline-delimited JSON from byte chunks, one value per line, as the bytes arrive.
 * Memory is bounded by the longest line (at most `maxLineBytes`), never by the stream.
 * Blank lines are skipped; a last line without a trailing newline is parsed too.
 */
export async function * parseNdjson<T> (
  chunks: AsyncIterable<Uint8Array>,
  label: string,
  maxLineBytes: number,
  reviver?: Reviver
): AsyncGenerator<T> {
  let carry: Buffer[] = []
  let carrySize = 0
  let lineNo = 0
  const parse = (line: Buffer): T | undefined => {
    lineNo++
    const text = line.toString('utf8')
    if (text.trim() === '') return undefined
    try {
      return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]) as T
    } catch (err) {
      throw new IpfsBadResponseError(label, `line ${lineNo} is not JSON (${messageOf(err)}): ${JSON.stringify(text.slice(0, 120))}`, err)
    }
  }
  for await (const raw of chunks) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    let start = 0
    let idx: number
    while ((idx = chunk.indexOf(NEWLINE, start)) !== -1) {
      let line = chunk.subarray(start, idx)
      if (carry.length > 0) {
        carry.push(line)
        line = Buffer.concat(carry)
        carry = []
        carrySize = 0
      }
      start = idx + 1
      const value = parse(line)
      if (value !== undefined) yield value
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start)
      carrySize += rest.length
      if (carrySize > maxLineBytes) throw new IpfsBadResponseError(label, `line longer than ${maxLineBytes} bytes`)
      carry.push(rest)
    }
  }
  if (carry.length > 0) {
    const value = parse(Buffer.concat(carry))
    if (value !== undefined) yield value
  }
}

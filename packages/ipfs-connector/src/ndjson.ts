import { NdjsonLineTooLongError, ndjsonLines } from '@cluster/api'
import { IpfsBadResponseError, messageOf } from './errors.ts'

/** A `JSON.parse` reviver; the third argument carries the source text of primitives. */
export type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown

/**
 * Parse newline-delimited JSON from byte chunks, one value per line, as the bytes arrive (lines
 * split by @cluster/api's `ndjsonLines`). Memory is bounded by the longest line (at most
 * `maxLineBytes`), never by the stream. Blank lines are skipped; a last line without a trailing
 * newline is parsed too.
 */
export async function * parseNdjson<T> (
  chunks: AsyncIterable<Uint8Array>,
  label: string,
  maxLineBytes: number,
  reviver?: Reviver
): AsyncGenerator<T> {
  try {
    for await (const { text, line } of ndjsonLines(chunks, { maxLineBytes })) {
      let value: T
      try {
        value = JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]) as T
      } catch (err) {
        throw new IpfsBadResponseError(label, `line ${line} is not JSON (${messageOf(err)}): ${JSON.stringify(text.slice(0, 120))}`, err)
      }
      yield value
    }
  } catch (err) {
    if (err instanceof NdjsonLineTooLongError) throw new IpfsBadResponseError(label, `line longer than ${maxLineBytes} bytes`, err)
    throw err
  }
}

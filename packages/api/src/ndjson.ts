/**
 * The one NDJSON line reader of the cluster: Kubo's streamed answers, the proxy's upstream, batch
 * request bodies and snapshots all split lines here. Lines are found on the bytes (a `\n` byte
 * never occurs inside a multi-byte UTF-8 sequence, so a character split across chunks is whole
 * again once its line is), and only whole lines are decoded. Platform-neutral: no node: modules.
 * JSON parsing stays with the callers, which have their own errors and messages.
 */
import { NdjsonLineTooLongError } from './errors.ts'

/** A non-blank line. */
export interface NdjsonLine {
  /** Its text, without the `\n` and a trailing `\r`. */
  text: string
  /** 1-based, blank lines counted (what a user sees in an editor). */
  line: number
}

export interface NdjsonOptions {
  /** Most bytes a line may have, its `\n` not counted; a longer one throws NdjsonLineTooLongError. */
  maxLineBytes: number
}

const LF = 0x0a
const CR = 0x0d
const EMPTY = new Uint8Array(0)
// Not fatal: invalid UTF-8 becomes U+FFFD (as Buffer#toString did), JSON.parse then judges.
const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** Whether a byte is JSON whitespace (or \v, \f): a line of only these is blank. */
function isSpace (b: number): boolean {
  return b === 0x20 || b === 0x09 || b === CR || b === 0x0b || b === 0x0c
}

/** The text of a line's bytes, or undefined when it is blank. */
function textOf (bytes: Uint8Array): string | undefined {
  let end = bytes.length
  if (end > 0 && bytes[end - 1] === CR) end--
  let i = 0
  while (i < end && isSpace(bytes[i] as number)) i++
  if (i === end) return undefined
  return decoder.decode(end === bytes.length ? bytes : bytes.subarray(0, end))
}

/** The splitting state shared by the sync and async readers. */
class LineSplitter {
  /** The unterminated start of the next line: views of the chunks it came in (no copies until its end). */
  private carry: Uint8Array[] = []
  private carrySize = 0
  private lineNo = 0
  private readonly max: number

  constructor (maxLineBytes: number) {
    this.max = maxLineBytes
  }

  /** The lines that end in this chunk. */
  * push (chunk: Uint8Array | string): Generator<NdjsonLine> {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk
    let start = 0
    let idx: number
    while ((idx = bytes.indexOf(LF, start)) !== -1) {
      this.lineNo++
      if (this.carrySize + idx - start > this.max) throw new NdjsonLineTooLongError(this.lineNo, this.max)
      const line = this.carry.length === 0 ? bytes.subarray(start, idx) : this.takeCarry(bytes.subarray(start, idx))
      start = idx + 1
      const text = textOf(line)
      if (text !== undefined) yield { text, line: this.lineNo }
    }
    if (start < bytes.length) {
      this.carrySize += bytes.length - start
      // Checked before the newline comes: memory stays bounded by maxLineBytes (+ one chunk).
      if (this.carrySize > this.max) throw new NdjsonLineTooLongError(this.lineNo + 1, this.max)
      this.carry.push(start === 0 ? bytes : bytes.subarray(start))
    }
  }

  /** The last line when the input does not end with a newline. */
  end (): NdjsonLine | undefined {
    if (this.carry.length === 0) return undefined
    this.lineNo++
    const text = textOf(this.takeCarry(EMPTY))
    return text === undefined ? undefined : { text, line: this.lineNo }
  }

  /** The carried bytes followed by `tail`, as one array (one copy per line split across chunks). */
  private takeCarry (tail: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.carrySize + tail.length)
    let at = 0
    for (const piece of this.carry) {
      out.set(piece, at)
      at += piece.length
    }
    out.set(tail, at)
    this.carry = []
    this.carrySize = 0
    return out
  }
}

/**
 * The non-blank lines of NDJSON arriving in chunks (bytes, or strings, which are UTF-8 encoded
 * first), as they complete. Memory is bounded by `maxLineBytes`, never by the stream; a last line
 * without a trailing newline is yielded too.
 */
export async function * ndjsonLines (
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: NdjsonOptions
): AsyncGenerator<NdjsonLine> {
  const splitter = new LineSplitter(options.maxLineBytes)
  for await (const chunk of chunks) {
    for (const line of splitter.push(chunk)) yield line
  }
  const last = splitter.end()
  if (last !== undefined) yield last
}

/** {@link ndjsonLines} over chunks already in memory (a whole body, a snapshot). */
export function * ndjsonLinesSync (chunks: Iterable<Uint8Array | string>, options: NdjsonOptions): Generator<NdjsonLine> {
  const splitter = new LineSplitter(options.maxLineBytes)
  for (const chunk of chunks) yield * splitter.push(chunk)
  const last = splitter.end()
  if (last !== undefined) yield last
}

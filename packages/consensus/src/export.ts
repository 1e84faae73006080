import { decodePin, encodePin, parseJson, stringifyJson, type Pin } from '@cluster/api'
import { StringDecoder } from 'node:string_decoder'
import { StateFormatError } from './errors.ts'

/** `state export`: one Go-JSON pin per line, as Go's `ipfs-cluster-service state export`. */
export function * exportPins (pins: Iterable<Pin>): Generator<string> {
  for (const pin of pins) yield stringifyJson(encodePin(pin)) + '\n'
}

/**
 * `state import` input: JSON pins one after another, separated by any whitespace (Go's
 * json.Decoder loop). Fails with StateFormatError naming the value that is malformed.
 */
export function parsePinStream (text: string): Pin[] {
  const values = new JsonValues()
  const pins = values.push(text).map((value, i) => decodeNth(value, i + 1))
  values.end()
  return pins
}

/**
 * The same input read as it arrives, in chunks of UTF-8 (a file or stdin): the input is never one
 * string, which V8 caps at 2^29 − 24 characters (a state of ~1.1M pins in Go's JSON).
 */
export async function * pinsOfChunks (chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Pin> {
  const decoder = new StringDecoder('utf8')
  const values = new JsonValues()
  let n = 0
  for await (const chunk of chunks) {
    for (const value of values.push(decoder.write(chunk as Buffer))) yield decodeNth(value, ++n)
  }
  for (const value of values.push(decoder.end())) yield decodeNth(value, ++n)
  values.end()
}

function decodeNth (value: string, n: number): Pin {
  try {
    return decodePin(parseJson(value))
  } catch (err) {
    throw new StateFormatError(`pin #${n} of the import is malformed: ${(err as Error).message}`)
  }
}

const QUOTE = 0x22
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/** JavaScript's `\s` (as the import read whitespace before): ASCII space and controls, and Unicode spaces. */
function isSpace (c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c > 0x7f && /\s/.test(String.fromCharCode(c)))
}

/**
 * Splits text given piece by piece into whole JSON objects or arrays (strings and escapes
 * respected, whitespace between them skipped); a value may span pieces. Only the value being
 * read is kept.
 */
class JsonValues {
  /** The beginning of a value that goes on in the next piece. */
  private pending = ''
  /** Where the value being read starts in the piece: −1 none, −2 in `pending`. */
  private start = -1
  /** Offset of the next piece in the whole input, for messages. */
  private base = 0
  private depth = 0
  private inString = false
  private escaped = false

  push (piece: string): string[] {
    const values: string[] = []
    // The scan's state in locals, and the piece scanned as it is (a flat string). Outside strings
    // the loop looks at every character; inside one it jumps to the next quote or backslash
    // (most of a pin's text is strings).
    let { start, depth, inString, escaped } = this
    /** The next backslash at or after the scan, −1 when the piece has none left (searched again only once passed). */
    let backslash = -2
    let i = 0
    while (i < piece.length) {
      if (inString) {
        if (escaped) {
          escaped = false
          i++
          continue
        }
        if (backslash !== -1 && backslash < i) backslash = piece.indexOf('\\', i)
        const quote = piece.indexOf('"', i)
        if (backslash !== -1 && (quote === -1 || backslash < quote)) {
          escaped = true
          i = backslash + 1
        } else if (quote === -1) {
          i = piece.length
        } else {
          inString = false
          i = quote + 1
        }
        continue
      }
      const c = piece.charCodeAt(i)
      if (start === -1) {
        if (isSpace(c)) {
          i++
          continue
        }
        if (c !== OPEN_BRACE && c !== OPEN_BRACKET) throw new StateFormatError(`expected a JSON object at offset ${this.base + i}`)
        start = i
      }
      if (c === QUOTE) inString = true
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--
        if (depth === 0) {
          values.push(start === -2 ? this.pending + piece.slice(0, i + 1) : piece.slice(start, i + 1))
          this.pending = ''
          start = -1
        }
      }
      i++
    }
    if (start === -2) this.pending += piece
    else if (start >= 0) {
      this.pending = piece.slice(start)
      start = -2
    }
    this.base += piece.length
    this.start = start
    this.depth = depth
    this.inString = inString
    this.escaped = escaped
    return values
  }

  /** Fails when the input ended inside a value. */
  end (): void {
    if (this.start !== -1) throw new StateFormatError('truncated JSON value at the end of the import')
  }
}

/**
 * Just enough HTTP/1.1 to relay Kubo's answers without a general-purpose parser in the way:
 * the response head, and where the body ends (Content-Length, chunked, or the connection's
 * close). The chunked decoder only looks at the chunk-size lines; the data between them is
 * handed on as slices of the buffers read from the socket, never copied.
 */

/** A response head larger than this is refused (Kubo's are a few hundred bytes). */
export const MAX_RESPONSE_HEAD_BYTES = 64 * 1024
/** Chunk-size lines (with extensions) and the trailer section are bounded too. */
const MAX_LINE_BYTES = 4 * 1024
const MAX_TRAILER_BYTES = 64 * 1024

/** The framing of an HTTP body does not parse. */
export class FramingError extends Error {
  override readonly name = 'FramingError'
  readonly code = 'ERR_PROXY_FRAMING'
}

export interface ResponseHead {
  status: number
  statusText: string
  /** `HTTP/1.0` answers close the connection unless they say otherwise. */
  http10: boolean
  /** Header fields in order, names as sent. */
  fields: Array<[string, string]>
}

/** Parses a response head (without its final blank line); undefined when malformed. */
export function parseResponseHead (head: string): ResponseHead | undefined {
  const lines = head.split('\r\n')
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines.shift() ?? '')
  if (m === null) return undefined
  const fields: Array<[string, string]> = []
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) return undefined
    fields.push([line.slice(0, colon), line.slice(colon + 1).trim()])
  }
  return { status: Number(m[2]), statusText: m[3] ?? '', http10: m[1] === '0', fields }
}

/** The comma-separated tokens of every field called `name`, lower-cased. */
export function fieldTokens (fields: Array<[string, string]>, name: string): Set<string> {
  const out = new Set<string>()
  for (const [k, v] of fields) {
    if (k.toLowerCase() !== name) continue
    for (const token of v.split(',')) if (token.trim() !== '') out.add(token.trim().toLowerCase())
  }
  return out
}

/** Receives body data (slices of the read buffers) while a body is decoded. */
export type BodySink = (data: Buffer) => void

/** Where a body ends, and what is left of the buffer after it. */
export interface BodyDecoder {
  /** Decodes `buf`, passing data to `sink`; returns the index just after the body's end, or -1 if it goes on. */
  push: (buf: Buffer, sink: BodySink) => number
  /** The trailer fields (chunked bodies only), once ended. */
  readonly trailers: Array<[string, string]>
  /** Whether the body ends only when the connection closes. */
  readonly untilClose: boolean
}

/** The body of a response with this head, to a request with `method` (RFC 9112 §6.3). */
export function bodyDecoderFor (head: ResponseHead, method: string): BodyDecoder {
  if (method === 'HEAD' || head.status === 204 || head.status === 304 || (head.status >= 100 && head.status < 200)) return new LengthDecoder(0)
  if (fieldTokens(head.fields, 'transfer-encoding').has('chunked')) return new ChunkedDecoder()
  const lengths = head.fields.filter(([k]) => k.toLowerCase() === 'content-length').map(([, v]) => v)
  if (lengths.length > 0) {
    const distinct = new Set(lengths.flatMap(v => v.split(',').map(s => s.trim())))
    const value = [...distinct][0] ?? ''
    if (distinct.size !== 1 || !/^\d{1,15}$/.test(value)) throw new FramingError(`invalid Content-Length ${JSON.stringify(lengths.join(', '))}`)
    return new LengthDecoder(Number(value))
  }
  return new CloseDecoder()
}

class LengthDecoder implements BodyDecoder {
  readonly trailers: Array<[string, string]> = []
  readonly untilClose = false
  private remaining: number
  constructor (length: number) { this.remaining = length }

  push (buf: Buffer, sink: BodySink): number {
    const take = Math.min(this.remaining, buf.length)
    if (take > 0) sink(take === buf.length ? buf : buf.subarray(0, take))
    this.remaining -= take
    return this.remaining === 0 ? take : -1
  }
}

class CloseDecoder implements BodyDecoder {
  readonly trailers: Array<[string, string]> = []
  readonly untilClose = true

  push (buf: Buffer, sink: BodySink): number {
    if (buf.length > 0) sink(buf)
    return -1
  }
}

const LF = 0x0a

class ChunkedDecoder implements BodyDecoder {
  readonly trailers: Array<[string, string]> = []
  readonly untilClose = false
  private state: 'size' | 'data' | 'data-end' | 'trailer' = 'size'
  /** Bytes of the chunk being copied that are still to come. */
  private remaining = 0
  /** The line being collected (size line, or a trailer line) when it straddles buffers. */
  private line = ''
  private trailerBytes = 0

  push (buf: Buffer, sink: BodySink): number {
    let i = 0
    while (i < buf.length) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, buf.length - i)
        sink(buf.subarray(i, i + take))
        i += take
        this.remaining -= take
        if (this.remaining === 0) this.state = 'data-end'
        continue
      }
      const lf = buf.indexOf(LF, i)
      const end = lf < 0 ? buf.length : lf
      this.line += buf.toString('latin1', i, end)
      if (this.line.length > MAX_LINE_BYTES) throw new FramingError('chunk line too long')
      i = lf < 0 ? buf.length : lf + 1
      if (lf < 0) break
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line
      this.line = ''
      if (this.state === 'data-end') {
        if (line !== '') throw new FramingError('chunk data not followed by CRLF')
        this.state = 'size'
      } else if (this.state === 'size') {
        const m = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line)
        if (m === null) throw new FramingError(`invalid chunk size line ${JSON.stringify(line.slice(0, 40))}`)
        this.remaining = parseInt(m[1] as string, 16)
        this.state = this.remaining === 0 ? 'trailer' : 'data'
      } else {
        if (line === '') return i
        this.trailerBytes += line.length
        if (this.trailerBytes > MAX_TRAILER_BYTES) throw new FramingError('trailer section too large')
        const colon = line.indexOf(':')
        if (colon <= 0) throw new FramingError('malformed trailer field')
        this.trailers.push([line.slice(0, colon), line.slice(colon + 1).trim()])
      }
    }
    return -1
  }
}

/** Index just after the first `\r\n\r\n` in `buf`, or -1. */
export function headEnd (buf: Buffer): number {
  const at = buf.indexOf('\r\n\r\n', 0, 'latin1')
  return at < 0 ? -1 : at + 4
}

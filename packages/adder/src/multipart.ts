/**
 * Streaming reader of the `POST /add` multipart body, framed as Go's mime/multipart frames it
 * (preamble skipped, transport padding after boundaries, an empty first part without its CRLF,
 * LF-only line ends accepted in boundary and header lines). Parts are handed out one at a time
 * and their content is pulled from the body as it is read: nothing is buffered beyond one chunk
 * of the body, and the body is read no faster than the parts are consumed.
 */
import type { AddUpload } from '@cluster/api'
import { uploadBoundary } from './content-type.ts'
import { InvalidUploadError } from './errors.ts'
import { partHeaders } from './part-headers.ts'

/** One multipart part. */
export interface RawPart {
  /** The `filename` parameter, still escaped; `''` for a nameless part. */
  filename: string
  /** The part's Content-Type, lower-cased (`application/octet-stream` when absent). */
  mimeType: string
  /** The part's bytes; reading stops being possible once the next part was asked for. */
  content: AsyncIterable<Uint8Array>
}

/** Longest preamble line or header block we read (Go's own limit is larger, but no client needs it). */
const MAX_HEADER_BYTES = 1 << 20

const noop = (): void => {}
const LF = 0x0a

/** Resolves like `promise`, or rejects when `signal` aborts first (the promise is then ignored). */
async function raceAbort<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(noop)
  if (signal.aborted) throw signal.reason
  let onAbort = noop
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

type State = 'preamble' | 'headers' | 'body' | 'done'

function unexpectedEnd (): InvalidUploadError {
  return new InvalidUploadError('malformed multipart upload: unexpected end of the body')
}

export class MultipartReader {
  private readonly upload: AddUpload
  private readonly stop = new AbortController()
  /** `--boundary` and `\r\n--boundary` */
  private readonly dashBoundary: Buffer
  private readonly delimiter: Buffer
  private body: AsyncIterator<Uint8Array> | undefined
  private buf: Buffer = Buffer.alloc(0)
  private pos = 0
  private eof = false
  private state: State = 'preamble'
  /** Bumped with every part, so a stale part's content reads nothing. */
  private partId = 0
  /** Serialises body reads: a part's content and nextPart never read at the same time. */
  private lock: Promise<unknown> = Promise.resolve()
  /** Some content of the current part was handed out (before that, `--boundary` alone ends it). */
  private partStarted = false
  private closed = false
  /** The first fatal error: malformed or truncated body, a failing body, an abort. */
  failure: Error | undefined

  constructor (upload: AddUpload) {
    this.upload = upload
    const boundary = uploadBoundary(upload.contentType)
    this.dashBoundary = Buffer.from(`--${boundary}`, 'utf8')
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'utf8')
  }

  /** The next part in body order, undefined after the last one. Throws the reader's failure. */
  async nextPart (): Promise<RawPart | undefined> {
    return await this.locked(async () => {
      if (this.state === 'body') while (await this.bodyChunk() !== undefined) { /* the rest of an unread part */ }
      if (this.state === 'preamble') await this.skipPreamble()
      if (this.state === 'done') return undefined
      const block = await this.readHeaderBlock()
      const { filename, mimeType } = partHeaders(block)
      this.state = 'body'
      const id = ++this.partId
      return { filename, mimeType, content: this.partContent(id) }
    })
  }

  /** Stops reading with `err` (first failure wins); the body is released. */
  fail (err: Error): void {
    if (this.failure !== undefined || this.closed) return
    this.failure = err
    this.release(err)
  }

  /** Releases everything; safe to call more than once and after a failure. */
  close (): void {
    if (this.closed) return
    const unfinished = this.state !== 'done' && this.failure === undefined
    this.closed = true
    this.release(unfinished ? new InvalidUploadError('the add ended before the upload was read') : undefined)
  }

  private release (reason: Error | undefined): void {
    this.stop.abort(reason)
    const body = this.body
    this.body = undefined
    this.eof = true
    try {
      body?.return?.()?.catch(noop)
    } catch { /* a body that cannot be stopped */ }
  }

  private async locked<T> (op: () => Promise<T>): Promise<T> {
    const run = this.lock.then(async () => {
      if (this.failure !== undefined) throw this.failure
      try {
        return await op()
      } catch (err) {
        const failure = err instanceof InvalidUploadError || this.stop.signal.aborted ? err as Error : this.wrap(err)
        this.fail(failure)
        throw this.failure ?? failure
      }
    })
    this.lock = run.catch(noop)
    return await run
  }

  private wrap (err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err)
    return new InvalidUploadError(`reading the upload failed: ${message}`, { cause: err })
  }

  private async * partContent (id: number): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.locked(async () => this.partId === id && this.state === 'body' ? await this.bodyChunk() : undefined)
      if (chunk === undefined) return
      yield chunk
    }
  }

  /** Reads one more piece of the body into the buffer; false at its end. */
  private async fill (): Promise<boolean> {
    if (this.eof) return false
    const { signal } = this.stop
    this.body ??= this.upload.body[Symbol.asyncIterator]()
    for (;;) {
      const next = await raceAbort(this.body.next(), signal)
      if (next.done === true) {
        this.eof = true
        this.body = undefined
        return false
      }
      if (next.value.byteLength === 0) continue
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength)
      this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk
      this.pos = 0
      return true
    }
  }

  /** One line including its LF (or what is left at the end of the body); undefined at the end. */
  private async readLine (): Promise<Buffer | undefined> {
    for (;;) {
      const lf = this.buf.indexOf(LF, this.pos)
      if (lf >= 0) {
        const line = this.buf.subarray(this.pos, lf + 1)
        this.pos = lf + 1
        return line
      }
      if (this.buf.length - this.pos > MAX_HEADER_BYTES) throw new InvalidUploadError('malformed multipart upload: line too long')
      if (!await this.fill()) {
        if (this.pos >= this.buf.length) return undefined
        const rest = this.buf.subarray(this.pos)
        this.pos = this.buf.length
        return rest
      }
    }
  }

  /** What follows `--boundary` on its line: `--` ends the body; only padding and a line end start a part. */
  private boundaryKind (rest: Buffer): 'part' | 'final' | undefined {
    if (rest[0] === 0x2d && rest[1] === 0x2d) return 'final'
    const text = rest.toString('latin1').replace(/[ \t]+(?=\r?\n?$)/, '')
    return text === '\r\n' || text === '\n' ? 'part' : undefined
  }

  private async skipPreamble (): Promise<void> {
    for (;;) {
      const line = await this.readLine()
      if (line === undefined) throw unexpectedEnd()
      if (!line.subarray(0, this.dashBoundary.length).equals(this.dashBoundary)) continue
      const kind = this.boundaryKind(line.subarray(this.dashBoundary.length))
      if (kind === undefined) continue
      if (kind === 'final') await this.finish()
      else this.state = 'headers'
      return
    }
  }

  private async readHeaderBlock (): Promise<string> {
    const lines: string[] = []
    let size = 0
    for (;;) {
      const line = await this.readLine()
      if (line === undefined || line[line.length - 1] !== LF) throw unexpectedEnd()
      const text = line.toString('utf8').replace(/\r?\n$/, '')
      if (text === '') return lines.join('\n')
      size += line.length
      if (size > MAX_HEADER_BYTES) throw new InvalidUploadError('malformed multipart upload: part headers too large')
      lines.push(text)
    }
  }

  /**
   * Go's matchAfterPrefix: does the delimiter found at `at` end a part? 1 yes, -1 no (the bytes
   * only start like a boundary), 0 more bytes needed.
   */
  private delimiterMatch (at: number, prefixLength: number): number {
    const after = at + prefixLength
    if (after >= this.buf.length) return this.eof ? 1 : 0
    const c = this.buf[after]
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === LF) return 1
    if (c !== 0x2d) return -1
    if (after + 1 >= this.buf.length) return this.eof ? -1 : 0
    return this.buf[after + 1] === 0x2d ? 1 : -1
  }

  /** The next piece of the current part's content; undefined at its end (then the next boundary line is read). */
  private async bodyChunk (): Promise<Buffer | undefined> {
    const atStart = (): boolean => this.buf.subarray(this.pos, this.pos + this.dashBoundary.length).equals(this.dashBoundary)
    for (;;) {
      // An empty part may follow its headers directly with `--boundary` (no CRLF first).
      let found = this.partStarted ? -1 : (atStart() ? this.pos : -1)
      let prefix = this.dashBoundary.length
      if (found < 0) {
        found = this.buf.indexOf(this.delimiter, this.pos)
        prefix = this.delimiter.length
      }
      while (found >= 0) {
        const match = this.delimiterMatch(found, prefix)
        if (match === 0) break
        if (match === 1) return await this.endOfPart(found, prefix)
        found = this.buf.indexOf(this.delimiter, found + 1)
        prefix = this.delimiter.length
      }
      // Keep a tail that could be the start of a delimiter split across reads.
      const safe = found >= 0 ? found : Math.max(this.pos, this.buf.length - this.delimiter.length - 1)
      if (safe > this.pos) {
        const chunk = this.buf.subarray(this.pos, safe)
        this.pos = safe
        this.partStarted = true
        return chunk
      }
      if (this.eof) throw unexpectedEnd()
      await this.fill()
    }
  }

  private async endOfPart (found: number, prefix: number): Promise<Buffer | undefined> {
    const chunk = found > this.pos ? this.buf.subarray(this.pos, found) : undefined
    if (chunk !== undefined) {
      this.pos = found
      this.partStarted = true
      return chunk
    }
    this.pos = found + prefix
    this.partStarted = false
    const rest = await this.readLine()
    if (rest === undefined) throw unexpectedEnd()
    const kind = this.boundaryKind(rest)
    if (kind === undefined) throw new InvalidUploadError('malformed multipart upload: bad boundary line')
    if (kind === 'final') await this.finish()
    else this.state = 'headers'
    return undefined
  }

  /**
   * After the closing boundary: the epilogue (usually a line end) is read and dropped, so the
   * body is consumed to its end and never has to be cut short.
   */
  private async finish (): Promise<void> {
    this.state = 'done'
    this.pos = this.buf.length
    while (await this.fill()) this.pos = this.buf.length
  }
}

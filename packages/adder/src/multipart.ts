/**
 * Streaming reader of the `POST /add` multipart body (boxo MultiFileReader, form mode): parts are
 * handed out one at a time, as they arrive; the body is only read as fast as the parts are
 * consumed (busboy's backpressure).
 */
import { once } from 'node:events'
import type { Readable } from 'node:stream'
import busboy from 'busboy'
import type { AddUpload } from '@cluster/api'
import { uploadBoundary } from './content-type.ts'
import { InvalidUploadError } from './errors.ts'

/** One multipart part as busboy gives it. */
export interface RawPart {
  /** The `filename` parameter, still escaped. */
  filename: string
  /** The part's Content-Type, lower-cased (`application/octet-stream` when absent). */
  mimeType: string
  stream: Readable
}

const noop = (): void => {}

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

function quoteParam (value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`
}

export class MultipartReader {
  private readonly parser: busboy.Busboy
  private readonly queue: RawPart[] = []
  private readonly stop = new AbortController()
  private body: AsyncIterator<Uint8Array> | undefined
  private wake: (() => void) | undefined
  private started = false
  private finished = false
  private closed = false
  /** The first fatal error: malformed or truncated body, a failing body, an abort. */
  failure: Error | undefined

  private readonly upload: AddUpload

  constructor (upload: AddUpload) {
    this.upload = upload
    const boundary = uploadBoundary(upload.contentType)
    // busboy only speaks form-data; multipart/mixed has the same framing.
    this.parser = busboy({
      headers: { 'content-type': `multipart/form-data; boundary=${quoteParam(boundary)}` },
      preservePath: true,
      defParamCharset: 'utf8'
    })
    this.parser.on('file', (_name, stream, info) => {
      stream.on('error', noop) // errors reach whoever reads the stream; never unhandled
      this.queue.push({ filename: info.filename ?? '', mimeType: info.mimeType.toLowerCase(), stream })
      this.notify()
    })
    this.parser.on('field', (name) => {
      this.fail(new InvalidUploadError(`multipart part ${JSON.stringify(name)} has no filename`))
    })
    this.parser.on('finish', () => {
      this.finished = true
      this.notify()
    })
    this.parser.on('error', (err: Error) => {
      this.fail(new InvalidUploadError(`malformed multipart upload: ${err.message}`, { cause: err }))
    })
  }

  /** The next part in body order, undefined after the last one. Throws the reader's failure. */
  async nextPart (): Promise<RawPart | undefined> {
    this.start()
    for (;;) {
      if (this.failure !== undefined) throw this.failure
      const part = this.queue.shift()
      if (part !== undefined) return part
      if (this.finished) return undefined
      await new Promise<void>(resolve => { this.wake = resolve })
    }
  }

  /** Stops reading with `err` (first failure wins): the parser and every pending part stream are destroyed with it. */
  fail (err: Error): void {
    if (this.failure !== undefined || this.closed) return
    this.failure = err
    this.shutdown(err)
  }

  /** Releases everything; safe to call more than once and after a failure. */
  close (): void {
    if (this.closed) return
    const unfinished = !this.finished && this.failure === undefined
    this.closed = true
    if (unfinished || this.queue.length > 0) this.shutdown(new InvalidUploadError('the add ended before the upload was read'))
    else this.stop.abort()
  }

  private start (): void {
    if (this.started) return
    this.started = true
    void this.pump()
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private shutdown (err: Error): void {
    this.stop.abort(err)
    if (!this.parser.destroyed) this.parser.destroy(err)
    for (const part of this.queue.splice(0)) part.stream.destroy(err)
    const body = this.body
    this.body = undefined
    try {
      body?.return?.()?.catch(noop)
    } catch { /* a body that cannot be stopped */ }
    this.notify()
  }

  /** Copies the body into the parser, waiting for 'drain' whenever the parser pushes back. */
  private async pump (): Promise<void> {
    const { signal } = this.stop
    try {
      this.body = this.upload.body[Symbol.asyncIterator]()
      for (;;) {
        const body = this.body
        if (body === undefined) return
        const next = await raceAbort(body.next(), signal)
        if (signal.aborted) return
        if (next.done === true) break
        if (!this.parser.write(next.value)) await once(this.parser, 'drain', { signal })
      }
      this.body = undefined
      this.parser.end()
    } catch (err) {
      if (signal.aborted) return
      const message = err instanceof Error ? err.message : String(err)
      this.fail(new InvalidUploadError(`reading the upload failed: ${message}`, { cause: err }))
    }
  }
}

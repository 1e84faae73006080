/**
 * The multipart body of `POST /add` as Go's client writes it (go-ipfs-files' MultiFileReader):
 * one part per entry, file contents read only as the request is sent.
 */
import type { ReadableStream } from 'node:stream/web'
import { goQueryEscape } from '@cluster/api'
import type { AddUpload } from '@cluster/api'

/**
 * One entry of an upload; `name` is its path inside the upload (`photos/cat.jpg`), parents
 * before their children.
 */
export type UploadEntry =
  | { kind: 'dir', name: string }
  /** A local file (its absolute path goes in `Abspath-Encoded`, as Go's ctl sends it). */
  | { kind: 'file', name: string, path: string, size?: number }
  /** A local symbolic link (the link text is sent, not what it points to). */
  | { kind: 'symlink', name: string, path: string }
  /** Fetched by the client while the upload is sent (Go's ctl: `add https://…`). */
  | { kind: 'url', name: string, url: string }
  /** Bytes from anywhere (a generator, stdin…). */
  | { kind: 'data', name: string, content: AsyncIterable<Uint8Array> }

export interface MultipartUploadOptions {
  /** Called with the size of each piece of file content as it is handed to the request. */
  onBytes?: (n: number) => void
}

/** The upload `RestClient.add` sends; single use (its body is a stream). */
export function multipartUpload (entries: readonly UploadEntry[], opts: MultipartUploadOptions = {}): AddUpload {
  // 30 random bytes in hex: Go's mime/multipart randomBoundary.
  // node:crypto on first use: the ctl's other commands never load it.
  const boundary = process.getBuiltinModule('node:crypto').randomBytes(30).toString('hex')
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: multipartBody(entries, boundary, opts.onBytes ?? (() => {})) }
}

async function * multipartBody (entries: readonly UploadEntry[], boundary: string, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  const head = (e: UploadEntry, type: string): Buffer => Buffer.from(
    `--${boundary}\r\n` +
    (e.kind === 'file' ? `Abspath-Encoded: ${goQueryEscape(e.path)}\r\n` : '') +
    `Content-Disposition: form-data; name="file"; filename="${goQueryEscape(e.name)}"\r\n` +
    `Content-Type: ${type}\r\n\r\n`)
  for (const e of entries) {
    if (e.kind === 'dir') { yield head(e, 'application/x-directory'); yield Buffer.from('\r\n'); continue }
    if (e.kind === 'symlink') { yield head(e, 'application/symlink'); yield Buffer.from(await process.getBuiltinModule('node:fs/promises').readlink(e.path) + '\r\n'); continue }
    yield head(e, 'application/octet-stream')
    const body = e.kind === 'file' ? process.getBuiltinModule('node:fs').createReadStream(e.path) : e.kind === 'url' ? await fetchUrl(e.url) : e.content
    for await (const chunk of body) {
      onBytes(chunk.byteLength)
      yield chunk
    }
    yield Buffer.from('\r\n')
  }
  yield Buffer.from(`--${boundary}--\r\n`)
}

async function fetchUrl (url: string): Promise<AsyncIterable<Uint8Array>> {
  const res = await fetch(url)
  if (!res.ok || res.body === null) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`)
  return process.getBuiltinModule('node:stream').Readable.fromWeb(res.body as ReadableStream<Uint8Array>)
}

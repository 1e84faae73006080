/**
 * Multipart bodies exactly as the Go client builds them (boxo MultiFileReader in form mode,
 * Go's mime/multipart framing), and ways to stream them in awkward pieces.
 */
import { goQueryEscape } from '@cluster/api'

export type UploadItem =
  | { type: 'dir', path: string }
  | { type: 'file', path: string, data: Uint8Array | string }
  | { type: 'symlink', path: string, target: string }

export interface Body {
  contentType: string
  bytes: Uint8Array
}

export interface MultipartOptions {
  boundary?: string
  /** Add `?mode=…&mtime=…` to the form name and an Abspath-Encoded header, as `ipfs-cluster-ctl add` does for local files. */
  withMeta?: boolean
  mediaType?: 'multipart/form-data' | 'multipart/mixed'
}

const enc = new TextEncoder()

function contentTypeOf (item: UploadItem): string {
  if (item.type === 'dir') return 'application/x-directory'
  if (item.type === 'symlink') return 'application/symlink'
  return 'application/octet-stream'
}

/** Go's mime/multipart Writer: `--b\r\n` + sorted headers + `\r\n` + body, `\r\n--b--\r\n` at the end. */
export function goMultipart (items: UploadItem[], options: MultipartOptions = {}): Body {
  const boundary = options.boundary ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e'
  const chunks: Uint8Array[] = []
  items.forEach((item, i) => {
    const headers: Array<[string, string]> = []
    const name = options.withMeta === true ? `file?mode=${item.type === 'dir' ? '0755' : '0644'}&mtime=1740829000` : 'file'
    if (options.withMeta === true) headers.push(['Abspath-Encoded', goQueryEscape(`/home/ann/${item.path}`)])
    headers.push(['Content-Disposition', `form-data; name="${name}"; filename="${goQueryEscape(item.path)}"`])
    headers.push(['Content-Type', contentTypeOf(item)])
    headers.sort((a, b) => a[0] < b[0] ? -1 : 1)
    let head = `${i === 0 ? '' : '\r\n'}--${boundary}\r\n`
    for (const [k, v] of headers) head += `${k}: ${v}\r\n`
    chunks.push(enc.encode(head + '\r\n'))
    if (item.type === 'file') chunks.push(typeof item.data === 'string' ? enc.encode(item.data) : item.data)
    if (item.type === 'symlink') chunks.push(enc.encode(item.target))
  })
  chunks.push(enc.encode(`${items.length === 0 ? '' : '\r\n'}--${boundary}--\r\n`))
  return { contentType: `${options.mediaType ?? 'multipart/form-data'}; boundary=${boundary}`, bytes: Buffer.concat(chunks) }
}

/** Streams `bytes` in odd-sized pieces (cycling through `sizes`), yielding to the event loop between them. */
export async function * pieces (bytes: Uint8Array, sizes: number[] = [1, 7, 4093, 65_537, 13, 300_001]): AsyncGenerator<Uint8Array> {
  let offset = 0
  let i = 0
  while (offset < bytes.length) {
    const size = sizes[i++ % sizes.length]!
    // Copies, like a socket would hand out fresh buffers.
    yield bytes.slice(offset, offset + size)
    offset += size
    await new Promise(resolve => setImmediate(resolve))
  }
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function seededBytes (length: number, seed = 0x9e3779b9): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4))
  let x = seed >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    words[i] = x
  }
  return new Uint8Array(words.buffer, 0, length)
}

/**
 * Multipart parts as upload entries (file, directory or symlink at a path relative to the upload
 * root), with Go's query-unescaping of the `filename` parameter. A part without a file name is
 * a nameless entry (path `''`), as `ipfs add` sends stdin and kubo-rpc-client sends bare bytes.
 */
import { InvalidUploadError } from './errors.ts'
import type { MultipartReader, RawPart } from './multipart.ts'

export type UploadEntry =
  | { kind: 'directory', path: string }
  | { kind: 'symlink', path: string, target: string }
  | { kind: 'file', path: string, content: AsyncIterable<Uint8Array> }

const DIRECTORY_TYPES = new Set(['application/x-directory', 'multipart/form-data', 'multipart/mixed'])
const SYMLINK_TYPE = 'application/symlink'
/** A symlink target longer than this is not a symlink (Kubo's block limit). */
const MAX_SYMLINK_TARGET = 1_048_576

function hexValue (c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

/** Go's url.QueryUnescape (`+` is a space, `%XX` a byte); undefined on a bad escape. */
export function goQueryUnescape (text: string): string | undefined {
  const input = Buffer.from(text, 'utf8')
  const out: number[] = []
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!
    if (c === 0x25) {
      const hi = hexValue(input[i + 1] ?? -1)
      const lo = hexValue(input[i + 2] ?? -1)
      if (hi < 0 || lo < 0) return undefined
      out.push(hi * 16 + lo)
      i += 2
    } else {
      out.push(c === 0x2b ? 0x20 : c)
    }
  }
  return Buffer.from(out).toString('utf8')
}

/**
 * The relative path of a part: query-unescaped (kept as sent when the escape is invalid, as
 * boxo does), `.` and empty components dropped; `''` when nothing is left (a nameless part, as
 * boxo reads it). `..` is refused.
 */
export function partPath (filename: string): string {
  const unescaped = goQueryUnescape(filename) ?? filename
  const parts = unescaped.split('/').filter(p => p !== '' && p !== '.')
  if (parts.includes('..')) throw new InvalidUploadError(`invalid path in upload: ${JSON.stringify(unescaped)}`)
  return parts.join('/')
}

async function readText (content: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of content) {
    size += chunk.byteLength
    if (size > limit) throw new InvalidUploadError(`symlink target longer than ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function toEntry (part: RawPart): Promise<UploadEntry> {
  const path = partPath(part.filename)
  if (DIRECTORY_TYPES.has(part.mimeType)) {
    // Go would make everything after a nameless directory part its content, an accident no client relies on.
    if (path === '') throw new InvalidUploadError('a directory in the upload has no name')
    return { kind: 'directory', path }
  }
  if (part.mimeType === SYMLINK_TYPE) return { kind: 'symlink', path, target: await readText(part.content, MAX_SYMLINK_TARGET) }
  return { kind: 'file', path, content: part.content }
}

/** Entries in body order, with one entry of look-back (to split top-level entries). */
export class EntrySource {
  private readonly pushedBack: UploadEntry[] = []
  private readonly reader: MultipartReader

  constructor (reader: MultipartReader) {
    this.reader = reader
  }

  async next (): Promise<UploadEntry | undefined> {
    const back = this.pushedBack.pop()
    if (back !== undefined) return back
    const part = await this.reader.nextPart()
    return part === undefined ? undefined : await toEntry(part)
  }

  pushBack (entry: UploadEntry): void {
    this.pushedBack.push(entry)
  }
}

/** The first path component (the top-level entry an entry belongs to; `''` for a nameless one). */
export function topName (path: string): string {
  const slash = path.indexOf('/')
  return slash < 0 ? path : path.slice(0, slash)
}

import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { SnapshotFetcher } from './node-options.ts'
import { SnapshotTransferError } from './transport-errors.ts'
import type { RaftTransport } from './transport.ts'

/**
 * Snapshots kept as files: a state machine writes its state into a file of a
 * {@link SnapshotFolder}, and the Raft snapshot carries only a small descriptor of that file
 * (name, size, SHA-256). A follower that receives such a snapshot fetches the file in chunks
 * from the sender, resuming a broken transfer where it stopped, and verifies it before the
 * snapshot is installed. Memory stays bounded whatever the size of the state.
 */
export interface SnapshotFileDescriptor {
  name: string
  size: number
  sha256: string
}

/** Reads `name` from a peer, starting at byte `offset`, as a stream of chunks. */
export type SnapshotFileReader = (name: string, offset: number) => AsyncIterable<Uint8Array>

const MAGIC = 'raft-snapshot-file:'
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const NAME = /^[A-Za-z0-9._-]{1,128}$/

export function encodeDescriptor (d: SnapshotFileDescriptor): Uint8Array {
  return encoder.encode(MAGIC + JSON.stringify(d))
}

/** The descriptor carried by snapshot data, or undefined when the data is something else. */
export function decodeDescriptor (data: Uint8Array): SnapshotFileDescriptor | undefined {
  if (data.length < MAGIC.length || data.length > 4096) return undefined
  const text = decoder.decode(data)
  if (!text.startsWith(MAGIC)) return undefined
  try {
    const d = JSON.parse(text.slice(MAGIC.length)) as Partial<SnapshotFileDescriptor>
    if (typeof d.name !== 'string' || !NAME.test(d.name) || typeof d.size !== 'number' || !Number.isSafeInteger(d.size) ||
        d.size < 0 || typeof d.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(d.sha256)) return undefined
    return { name: d.name, size: d.size, sha256: d.sha256 }
  } catch {
    return undefined
  }
}

export interface SnapshotFolderOptions {
  /** Sealed snapshot files kept (the newest); older ones are deleted. Default 2. */
  keep?: number
  /** Progress of a fetch (bytes received so far, total). */
  onProgress?: (name: string, received: number, size: number) => void
}

/**
 * A folder of snapshot files: `<name>` (sealed, immutable), `<name>.part` (being received),
 * `tmp-*` (being written by the state machine).
 */
export class SnapshotFolder {
  readonly dir: string
  private readonly keep: number
  private readonly onProgress?: SnapshotFolderOptions['onProgress']

  constructor (dir: string, options: SnapshotFolderOptions = {}) {
    this.dir = dir
    this.keep = options.keep ?? 2
    this.onProgress = options.onProgress
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // Leftovers of a snapshot being written when the process stopped are of no use.
    for (const f of readdirSync(dir)) if (f.startsWith('tmp-')) rmSync(join(dir, f), { force: true })
  }

  /** A fresh path for the state machine to write a snapshot into, then {@link seal}. */
  tempPath (): string {
    return join(this.dir, `tmp-${randomBytes(6).toString('hex')}`)
  }

  /** The path of a sealed file, for a descriptor this folder holds (undefined otherwise). */
  pathOf (d: SnapshotFileDescriptor): string | undefined {
    const path = join(this.dir, d.name)
    return this.has(d) ? path : undefined
  }

  /** The path of a sealed file by name (serving it to peers); undefined when not here. */
  pathOfName (name: string): string | undefined {
    if (!NAME.test(name) || name.endsWith('.part') || name.startsWith('tmp-')) return undefined
    const path = join(this.dir, name)
    return existsSync(path) ? path : undefined
  }

  has (d: SnapshotFileDescriptor): boolean {
    try {
      return statSync(join(this.dir, d.name)).size === d.size
    } catch {
      return false
    }
  }

  /**
   * Seals a file the state machine finished writing: hashes it, names it after the snapshot's
   * index, keeps the newest `keep` sealed files. Returns the descriptor (snapshot data).
   */
  async seal (tempPath: string, index: number): Promise<Uint8Array> {
    const sha256 = await hashFile(tempPath)
    const { size } = await stat(tempPath)
    const name = `snapshot-${String(index).padStart(12, '0')}-${sha256.slice(0, 12)}`
    await rename(tempPath, join(this.dir, name))
    this.prune(name)
    return encodeDescriptor({ name, size, sha256 })
  }

  /**
   * Fetches the file `d` with `read`, appending to what an earlier attempt left in `<name>.part`,
   * checks its size and hash, and seals it under its name. A wrong hash discards the part file.
   */
  async fetch (d: SnapshotFileDescriptor, read: SnapshotFileReader): Promise<void> {
    if (this.has(d)) return
    const part = join(this.dir, `${d.name}.part`)
    // Parts of other snapshots are stale: the leader moved on.
    for (const f of readdirSync(this.dir)) if (f.endsWith('.part') && f !== `${d.name}.part`) rmSync(join(this.dir, f), { force: true })
    let offset = 0
    try { offset = (await stat(part)).size } catch { offset = 0 }
    if (offset > d.size) { await rm(part, { force: true }); offset = 0 }
    const file = await open(part, 'a')
    try {
      for await (const chunk of read(d.name, offset)) {
        if (offset + chunk.byteLength > d.size) throw new SnapshotTransferError(`snapshot ${d.name}: peer sent more than ${d.size} bytes`)
        await file.write(chunk)
        offset += chunk.byteLength
        this.onProgress?.(d.name, offset, d.size)
      }
      await file.sync()
    } finally {
      await file.close()
    }
    if (offset !== d.size) throw new SnapshotTransferError(`snapshot ${d.name}: transfer ended at ${offset} of ${d.size} bytes (will resume)`)
    const sha256 = await hashFile(part)
    if (sha256 !== d.sha256) {
      await rm(part, { force: true })
      throw new SnapshotTransferError(`snapshot ${d.name}: content does not match its hash (discarded)`)
    }
    renameSync(part, join(this.dir, d.name))
    this.prune(d.name)
  }

  /** Deletes sealed files beyond the newest `keep` (never `current`). */
  private prune (current: string): void {
    const sealed = readdirSync(this.dir).filter(f => f.startsWith('snapshot-') && !f.endsWith('.part')).sort()
    for (const f of sealed.slice(0, Math.max(0, sealed.length - this.keep))) {
      if (f !== current) rmSync(join(this.dir, f), { force: true })
    }
  }
}

/** Chunks of a file from `offset`, for serving it to a peer. */
export function readFileChunks (path: string, offset: number, chunkBytes = 256 * 1024): AsyncIterable<Buffer> {
  return createReadStream(path, { start: offset, highWaterMark: chunkBytes })
}

async function hashFile (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * The {@link SnapshotFetcher} of a node whose snapshots are files in `folder`: serves them to
 * peers over `transport` and fetches the ones the leader sends. Snapshot data that is not a file
 * descriptor (an in-message snapshot, the empty bootstrap state) counts as local.
 */
export function fileSnapshotFetcher (folder: SnapshotFolder, transport: RaftTransport): SnapshotFetcher {
  const read = transport.readSnapshotFile?.bind(transport)
  if (transport.serveSnapshotFiles === undefined || read === undefined) throw new SnapshotTransferError('this transport cannot carry snapshot files')
  transport.serveSnapshotFiles(name => folder.pathOfName(name))
  return {
    isLocal: s => { const d = decodeDescriptor(s.data); return d === undefined || folder.has(d) },
    fetch: async (s, from) => {
      const d = decodeDescriptor(s.data)
      if (d !== undefined) await folder.fetch(d, (name, offset) => read(from, name, offset))
    }
  }
}

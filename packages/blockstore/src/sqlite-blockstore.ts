import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { NotFoundError } from 'interface-store'
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { BlockstoreClosedError, BlockstoreCorruptError, BlockstoreIOError, BlockTooLargeError } from './errors.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Blockstore, InputPair, Pair } from 'interface-blockstore'

export interface SqliteBlockstoreOptions {
  /** Largest block accepted by put (bytes). Default 4 MiB, bitswap's largest message in boxo. */
  maxBlockSize?: number
  /** SQLite page cache per store, in KiB. Default 4096 (4 MiB): memory stays bounded whatever the store's size. */
  cacheKiB?: number
  /** Keys read per query while listing the store with getAll(). Default 256. */
  listPageSize?: number
  /**
   * Keep the file locked while open (SQLite `locking_mode = EXCLUSIVE`): no other connection or
   * process can read it meanwhile, and each transaction saves its lock calls. Default false.
   */
  exclusive?: boolean
}

const DEFAULT_MAX_BLOCK_SIZE = 4 * 1024 * 1024
type BlockBytes = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>

/**
 * An `interface-blockstore` (the store contract of Helia and @helia/bitswap) in one SQLite file.
 *
 * Blocks are keyed by multihash, as boxo's blockstore keys them: a block put under a CIDv0 is
 * found under the CIDv1 of the same hash and any codec. Identity CIDs carry their data and are
 * never stored (boxo's idstore does the same). Every SQLite failure surfaces as a typed error
 * naming the file (BlockstoreCorruptError for a damaged or foreign file), never as a crash.
 */
export class SqliteBlockstore implements Blockstore {
  readonly path: string
  readonly maxBlockSize: number
  private readonly listPageSize: number
  private db: Database.Database | undefined
  private readonly statements: ReturnType<typeof prepare>

  private constructor (path: string, db: Database.Database, options: SqliteBlockstoreOptions) {
    this.path = path
    this.db = db
    this.maxBlockSize = options.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE
    this.listPageSize = options.listPageSize ?? 256
    this.statements = this.guard(() => prepare(db))
  }

  /** Opens (creating when missing) the store at `path`; `:memory:` gives a throw-away store. */
  static open (path: string, options: SqliteBlockstoreOptions = {}): SqliteBlockstore {
    let db: Database.Database | undefined
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
      db = new Database(path)
      // Before WAL is first used, so that no shared-memory index is made.
      if (options.exclusive === true) db.pragma('locking_mode = EXCLUSIVE')
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma(`cache_size = -${options.cacheKiB ?? 4096}`)
      db.exec(`CREATE TABLE IF NOT EXISTS blocks (
        multihash BLOB PRIMARY KEY,
        cid BLOB NOT NULL,
        data BLOB NOT NULL
      )`)
      return new SqliteBlockstore(path, db, options)
    } catch (err) {
      db?.close()
      throw translate(path, err)
    }
  }

  close (): void {
    const db = this.db
    this.db = undefined
    db?.close()
  }

  get isOpen (): boolean {
    return this.db !== undefined
  }

  has (cid: CID, _options?: AbortOptions): boolean {
    if (cid.multihash.code === identity.code) return true
    return this.guard(() => this.statements.has.get(cid.multihash.bytes) !== undefined)
  }

  async put (cid: CID, bytes: BlockBytes, options?: AbortOptions): Promise<CID> {
    const data = await collect(cid, bytes, this.maxBlockSize, options)
    this.write(cid, data)
    return cid
  }

  async * putMany (source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: AbortOptions): AsyncGenerator<CID> {
    for await (const { cid, bytes } of source) {
      options?.signal?.throwIfAborted()
      this.write(cid, await collect(cid, bytes, this.maxBlockSize, options))
      yield cid
    }
  }

  * get (cid: CID, _options?: AbortOptions): Generator<Uint8Array> {
    yield this.read(cid)
  }

  /** The block's bytes in one piece (what most callers want rather than get()'s generator). */
  getBytes (cid: CID): Uint8Array {
    return this.read(cid)
  }

  async * getMany (source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<Pair> {
    for await (const cid of source) {
      options?.signal?.throwIfAborted()
      const data = this.read(cid)
      yield { cid, bytes: once(data) }
    }
  }

  async * getAll (options?: AbortOptions): AsyncGenerator<Pair> {
    // Pages of keys, each block read only when its turn comes: memory holds one page of keys and one block.
    let after: Uint8Array = new Uint8Array(0)
    while (true) {
      options?.signal?.throwIfAborted()
      const page = this.guard(() => this.statements.listAfter.all(after, this.listPageSize) as Array<{ multihash: Buffer, cid: Buffer }>)
      for (const row of page) {
        const cid = CID.decode(view(row.cid))
        const data = this.read(cid)
        yield { cid, bytes: once(data) }
      }
      const last = page.at(-1)
      if (last === undefined || page.length < this.listPageSize) return
      after = view(last.multihash)
    }
  }

  delete (cid: CID, _options?: AbortOptions): void {
    if (cid.multihash.code === identity.code) return
    this.guard(() => this.statements.delete.run(cid.multihash.bytes))
  }

  async * deleteMany (source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<CID> {
    for await (const cid of source) {
      options?.signal?.throwIfAborted()
      this.delete(cid)
      yield cid
    }
  }

  /** Number of stored blocks (identity blocks are never stored). */
  count (): number {
    return this.guard(() => (this.statements.count.get() as { n: number }).n)
  }

  /**
   * put() of blocks in one piece, synchronously and in one transaction (one commit for many
   * blocks); the caller checked them against their CIDs.
   */
  putBlocks (blocks: ReadonlyArray<{ cid: CID, bytes: Uint8Array }>): void {
    for (const { cid, bytes } of blocks) {
      if (bytes.byteLength > this.maxBlockSize) throw new BlockTooLargeError(cid.toString(), this.maxBlockSize)
    }
    this.guard(() => { this.statements.putAll(blocks) })
  }

  private write (cid: CID, data: Uint8Array): void {
    if (cid.multihash.code === identity.code) return
    this.guard(() => this.statements.put.run(cid.multihash.bytes, cid.bytes, data))
  }

  private read (cid: CID): Uint8Array {
    if (cid.multihash.code === identity.code) return cid.multihash.digest
    const row = this.guard(() => this.statements.get.get(cid.multihash.bytes) as { data: Buffer } | undefined)
    if (row === undefined) throw new NotFoundError(`block ${cid.toString()} is not in the blockstore`)
    return view(row.data)
  }

  private guard<T> (op: () => T): T {
    if (this.db === undefined) throw new BlockstoreClosedError(this.path)
    try {
      return op()
    } catch (err) {
      throw translate(this.path, err)
    }
  }
}

function prepare (db: Database.Database) {
  const put = db.prepare('INSERT OR IGNORE INTO blocks (multihash, cid, data) VALUES (?, ?, ?)')
  return {
    has: db.prepare('SELECT 1 FROM blocks WHERE multihash = ?').pluck(),
    get: db.prepare('SELECT data FROM blocks WHERE multihash = ?'),
    put,
    putAll: db.transaction((blocks: ReadonlyArray<{ cid: CID, bytes: Uint8Array }>) => {
      for (const { cid, bytes } of blocks) if (cid.multihash.code !== identity.code) put.run(cid.multihash.bytes, cid.bytes, bytes)
    }),
    delete: db.prepare('DELETE FROM blocks WHERE multihash = ?'),
    count: db.prepare('SELECT count(*) AS n FROM blocks'),
    listAfter: db.prepare('SELECT multihash, cid FROM blocks WHERE multihash > ? ORDER BY multihash LIMIT ?')
  }
}

/** SQLite's error codes mapped to errors that say which file is at fault and what to do. */
function translate (path: string, err: unknown): Error {
  if (!(err instanceof Database.SqliteError)) return err instanceof Error ? err : new Error(String(err))
  const code = err.code
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_IOERR_SHORT_READ') {
    return new BlockstoreCorruptError(path, code, err.message)
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL' || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return new BlockstoreIOError(path, code, err.message)
  }
  return err
}

/** Block bytes in one piece, refusing more than `limit` bytes before reading further. */
async function collect (cid: CID, bytes: BlockBytes, limit: number, options?: AbortOptions): Promise<Uint8Array> {
  if (bytes instanceof Uint8Array) {
    if (bytes.byteLength > limit) throw new BlockTooLargeError(cid.toString(), limit)
    return bytes
  }
  const chunks: Uint8Array[] = []
  let length = 0
  for await (const chunk of bytes) {
    options?.signal?.throwIfAborted()
    length += chunk.byteLength
    if (length > limit) throw new BlockTooLargeError(cid.toString(), limit)
    chunks.push(chunk)
  }
  const out = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

function * once (data: Uint8Array): Generator<Uint8Array> {
  yield data
}

/** A Buffer from better-sqlite3 as a plain Uint8Array over the same memory. */
function view (buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}

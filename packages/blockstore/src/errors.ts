/** A failure of the store's SQLite file: which file, and SQLite's error code. */
abstract class BlockstoreFileError extends Error {
  readonly path: string
  readonly sqliteCode: string
  constructor (message: string, path: string, sqliteCode: string) {
    super(message)
    this.path = path
    this.sqliteCode = sqliteCode
  }
}

/** The store file is not a usable SQLite database (truncated, overwritten, damaged pages). */
export class BlockstoreCorruptError extends BlockstoreFileError {
  static readonly code = 'ERR_BLOCKSTORE_CORRUPT'
  readonly code = BlockstoreCorruptError.code
  override name = 'BlockstoreCorruptError'
  constructor (path: string, sqliteCode: string, detail: string) {
    super(`blockstore ${path} is damaged (${sqliteCode}: ${detail}); move it away and let the peer fetch its blocks again`, path, sqliteCode)
  }
}

/** The disk under the store failed (I/O error, disk full, read-only file). */
export class BlockstoreIOError extends BlockstoreFileError {
  static readonly code = 'ERR_BLOCKSTORE_IO'
  readonly code = BlockstoreIOError.code
  override name = 'BlockstoreIOError'
  constructor (path: string, sqliteCode: string, detail: string) {
    super(`blockstore ${path}: ${sqliteCode}: ${detail}`, path, sqliteCode)
  }
}

/** A block larger than the store accepts (bitswap peers refuse such blocks anyway). */
export class BlockTooLargeError extends Error {
  static readonly code = 'ERR_BLOCK_TOO_LARGE'
  readonly code = BlockTooLargeError.code
  override name = 'BlockTooLargeError'
  readonly cid: string
  readonly limit: number
  constructor (cid: string, limit: number) {
    super(`block ${cid} is larger than ${limit} bytes`)
    this.cid = cid
    this.limit = limit
  }
}

/** The store was closed. */
export class BlockstoreClosedError extends Error {
  static readonly code = 'ERR_BLOCKSTORE_CLOSED'
  readonly code = BlockstoreClosedError.code
  override name = 'BlockstoreClosedError'
  readonly path: string
  constructor (path: string) {
    super(`blockstore ${path} is closed`)
    this.path = path
  }
}

/** No connected peer sent the block before the deadline (or the caller gave up). */
export class BlockFetchError extends Error {
  static readonly code = 'ERR_BLOCK_FETCH'
  readonly code = BlockFetchError.code
  override name = 'BlockFetchError'
  readonly cid: string
  readonly reason: 'timeout' | 'aborted' | 'stopped' | 'invalid'
  constructor (cid: string, reason: 'timeout' | 'aborted' | 'stopped' | 'invalid', detail: string) {
    super(`block ${cid} could not be fetched: ${detail}`)
    this.cid = cid
    this.reason = reason
  }
}

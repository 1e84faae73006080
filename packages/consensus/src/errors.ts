/** Base class of the consensus errors. */
export class ConsensusError extends Error {
  override readonly name: string = 'ConsensusError'
  readonly code: string = 'ERR_CONSENSUS'
}

/**
 * The cluster cannot take writes now (no leader): an API answers 503 with `Retry-After`
 * (`httpStatus`, `retryAfterSeconds`), not a server error.
 */
export interface Unavailable { readonly httpStatus: 503, readonly retryAfterSeconds: number }

/** No leader within `wait_for_leader_timeout`, or none can be elected now (Go's text). */
export class NoLeaderError extends ConsensusError implements Unavailable {
  override readonly name = 'NoLeaderError'
  override readonly code = 'ERR_NO_LEADER'
  readonly httpStatus = 503
  readonly retryAfterSeconds = 5
  /** Why, for the log (the message keeps Go's text). */
  readonly reason: string

  constructor (message = 'leader unknown or not existing yet', reason = '') {
    super(message)
    this.reason = reason
  }
}

/** The component was shut down (Go's text). */
export class ConsensusShutdownError extends ConsensusError {
  override readonly name = 'ConsensusShutdownError'
  override readonly code = 'ERR_CONSENSUS_SHUTDOWN'

  constructor (message = 'consensus is shutdown') { super(message) }
}

/** A commit did not go through. */
export class CommitError extends ConsensusError {
  override readonly name = 'CommitError'
  override readonly code = 'ERR_COMMIT'
}

/** A commit did not go through after every retry: no leader, or none answered in time. */
export class CommitUnavailableError extends CommitError implements Unavailable {
  readonly httpStatus = 503
  readonly retryAfterSeconds = 5
}

/**
 * This peer cannot write its state to its disk (full, over quota, failing): nothing was written,
 * and the cluster may take the write once the disk has room again (a 503, not a server error).
 */
export class StorageUnavailableError extends CommitError implements Unavailable {
  readonly httpStatus = 503
  readonly retryAfterSeconds = 30
}

const STORAGE_FAILURES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', 'EIO'])

/** Whether `err`, or an error it was caused by, is a failed write to the disk. */
export function isStorageFailure (err: unknown): boolean {
  return errorCodes(err).some(code => STORAGE_FAILURES.has(code) || code.startsWith('SQLITE_IOERR'))
}

/**
 * Whether `err` is SQLite refusing a write for want of space: its transaction was rolled back,
 * so the same write may be tried again. (A failed fsync is not: the kernel may have dropped the
 * pages it could not write, and a later fsync would succeed without them.)
 */
export function isDiskFull (err: unknown): boolean {
  return errorCodes(err).includes('SQLITE_FULL')
}

/** The codes of `err` and the errors it was caused by (`sqliteCode`: the block store's errors keep SQLite's there). */
function errorCodes (err: unknown): string[] {
  const codes: string[] = []
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    for (const code of [(e as { code?: unknown }).code, (e as { sqliteCode?: unknown }).sqliteCode]) {
      if (typeof code === 'string') codes.push(code)
    }
  }
  return codes
}

/** Invalid `consensus.raft` configuration, or a state file that cannot be read. */
export class ConsensusConfigError extends ConsensusError {
  override readonly name = 'ConsensusConfigError'
  override readonly code = 'ERR_CONSENSUS_CONFIG'
}

/** A stored or imported pinset that does not decode. */
export class StateFormatError extends ConsensusError {
  override readonly name = 'StateFormatError'
  override readonly code = 'ERR_STATE_FORMAT'
}

/** The Raft data folder cannot be used: another implementation's store, or unreadable files. */
export class DataFolderError extends ConsensusError {
  override readonly name = 'DataFolderError'
  override readonly code = 'ERR_DATA_FOLDER'
}

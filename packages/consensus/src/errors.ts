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

/** Base class of the consensus errors. */
export class ConsensusError extends Error {
  override readonly name: string = 'ConsensusError'
  readonly code: string = 'ERR_CONSENSUS'
}

/** No leader within `wait_for_leader_timeout` (Go's text). */
export class NoLeaderError extends ConsensusError {
  override readonly name = 'NoLeaderError'
  override readonly code = 'ERR_NO_LEADER'

  constructor (message = 'leader unknown or not existing yet') { super(message) }
}

/** The component was shut down (Go's text). */
export class ConsensusShutdownError extends ConsensusError {
  override readonly name = 'ConsensusShutdownError'
  override readonly code = 'ERR_CONSENSUS_SHUTDOWN'

  constructor (message = 'consensus is shutdown') { super(message) }
}

/** A commit did not go through after every retry. */
export class CommitError extends ConsensusError {
  override readonly name = 'CommitError'
  override readonly code = 'ERR_COMMIT'
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

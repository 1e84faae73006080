/** Base class of every error thrown by the Raft library. */
export class RaftError extends Error {
  override readonly name: string = 'RaftError'
  readonly code: string = 'ERR_RAFT'
}

/** A proposal was refused: no known leader, a leadership transfer in progress, or too many uncommitted bytes. */
export class ProposalDroppedError extends RaftError {
  override readonly name = 'ProposalDroppedError'
  override readonly code = 'ERR_PROPOSAL_DROPPED'
}

/** The requested log index is older than the first index kept by the storage. */
export class CompactedError extends RaftError {
  override readonly name = 'CompactedError'
  override readonly code = 'ERR_COMPACTED'
  constructor (message = 'requested index is unavailable due to compaction') { super(message) }
}

/** The requested log index is beyond the last index of the storage. */
export class UnavailableError extends RaftError {
  override readonly name = 'UnavailableError'
  override readonly code = 'ERR_UNAVAILABLE'
  constructor (message = 'requested entry at index is unavailable') { super(message) }
}

/** A snapshot older than the one already stored was offered. */
export class SnapshotOutOfDateError extends RaftError {
  override readonly name = 'SnapshotOutOfDateError'
  override readonly code = 'ERR_SNAPSHOT_OUT_OF_DATE'
  constructor (message = 'requested index is older than the existing snapshot') { super(message) }
}

/** The storage cannot produce a snapshot right now; the leader retries later. */
export class SnapshotTemporarilyUnavailableError extends RaftError {
  override readonly name = 'SnapshotTemporarilyUnavailableError'
  override readonly code = 'ERR_SNAPSHOT_TEMPORARILY_UNAVAILABLE'
  constructor (message = 'snapshot is temporarily unavailable') { super(message) }
}

/** A local-only message type was passed to `RawNode.step`. */
export class StepLocalMessageError extends RaftError {
  override readonly name = 'StepLocalMessageError'
  override readonly code = 'ERR_STEP_LOCAL_MESSAGE'
}

/** A response came from a node that is not in the configuration. */
export class StepPeerNotFoundError extends RaftError {
  override readonly name = 'StepPeerNotFoundError'
  override readonly code = 'ERR_STEP_PEER_NOT_FOUND'
}

/** The configuration passed to the core is invalid. */
export class InvalidConfigError extends RaftError {
  override readonly name = 'InvalidConfigError'
  override readonly code = 'ERR_INVALID_CONFIG'
}

/** A membership change is invalid (for example it would leave no voter). */
export class InvalidConfChangeError extends RaftError {
  override readonly name = 'InvalidConfChangeError'
  override readonly code = 'ERR_INVALID_CONF_CHANGE'
}

/** The Ready/Advance protocol was misused (for example `ready()` twice without `advance()`). */
export class ReadyProtocolError extends RaftError {
  override readonly name = 'ReadyProtocolError'
  override readonly code = 'ERR_READY_PROTOCOL'
}

/**
 * An internal invariant does not hold (for example truncating a committed entry). This is
 * a safety bug or corrupted storage: the node must stop.
 */
export class RaftInvariantError extends RaftError {
  override readonly name = 'RaftInvariantError'
  override readonly code = 'ERR_RAFT_INVARIANT'
}

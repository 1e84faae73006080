import { RaftError } from './errors.ts'

/** A message from the network could not be decoded: it is dropped, never stepped. */
export class DecodeError extends RaftError {
  override readonly name = 'DecodeError'
  override readonly code = 'ERR_DECODE'
}

/** A proposal or read did not complete in time (it may still commit later). */
export class TimeoutError extends RaftError {
  override readonly name = 'TimeoutError'
  override readonly code = 'ERR_TIMEOUT'
}

/** The node was stopped, or removed from the group, before the request completed. */
export class NodeStoppedError extends RaftError {
  override readonly name = 'NodeStoppedError'
  override readonly code = 'ERR_NODE_STOPPED'
}

/** The node cannot write to its storage now (e.g. a full disk) and stands still until it can. */
export class NodeStalledError extends RaftError {
  override readonly name = 'NodeStalledError'
  override readonly code = 'ERR_NODE_STALLED'
}

/** A message from a node that is not a member of the group (or not addressed to this node). */
export class ForeignMessageError extends RaftError {
  override readonly name = 'ForeignMessageError'
  override readonly code = 'ERR_FOREIGN_MESSAGE'
}

/** A snapshot file could not be fetched from a peer (it resumes on the next attempt). */
export class SnapshotTransferError extends RaftError {
  override readonly name = 'SnapshotTransferError'
  override readonly code = 'ERR_SNAPSHOT_TRANSFER'
}

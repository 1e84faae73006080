export { RawNode } from './rawnode.ts'
export type { Ready, Status, ProgressStatus } from './rawnode.ts'
export { Raft } from './raft.ts'
export type { CampaignType } from './raft.ts'
export { DEFAULTS, resolveConfig } from './config.ts'
export type { RaftConfig, ResolvedConfig, ReadOnlyMode } from './config.ts'
export { MemoryStorage, bootstrapSnapshot, cloneConfState } from './storage.ts'
export type { Storage } from './storage.ts'
export { SeededRng } from './rng.ts'
export type { Rng } from './rng.ts'
export { encodeConfChange, decodeConfChange } from './confchange.ts'
export {
  message, emptyConfState, emptySnapshot, isEmptySnapshot, isHardStateEqual, isEmptyHardState,
  payloadSize, LOCAL_MESSAGES, RESPONSE_MESSAGES
} from './messages.ts'
export type {
  NodeId, Entry, EntryType, HardState, SoftState, Role, ConfState, ConfChange, ConfChangeType,
  Snapshot, SnapshotMetadata, ReadState, Message, MessageType
} from './messages.ts'
export type { ProgressState } from './progress.ts'
export {
  RaftError, ProposalDroppedError, CompactedError, UnavailableError, SnapshotOutOfDateError,
  SnapshotTemporarilyUnavailableError, StepLocalMessageError, StepPeerNotFoundError, InvalidConfigError,
  InvalidConfChangeError, ReadyProtocolError, RaftInvariantError
} from './errors.ts'

// Node.js side: driver, durable storage, transports.
export { RaftNode } from './node.ts'
export type { RaftNodeOptions, StateMachine, WritableStorage, PersistUpdate, SnapshotFetcher, SnapshotEvent } from './node.ts'
export { SnapshotFolder, fileSnapshotFetcher, encodeDescriptor, decodeDescriptor, readFileChunks } from './snapshot-files.ts'
export type { SnapshotFileDescriptor, SnapshotFileReader, SnapshotFolderOptions } from './snapshot-files.ts'
export { SqliteStorage } from './sqlite-storage.ts'
export type { SqliteStorageOptions } from './sqlite-storage.ts'
export { WalSyncError } from './wal-sync.ts'
export type { RaftTransport, SnapshotFileResolver } from './transport.ts'
export { MemoryNetwork } from './memory-transport.ts'
export { Libp2pTransport, RAFT_PROTOCOL } from './libp2p-transport.ts'
export { RAFT_SNAPSHOT_PROTOCOL } from './snapshot-protocol.ts'
export type { Libp2pTransportOptions } from './libp2p-transport.ts'
export { encodeMessage, decodeMessage } from './codec.ts'
export { unwrap as unwrapProposal, proposalId } from './envelope.ts'
export type { Envelope } from './envelope.ts'
export { DecodeError, TimeoutError, NodeStoppedError, ForeignMessageError, SnapshotTransferError } from './transport-errors.ts'

// @cluster/raft — the pure core: no I/O, no timers, no native addon, no libp2p.
// The Node.js driver, SQLite storage and libp2p transport are the subpaths
// `@cluster/raft/node`, `@cluster/raft/sqlite` and `@cluster/raft/libp2p`.
export { RawNode } from './rawnode.ts'
export type { Ready, Status, ProgressStatus } from './rawnode.ts'
export type { CampaignType } from './raft.ts'
export { DEFAULTS, resolveConfig } from './config.ts'
export type { RaftConfig, ResolvedConfig, ReadOnlyMode } from './config.ts'
export type { RaftLogger } from './logger.ts'
export { describeMessage, describeEntry } from './describe.ts'
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

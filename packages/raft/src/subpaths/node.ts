// @cluster/raft/node — the Node.js side beside the core: the driver (RaftNode), snapshot files,
// the transport interface with its in-memory network, the wire codec and proposal envelopes.
// Loads node:fs, node:crypto and msgpackr; neither better-sqlite3 nor libp2p.
export { RaftNode } from '../node.ts'
export type { RaftNodeOptions, StateMachine, WritableStorage, PersistUpdate, SnapshotFetcher, SnapshotEvent } from '../node.ts'
export { SnapshotFolder, fileSnapshotFetcher, encodeDescriptor, decodeDescriptor, readFileChunks } from '../snapshot-files.ts'
export type { SnapshotFileDescriptor, SnapshotFileReader, SnapshotFolderOptions } from '../snapshot-files.ts'
export type { RaftTransport, SnapshotFileResolver } from '../transport.ts'
export { MemoryNetwork } from '../memory-transport.ts'
export { encodeMessage, decodeMessage } from '../codec.ts'
export { unwrap as unwrapProposal, proposalId } from '../envelope.ts'
export type { Envelope } from '../envelope.ts'
export { DecodeError, TimeoutError, NodeStoppedError, NodeStalledError, ForeignMessageError, SnapshotTransferError } from '../transport-errors.ts'

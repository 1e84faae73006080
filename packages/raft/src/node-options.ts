import type { RaftConfig } from './config.ts'
import type { ConfState, Entry, HardState, Message, NodeId, Snapshot } from './messages.ts'
import type { Storage } from './storage.ts'
import type { RaftTransport } from './transport.ts'

/** The replicated application. Raft calls it in log order, once per committed entry. */
export interface StateMachine<R = unknown> {
  /**
   * Applies one committed entry; the result resolves the proposer's promise on this node.
   * `proposal` identifies the proposal (unique across restarts of its proposer). The driver
   * re-sends its pending proposals when the leader changes, so one proposal may commit twice:
   * a state machine whose operations are not idempotent skips an id it has already applied
   * (deterministically: every replica applies the same entries).
   */
  apply: (payload: Uint8Array, index: number, proposal?: string) => R
  /**
   * The whole state at the applied index of the call, for snapshots sent to lagging followers
   * and for log compaction. A promise lets a big state be written out while entries go on being
   * applied: the state machine must capture its view before returning (e.g. open a read
   * transaction); the log is compacted once the promise resolves. With a
   * {@link RaftNodeOptions.snapshotFetcher}, the bytes describe where the contents are.
   */
  snapshot: () => Uint8Array | Promise<Uint8Array>
  /** Replaces the whole state (a snapshot arrived, or at start-up). Empty data is the empty state. */
  restore: (data: Uint8Array, index: number) => void
  /**
   * For durable state machines (the state lives on disk): the last index they applied. The driver
   * then skips restoring the snapshot at start-up and re-applies only what follows.
   */
  appliedIndex?: () => number
  /**
   * Optional, for durable state machines: runs `applyAll` (which calls `apply` for each entry
   * committed together, in log order) as one unit, e.g. one database transaction, so entries that
   * commit together cost one commit. It must call `applyAll` synchronously and let its error
   * through; results still resolve each proposer once `applyAll` returns.
   */
  applyGroup?: (applyAll: () => void) => void
}

/** The storage the driver writes to: MemoryStorage and SqliteStorage both fit. */
export interface WritableStorage extends Storage {
  setHardState: (hs: HardState) => void
  append: (entries: readonly Entry[]) => void
  applySnapshot: (s: Snapshot) => void
  createSnapshot: (i: number, cs: ConfState, data: Uint8Array) => Snapshot
  compact: (i: number) => void
  /**
   * One atomic, synced write of a Ready (SqliteStorage); otherwise the three calls above.
   * `mustSync: false` allows skipping the fsync (only the commit index changed).
   */
  persist?: (update: PersistUpdate) => void
  /**
   * Preferred over {@link persist}: the write is visible to the reads at once, the promise settles
   * once it is durable (the driver waits for it without blocking the event loop).
   */
  persistAsync?: (update: PersistUpdate) => Promise<void>
}

export interface PersistUpdate {
  hardState?: HardState
  entries?: readonly Entry[]
  snapshot?: Snapshot
  mustSync?: boolean
}

/**
 * For snapshots whose contents travel outside the Raft message (a file, fetched in chunks): a
 * received `snap` message is stepped only once its contents are here.
 */
export interface SnapshotFetcher {
  /** True when the snapshot's contents are present locally (restore() can read them). */
  isLocal: (snapshot: Snapshot) => boolean
  /** Brings the contents from `from`, resuming an earlier broken transfer; rejects on failure. */
  fetch: (snapshot: Snapshot, from: NodeId) => Promise<void>
}

/** What the driver does with snapshots, for the application's log. */
export type SnapshotEvent =
  | { type: 'created', index: number, ms: number }
  | { type: 'fetching', index: number, from: NodeId }
  | { type: 'fetched', index: number, from: NodeId, ms: number }
  | { type: 'fetch-failed', index: number, from: NodeId, error: Error }
  | { type: 'create-failed', index: number, error: Error }
  | { type: 'restored', index: number, ms: number }

export interface RaftNodeOptions<R> extends Omit<RaftConfig, 'storage' | 'rng' | 'id' | 'applied'> {
  storage: WritableStorage
  transport: RaftTransport
  stateMachine: StateMachine<R>
  /** Initial voters when the storage is empty (every founding member passes the same list). */
  bootstrap?: readonly NodeId[]
  /** Milliseconds per logical tick. Default 100 (election timeout 1–2 s with 10 ticks). */
  tickMs?: number
  /** Take a snapshot and compact the log every this many applied entries. Default 10000. */
  snapshotEvery?: number
  /** Entries kept behind a snapshot for slow followers. Default 1000. */
  keepAfterSnapshot?: number
  /**
   * With a storage that has both `persist` and `persistAsync`: a Ready appending at most this
   * many entries (and no snapshot) is written with `persist`, on the event loop, while the disk is
   * quick (see SyncPersistPolicy): the fsync of one entry is shorter than the trip of an async
   * one's callback through the thread pool and a busy loop, which the commit waits for. Larger
   * Readys keep the loop free while their fsync runs. Default 0: always `persistAsync`.
   */
  syncPersistMaxEntries?: number
  /** How long proposals, reads and membership changes may take. Default 10 s. */
  requestTimeoutMs?: number
  /** Seed of the election-timeout jitter (default: random). */
  seed?: number
  onLeaderChange?: (leader: NodeId | null) => void
  /**
   * On the leader, the payloads of proposals a follower forwarded here, as they arrive and
   * before they enter the log (e.g. to trace the hop). Must not throw.
   */
  onForwardedProposals?: (from: NodeId, payloads: Uint8Array[]) => void
  /** This node was removed from the group (its removal was applied). */
  onRemoved?: () => void
  /** A storage or state-machine failure stopped the node (it cannot continue safely). */
  onFatal?: (err: Error) => void
  /**
   * Whether a failed write of a Ready (to the log or the state machine: a full disk, say) is tried
   * again every `stallRetryMs` instead of stopping the node. Meanwhile the node stands still, as
   * a paused process: no ticks, incoming messages dropped, proposals (pending and new) failed
   * with NodeStalledError; as after a timeout, an entry of the stalled write still commits once
   * it goes through. Default: every such failure is fatal.
   */
  retryFailedWrite?: (err: Error) => boolean
  /** Default 1000 ms. */
  stallRetryMs?: number
  /** The node stalled on `err` (see retryFailedWrite), or (`undefined`) wrote again. */
  onStall?: (err: Error | undefined) => void
  /** A message from the network was refused (not a member, or rejected by the core). */
  onRejectedMessage?: (err: Error, message: Message) => void
  /** Snapshot contents that travel outside the Raft messages (see {@link SnapshotFetcher}). */
  snapshotFetcher?: SnapshotFetcher
  onSnapshotEvent?: (event: SnapshotEvent) => void
}


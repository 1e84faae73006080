/** What a Replica is given, and what it reports. */
import type { Logger } from '@cluster/api'
import type { CID } from 'multiformats/cid'
import type { CrdtStore } from './store.ts'

/** How a replica reaches blocks: its own and other peers' (e.g. a blockstore with bitswap). */
export interface BlockAccess {
  /**
   * The block's bytes, from local storage or the network; rejects when `signal` aborts. `walked`:
   * how many blocks the DAG walk asking has fetched so far (a long walk may fetch ahead).
   */
  getBlock(cid: CID, options: { signal: AbortSignal, walked?: number }): Promise<Uint8Array>
  /** Keeps a block this replica made, so that others can fetch it. */
  putBlock(cid: CID, bytes: Uint8Array): Promise<void> | void
}

export interface ReplicaOptions {
  store: CrdtStore
  blocks: BlockAccess
  /** Sends a CRDTBroadcast payload to the other replicas; absent = offline (Go's state commands). */
  broadcast?: (payload: Uint8Array) => Promise<void> | void
  /** A value became the current one of `key` (Go's PutHook), local or remote. */
  onPut?: (key: string, value: Uint8Array) => void
  /** A delta tombstoned elements of `key` (Go's DeleteHook); the key may still have a value. */
  onDelete?: (key: string) => void
  /** Block fetches in flight per walk (Go IPFS Cluster: 50 workers). */
  fetchConcurrency?: number
  /** Per block fetch (Go IPFS Cluster: 2 minutes). */
  fetchTimeoutMs?: number
  /** A batch whose delta grows past this many bytes commits at once (go-ds-crdt: 1 MiB). */
  maxBatchDeltaSize?: number
  /**
   * Merged blocks per store commit while walking (default 256). The group also commits before a
   * local write is broadcast, and when the walk ends or the event loop turns (mergeCommitDelayMs
   * 0), or that long after its first merge. Hooks fire after the commit.
   */
  blocksPerCommit?: number
  /**
   * How long merged blocks wait for company before their group commits (default 0: no wait, a
   * received delta's hooks have fired when receive() resolves). A busy peer receives a delta every
   * few ms: a commit each (and an update of the hooks' consumers) costs more than the merges. A
   * local write commits at once, taking the waiting merges along.
   */
  mergeCommitDelayMs?: number
  /** Queued local writes sharing one commit and one announcement, at most (default 64). */
  writesPerCommit?: number
  /**
   * Queued local writes go into one delta (one block) instead of one block each (default false:
   * Go's shape). Deletes then tombstone what is live when their block is made, so a delete queued
   * behind a put of the same key removes it, as the writes' order says.
   */
  coalesceWrites?: boolean
  /**
   * Bytes of the blocks made since the last announcement that go along with it (default 0: none,
   * Go's payload). Go peers ignore them; ours store them (checked against their CIDs) and walk
   * without a bitswap round trip per block. Rebroadcasts carry none.
   */
  carryBlockBytes?: number
  /**
   * Least time between two announcements of local writes (default 0: one per write commit). The
   * first after a quiet spell goes out at once; later ones name the newest head, and the others
   * see the writes made meanwhile that much later at most.
   */
  announceIntervalMs?: number
  /** Announced heads waiting to be walked, at most (default 10,000); more are dropped and reported. */
  maxQueuedHeads?: number
  /** What the replica does that an operator should see (dropped heads, failed fetches). */
  log?: Logger
}

/** What happened to the heads of one received broadcast. */
export interface ReceiveResult {
  heads: CID[]
  /** Heads whose walk failed (unfetchable head, or a failed subtree: then the store is dirty). */
  failed: CID[]
  /** Heads not queued because maxQueuedHeads were already waiting (a later announcement retries). */
  dropped: CID[]
}

import type { Pin } from '@cluster/api'
import type { LogOp } from './ops.ts'
import type { PinsetState } from './state.ts'

/**
 * What a cluster peer asks of its consensus, Raft or CRDT (Go's `Consensus` interface): the
 * shared pinset (this peer's copy, with its search index), writes to it, and the peerset.
 */
export interface ClusterConsensus {
  readonly kind: 'raft' | 'crdt'
  /** This peer's copy of the shared pinset. */
  readonly state: PinsetState
  /** Starts network work that needs the host running (a no-op where the constructor did it). */
  start: () => Promise<void>
  /** Adds or replaces the pin of `pin.cid`; resolves once durable and applied here. */
  logPin: (pin: Pin) => Promise<void>
  /** Removes the pin; resolves once durable and applied here. Removing an absent pin is fine. */
  logUnpin: (pin: Pin) => Promise<void>
  /** Many operations in as few consensus writes as possible; yields each group once applied, or its error. */
  logBatch: (ops: readonly LogOp[]) => AsyncGenerator<{ ops: LogOp[], error?: Error }>
  /** The leader's ID; throws NoLeaderError when there is none (always, with CRDT). */
  leader: () => string
  isLeader: () => boolean
  /** Waits for a leader (Raft); CRDT has none and fails at once with Go's text. */
  waitForLeader: (timeoutMs?: number) => Promise<string>
  /** The peerset, sorted. */
  peers: () => string[]
  addPeer: (id: string) => Promise<void>
  rmPeer: (id: string) => Promise<void>
  /** After it, `state` holds every write this peer acknowledged before the call. */
  readBarrier: () => Promise<void>
  /** Whether `id` may write to the shared state and call trusted RPC (Raft: every member). */
  isTrusted: (id: string) => boolean
  shutdown: () => Promise<void>
}

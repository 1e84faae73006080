import { InvalidConfigError } from './errors.ts'
import type { Rng } from './rng.ts'
import type { Storage } from './storage.ts'
import type { NodeId } from './messages.ts'
import type { RaftLogger } from './logger.ts'

export type ReadOnlyMode = 'safe' | 'lease'

/** Configuration of one Raft core. Only `id`, `storage` and `rng` are required. */
export interface RaftConfig {
  /** This node's identifier (non-empty). */
  id: NodeId
  /** Read side of the durable log (see {@link Storage}). */
  storage: Storage
  /** Randomness for the election timeout jitter (inject a seeded one for tests). */
  rng: Rng
  /** Ticks without hearing from a leader before campaigning; randomised in [e, 2e). Default 10. */
  electionTicks?: number
  /** Ticks between leader heartbeats. Default 1. Must be < electionTicks. */
  heartbeatTicks?: number
  /** Last applied index, for applications whose state machine is durable. Default 0. */
  applied?: number
  /** Max entries in one append message. Default 512 (the cluster's `max_append_entries`). */
  maxEntriesPerMsg?: number
  /** Max bytes of entries in one append message (at least one entry is always sent). Default 1 MiB. */
  maxBytesPerMsg?: number
  /** Max append messages in flight to one follower in replicate state. Default 256. */
  maxInflightMsgs?: number
  /** Max bytes in flight to one follower (0 = unlimited). Default 0. */
  maxInflightBytes?: number
  /** Max bytes of uncommitted proposals on the leader; beyond it proposals are dropped (0 = unlimited). Default 0. */
  maxUncommittedBytes?: number
  /** Max bytes of committed entries handed out in one Ready. Default 4 MiB. */
  maxCommittedBytesPerReady?: number
  /** Leader steps down when it has not heard from a quorum within an election timeout. Default true. */
  checkQuorum?: boolean
  /** Run a pre-election before incrementing the term. Default true. */
  preVote?: boolean
  /** How reads are confirmed: 'safe' (heartbeat round) or 'lease' (relies on checkQuorum timing). Default 'safe'. */
  readOnlyMode?: ReadOnlyMode
  /** Followers drop proposals instead of forwarding them to the leader. Default false. */
  disableProposalForwarding?: boolean
  /** A leader steps down once the change removing (or demoting) it is applied. Default true. */
  stepDownOnRemoval?: boolean
  /** Trace logger (state transitions, elections, messages); none by default: silent. */
  logger?: RaftLogger
}

export type ResolvedConfig = Required<Omit<RaftConfig, 'logger'>> & Pick<RaftConfig, 'logger'>

export const DEFAULTS = {
  electionTicks: 10,
  heartbeatTicks: 1,
  applied: 0,
  maxEntriesPerMsg: 512,
  maxBytesPerMsg: 1024 * 1024,
  maxInflightMsgs: 256,
  maxInflightBytes: 0,
  maxUncommittedBytes: 0,
  maxCommittedBytesPerReady: 4 * 1024 * 1024,
  checkQuorum: true,
  preVote: true,
  readOnlyMode: 'safe' as ReadOnlyMode,
  disableProposalForwarding: false,
  stepDownOnRemoval: true
}

/** Fills defaults and validates; throws {@link InvalidConfigError}. */
export function resolveConfig (c: RaftConfig): ResolvedConfig {
  const r: ResolvedConfig = { ...DEFAULTS, ...stripUndefined(c) } as ResolvedConfig
  if (r.id === '') throw new InvalidConfigError('id must not be empty')
  if (!Number.isInteger(r.heartbeatTicks) || r.heartbeatTicks <= 0) throw new InvalidConfigError('heartbeatTicks must be a positive integer')
  if (!Number.isInteger(r.electionTicks) || r.electionTicks <= r.heartbeatTicks) throw new InvalidConfigError('electionTicks must be greater than heartbeatTicks')
  if (r.maxEntriesPerMsg < 1) throw new InvalidConfigError('maxEntriesPerMsg must be at least 1')
  if (r.maxBytesPerMsg < 1) throw new InvalidConfigError('maxBytesPerMsg must be at least 1')
  if (r.maxInflightMsgs < 1) throw new InvalidConfigError('maxInflightMsgs must be at least 1')
  if (r.maxInflightBytes < 0 || r.maxUncommittedBytes < 0) throw new InvalidConfigError('byte limits must not be negative')
  if (r.readOnlyMode === 'lease' && !r.checkQuorum) throw new InvalidConfigError('lease reads require checkQuorum')
  return r
}

function stripUndefined<T extends object> (o: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v
  return out
}

import { ConsensusConfigError } from './errors.ts'

/**
 * `consensus.raft` settings (consensus-raft.md §A.7) in milliseconds. The service reads the
 * Go-style JSON (durations as strings) and hands this object over.
 */
export interface RaftConsensusConfig {
  /** Peer IDs to bootstrap with when there is no Raft state yet. Default: just this peer. */
  initPeerset: string[]
  /** Max wait for a leader. Default 15 s. */
  waitForLeaderTimeoutMs: number
  /** Extra attempts for commits and membership changes. Default 1. */
  commitRetries: number
  /** Pause between attempts. Default 200 ms. */
  commitRetryDelayMs: number
  /** Time without leader contact before an election (randomised 1–2×). Default 1 s. */
  heartbeatTimeoutMs: number
  /** Entries between snapshots. Default 8192. */
  snapshotThreshold: number
  /** Entries kept behind a snapshot for slow followers. Default 10240. */
  trailingLogs: number
  /** Max entries per append message (1…1024). Default 64. */
  maxAppendEntries: number
  /** `raft.old.N` backups kept by clean(). Default 6. */
  backupsRotate: number
}

export const RAFT_DEFAULTS: RaftConsensusConfig = {
  initPeerset: [],
  waitForLeaderTimeoutMs: 15_000,
  commitRetries: 1,
  commitRetryDelayMs: 200,
  heartbeatTimeoutMs: 1_000,
  snapshotThreshold: 8192,
  trailingLogs: 10_240,
  maxAppendEntries: 64,
  backupsRotate: 6
}

/** Fills defaults and validates with Go's error texts. */
export function resolveRaftConfig (partial: Partial<RaftConsensusConfig> = {}): RaftConsensusConfig {
  const c = { ...RAFT_DEFAULTS, ...partial }
  if (c.waitForLeaderTimeoutMs <= 0) throw new ConsensusConfigError('wait_for_leader_timeout <= 0')
  if (!Number.isInteger(c.commitRetries) || c.commitRetries < 0) throw new ConsensusConfigError('commit_retries is invalid')
  if (c.commitRetryDelayMs < 0) throw new ConsensusConfigError('commit_retry_delay is invalid')
  if (c.backupsRotate <= 0) throw new ConsensusConfigError('backups_rotate should be larger than 0')
  if (c.heartbeatTimeoutMs < 5) throw new ConsensusConfigError('heartbeat_timeout is too low')
  if (c.maxAppendEntries < 1 || c.maxAppendEntries > 1024) throw new ConsensusConfigError('max_append_entries must be between 1 and 1024')
  if (c.snapshotThreshold < 1) throw new ConsensusConfigError('snapshot_threshold must be positive')
  return c
}

/*
 * The `consensus.raft` section (consensus-raft.md §A.7, config.md §5.1): the one model of it —
 * type, defaults, Go's JSON keys and load rules, validation with Go's texts, `CLUSTER_RAFT_*`
 * variables. Durations are milliseconds here and Go duration strings in JSON.
 */
import { formatDurationMs, parseDurationMs, parsePeerIdsLenient } from '@cluster/api'
import { type JsonSection, intAt, nonZero, sectionObject, stringAt, nonEmpty, stringListAt } from './config-json.ts'
import { ConsensusConfigError } from './errors.ts'

export interface RaftConsensusConfig {
  /** Peer IDs to bootstrap with when there is no Raft state yet. Default: just this peer. */
  initPeerset: string[]
  /** Max wait for a leader. Default 15 s. */
  waitForLeaderTimeoutMs: number
  /** Go's timeout of Raft's network transport. Kept for the file; this Raft does not use it. Default 10 s. */
  networkTimeoutMs: number
  /** Extra attempts for commits and membership changes. Default 1. */
  commitRetries: number
  /** Pause between attempts. Default 200 ms. */
  commitRetryDelayMs: number
  /** `raft.old.N` backups kept by clean(). Default 6. */
  backupsRotate: number
  /** Go's datastore namespace. Kept for the file. Default `/r`. */
  datastoreNamespace: string
  /** Time without leader contact before an election (randomised 1–2×). Default 1 s. */
  heartbeatTimeoutMs: number
  /** hashicorp/raft's candidate timeout. Kept and validated as Go does; this Raft uses heartbeatTimeoutMs. Default 1 s. */
  electionTimeoutMs: number
  /** hashicorp/raft's commit timeout. Kept for the file. Default 50 ms. */
  commitTimeoutMs: number
  /** Max entries per append message (1…1024). Default 64. */
  maxAppendEntries: number
  /** Entries kept behind a snapshot for slow followers. Default 10240. */
  trailingLogs: number
  /** hashicorp/raft's snapshot check period. Kept for the file; snapshots follow snapshotThreshold. Default 2 min. */
  snapshotIntervalMs: number
  /** Entries between snapshots. Default 8192. */
  snapshotThreshold: number
  /** hashicorp/raft's leader lease. Kept and validated as Go does. Default 500 ms. */
  leaderLeaseTimeoutMs: number
  /**
   * Not read by the consensus (it is handed its folder): where the daemon keeps the Raft files;
   * '' = `<config folder>/raft`.
   */
  dataFolder: string
}

export const DEFAULT_RAFT_DATASTORE_NAMESPACE = '/r'

export const RAFT_DEFAULTS: Readonly<RaftConsensusConfig> = Object.freeze({
  initPeerset: [],
  waitForLeaderTimeoutMs: 15_000,
  networkTimeoutMs: 10_000,
  commitRetries: 1,
  commitRetryDelayMs: 200,
  backupsRotate: 6,
  datastoreNamespace: DEFAULT_RAFT_DATASTORE_NAMESPACE,
  heartbeatTimeoutMs: 1_000,
  electionTimeoutMs: 1_000,
  commitTimeoutMs: 50,
  maxAppendEntries: 64,
  trailingLogs: 10_240,
  snapshotIntervalMs: 120_000,
  snapshotThreshold: 8192,
  leaderLeaseTimeoutMs: 500,
  dataFolder: ''
})

export function defaultRaftConfig (): RaftConsensusConfig {
  return { ...RAFT_DEFAULTS, initPeerset: [] }
}

/**
 * Go's checks, then hashicorp/raft's `ValidateConfig`, with their texts. Throws
 * ConsensusConfigError.
 */
export function validateRaftConfig (c: RaftConsensusConfig): void {
  const reason = raftConfigProblem(c)
  if (reason !== undefined) throw new ConsensusConfigError(reason)
}

function raftConfigProblem (c: RaftConsensusConfig): string | undefined {
  if (!(c.waitForLeaderTimeoutMs > 0)) return 'wait_for_leader_timeout <= 0'
  if (!(c.networkTimeoutMs > 0)) return 'network_timeout <= 0'
  if (!Number.isInteger(c.commitRetries) || c.commitRetries < 0) return 'commit_retries is invalid'
  if (!(c.commitRetryDelayMs > 0)) return 'commit_retry_delay is invalid'
  if (!(c.backupsRotate > 0)) return 'backups_rotate should be larger than 0'
  if (!(c.heartbeatTimeoutMs >= 5)) return 'HeartbeatTimeout is too low'
  if (!(c.electionTimeoutMs >= 5)) return 'ElectionTimeout is too low'
  if (!(c.commitTimeoutMs >= 1)) return 'CommitTimeout is too low'
  if (!(c.maxAppendEntries > 0)) return 'MaxAppendEntries must be positive'
  if (c.maxAppendEntries > 1024) return 'MaxAppendEntries is too large'
  if (!(c.snapshotIntervalMs >= 5)) return 'SnapshotInterval is too low'
  if (!(c.leaderLeaseTimeoutMs >= 5)) return 'LeaderLeaseTimeout is too low'
  if (c.leaderLeaseTimeoutMs > c.heartbeatTimeoutMs) {
    return `LeaderLeaseTimeout (${formatDurationMs(c.leaderLeaseTimeoutMs)}) cannot be larger than heartbeat timeout (${formatDurationMs(c.heartbeatTimeoutMs)})`
  }
  if (c.electionTimeoutMs < c.heartbeatTimeoutMs) {
    return `ElectionTimeout (${formatDurationMs(c.electionTimeoutMs)}) must be equal or greater than Heartbeat Timeout (${formatDurationMs(c.heartbeatTimeoutMs)})`
  }
  // Not Go's: a threshold of 0 would snapshot after every entry.
  if (!(c.snapshotThreshold >= 1)) return 'SnapshotThreshold must be positive'
  return undefined
}

/**
 * Defaults, then `partial`, then validation: the settings for a program that builds them itself.
 * Timings left out follow a shorter heartbeat (Go's defaults would fail validation): the leader
 * lease is at most the heartbeat, the election timeout at least it.
 */
export function resolveRaftConfig (partial: Partial<RaftConsensusConfig> = {}): RaftConsensusConfig {
  const c = { ...defaultRaftConfig(), ...partial }
  if (partial.leaderLeaseTimeoutMs === undefined) c.leaderLeaseTimeoutMs = Math.min(c.leaderLeaseTimeoutMs, c.heartbeatTimeoutMs)
  if (partial.electionTimeoutMs === undefined) c.electionTimeoutMs = Math.max(c.electionTimeoutMs, c.heartbeatTimeoutMs)
  validateRaftConfig(c)
  return c
}

/** Go's JSON keys, in Go's order. */
export const RAFT_JSON_KEYS = [
  'data_folder', 'init_peerset', 'wait_for_leader_timeout', 'network_timeout', 'commit_retries',
  'commit_retry_delay', 'backups_rotate', 'datastore_namespace', 'heartbeat_timeout',
  'election_timeout', 'commit_timeout', 'max_append_entries', 'trailing_logs', 'snapshot_interval',
  'snapshot_threshold', 'leader_lease_timeout'
] as const

type RaftJsonKey = typeof RAFT_JSON_KEYS[number]

/** Environment suffixes (Go envconfig: the field name upper-cased) → JSON key and value kind. */
export const RAFT_ENV_FIELDS: ReadonlyArray<readonly [string, RaftJsonKey, 'string' | 'int' | 'uint' | 'list']> = [
  ['DATAFOLDER', 'data_folder', 'string'],
  ['INITPEERSET', 'init_peerset', 'list'],
  ['WAITFORLEADERTIMEOUT', 'wait_for_leader_timeout', 'string'],
  ['NETWORKTIMEOUT', 'network_timeout', 'string'],
  ['COMMITRETRIES', 'commit_retries', 'int'],
  ['COMMITRETRYDELAY', 'commit_retry_delay', 'string'],
  ['BACKUPSROTATE', 'backups_rotate', 'int'],
  ['DATASTORENAMESPACE', 'datastore_namespace', 'string'],
  ['HEARTBEATTIMEOUT', 'heartbeat_timeout', 'string'],
  ['ELECTIONTIMEOUT', 'election_timeout', 'string'],
  ['COMMITTIMEOUT', 'commit_timeout', 'string'],
  ['MAXAPPENDENTRIES', 'max_append_entries', 'int'],
  ['TRAILINGLOGS', 'trailing_logs', 'uint'],
  ['SNAPSHOTINTERVAL', 'snapshot_interval', 'string'],
  ['SNAPSHOTTHRESHOLD', 'snapshot_threshold', 'uint'],
  ['LEADERLEASETIMEOUT', 'leader_lease_timeout', 'string']
]

/** A problem Go reports but loads anyway (`key` is the JSON key). */
export type RaftConfigWarning = (key: RaftJsonKey, message: string) => void

const DURATIONS = [
  ['wait_for_leader_timeout', 'waitForLeaderTimeoutMs'],
  ['network_timeout', 'networkTimeoutMs'],
  ['commit_retry_delay', 'commitRetryDelayMs'],
  ['heartbeat_timeout', 'heartbeatTimeoutMs'],
  ['election_timeout', 'electionTimeoutMs'],
  ['commit_timeout', 'commitTimeoutMs'],
  ['snapshot_interval', 'snapshotIntervalMs'],
  ['leader_lease_timeout', 'leaderLeaseTimeoutMs']
] as const

/**
 * Overlays Go's JSON on `base` with Go's rules: a duration that does not parse (or parses to 0)
 * keeps the current value with a warning `<value> is not a valid duration. Default will be used`;
 * numbers equal to 0 and empty strings keep it; `init_peerset` is replaced (invalid IDs dropped).
 * One documented fix: a missing `commit_retries` keeps the default (Go reads it as 0). Unknown
 * keys are ignored. Does not validate.
 */
export function readRaftJson (json: unknown, base: RaftConsensusConfig = defaultRaftConfig(), warn: RaftConfigWarning = () => {}): RaftConsensusConfig {
  const obj = sectionObject(json, 'raft')
  const c = { ...base }
  c.dataFolder = nonEmpty(stringAt(obj, 'data_folder'), c.dataFolder)
  for (const [key, field] of DURATIONS) c[field] = lenientDuration(obj, key, c[field], warn)
  c.commitRetries = intAt(obj, 'commit_retries') ?? c.commitRetries
  c.backupsRotate = nonZero(intAt(obj, 'backups_rotate'), c.backupsRotate)
  c.datastoreNamespace = nonEmpty(stringAt(obj, 'datastore_namespace'), c.datastoreNamespace)
  c.maxAppendEntries = nonZero(intAt(obj, 'max_append_entries'), c.maxAppendEntries)
  c.trailingLogs = nonZero(intAt(obj, 'trailing_logs', 'uint64'), c.trailingLogs)
  c.snapshotThreshold = nonZero(intAt(obj, 'snapshot_threshold', 'uint64'), c.snapshotThreshold)
  c.initPeerset = parsePeerIdsLenient(stringListAt(obj, 'init_peerset') ?? [])
  return c
}

function lenientDuration (obj: JsonSection, key: RaftJsonKey, current: number, warn: RaftConfigWarning): number {
  const text = stringAt(obj, key)
  if (text === undefined || text === '') return current
  let ms = 0
  try {
    ms = parseDurationMs(text)
  } catch {}
  if (ms === 0) {
    warn(key, `${text} is not a valid duration. Default will be used`)
    return current
  }
  return ms
}


/** The section as Go writes it, keys in Go's order (`omitempty` keys left out when zero). */
export function raftConfigToJson (c: RaftConsensusConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (c.dataFolder !== '') out.data_folder = c.dataFolder
  out.init_peerset = [...c.initPeerset]
  out.wait_for_leader_timeout = formatDurationMs(c.waitForLeaderTimeoutMs)
  out.network_timeout = formatDurationMs(c.networkTimeoutMs)
  out.commit_retries = c.commitRetries
  out.commit_retry_delay = formatDurationMs(c.commitRetryDelayMs)
  out.backups_rotate = c.backupsRotate
  if (c.datastoreNamespace !== DEFAULT_RAFT_DATASTORE_NAMESPACE && c.datastoreNamespace !== '') out.datastore_namespace = c.datastoreNamespace
  const put = (key: RaftJsonKey, value: number, text: string | number): void => { if (value !== 0) out[key] = text }
  put('heartbeat_timeout', c.heartbeatTimeoutMs, formatDurationMs(c.heartbeatTimeoutMs))
  put('election_timeout', c.electionTimeoutMs, formatDurationMs(c.electionTimeoutMs))
  put('commit_timeout', c.commitTimeoutMs, formatDurationMs(c.commitTimeoutMs))
  put('max_append_entries', c.maxAppendEntries, c.maxAppendEntries)
  put('trailing_logs', c.trailingLogs, c.trailingLogs)
  put('snapshot_interval', c.snapshotIntervalMs, formatDurationMs(c.snapshotIntervalMs))
  put('snapshot_threshold', c.snapshotThreshold, c.snapshotThreshold)
  put('leader_lease_timeout', c.leaderLeaseTimeoutMs, formatDurationMs(c.leaderLeaseTimeoutMs))
  return out
}

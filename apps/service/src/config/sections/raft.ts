/**
 * The `consensus.raft` section (config.md §5.1) and its mapping onto @cluster/consensus's
 * `RaftConsensusConfig` (milliseconds). Rules follow Go's `consensus/raft/config.go`, with one
 * documented fix: a missing `commit_retries` keeps the default (Go reads it as 0).
 */
import { join } from 'node:path'
import { MILLISECOND, MINUTE, SECOND, formatDuration, parseDuration, parsePeerIdsLenient } from '@cluster/api'
import type { Duration, JsonObject } from '@cluster/api'
import { resolveRaftConfig } from '@cluster/consensus/config'
import type { RaftConsensusConfig } from '@cluster/consensus/config'
import type { EnvField } from '../env.ts'
import type { ConfigWarning, JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'
import { nonEmpty, nonZero } from '../values.ts'

export interface RaftSection {
  /** '' = `<config folder>/raft`. */
  dataFolder: string
  /** Canonical peer IDs (invalid ones are dropped when reading). */
  initPeerset: string[]
  waitForLeaderTimeout: Duration
  networkTimeout: Duration
  commitRetries: number
  commitRetryDelay: Duration
  backupsRotate: number
  datastoreNamespace: string
  heartbeatTimeout: Duration
  electionTimeout: Duration
  commitTimeout: Duration
  maxAppendEntries: number
  trailingLogs: number
  snapshotInterval: Duration
  snapshotThreshold: number
  leaderLeaseTimeout: Duration
}

export const DEFAULT_RAFT_DATA_SUBFOLDER = 'raft'
export const DEFAULT_DATASTORE_NAMESPACE = '/r'

function defaultRaft (): RaftSection {
  return {
    dataFolder: '',
    initPeerset: [],
    waitForLeaderTimeout: 15n * SECOND,
    networkTimeout: 10n * SECOND,
    commitRetries: 1,
    commitRetryDelay: 200n * MILLISECOND,
    backupsRotate: 6,
    datastoreNamespace: DEFAULT_DATASTORE_NAMESPACE,
    heartbeatTimeout: SECOND,
    electionTimeout: SECOND,
    commitTimeout: 50n * MILLISECOND,
    maxAppendEntries: 64,
    trailingLogs: 10240,
    snapshotInterval: 2n * MINUTE,
    snapshotThreshold: 8192,
    leaderLeaseTimeout: 500n * MILLISECOND
  }
}

const KNOWN = [
  'data_folder', 'init_peerset', 'wait_for_leader_timeout', 'network_timeout', 'commit_retries',
  'commit_retry_delay', 'backups_rotate', 'datastore_namespace', 'heartbeat_timeout',
  'election_timeout', 'commit_timeout', 'max_append_entries', 'trailing_logs', 'snapshot_interval',
  'snapshot_threshold', 'leader_lease_timeout'
] as const

/**
 * Go's raft duration parsing: errors are ignored (0 → keep the current value) with a warning
 * `<value> is not a valid duration. Default will be used` whenever a non-empty text gives 0.
 */
function raftDuration (r: JsonReader, key: string, current: Duration, warnings: ConfigWarning[]): Duration {
  const text = r.string(key)
  if (text === undefined || text === '') return current
  let d = 0n
  try {
    d = parseDuration(text)
  } catch {
    d = 0n
  }
  if (d === 0n) {
    warnings.push({ key: r.key(key), message: `${text} is not a valid duration. Default will be used` })
    return current
  }
  return d
}

function applyRaft (base: RaftSection, r: JsonReader, warnings: ConfigWarning[]): RaftSection {
  const c = { ...base }
  c.dataFolder = nonEmpty(r.string('data_folder'), c.dataFolder)
  c.waitForLeaderTimeout = raftDuration(r, 'wait_for_leader_timeout', c.waitForLeaderTimeout, warnings)
  c.networkTimeout = raftDuration(r, 'network_timeout', c.networkTimeout, warnings)
  // Go copies commit_retries as-is (missing → 0); a missing key keeps the default here.
  c.commitRetries = r.int('commit_retries') ?? c.commitRetries
  c.commitRetryDelay = raftDuration(r, 'commit_retry_delay', c.commitRetryDelay, warnings)
  c.backupsRotate = nonZero(r.int('backups_rotate'), c.backupsRotate)
  c.datastoreNamespace = nonEmpty(r.string('datastore_namespace'), c.datastoreNamespace)
  c.heartbeatTimeout = raftDuration(r, 'heartbeat_timeout', c.heartbeatTimeout, warnings)
  c.electionTimeout = raftDuration(r, 'election_timeout', c.electionTimeout, warnings)
  c.commitTimeout = raftDuration(r, 'commit_timeout', c.commitTimeout, warnings)
  c.maxAppendEntries = nonZero(r.int('max_append_entries'), c.maxAppendEntries)
  c.trailingLogs = nonZero(r.uint('trailing_logs'), c.trailingLogs)
  c.snapshotInterval = raftDuration(r, 'snapshot_interval', c.snapshotInterval, warnings)
  c.snapshotThreshold = nonZero(r.uint('snapshot_threshold'), c.snapshotThreshold)
  c.leaderLeaseTimeout = raftDuration(r, 'leader_lease_timeout', c.leaderLeaseTimeout, warnings)
  c.initPeerset = parsePeerIdsLenient(r.stringList('init_peerset') ?? [])
  return c
}

/** Go's own checks, then hashicorp/raft's `ValidateConfig`. */
function validateRaft (c: RaftSection): string | undefined {
  if (c.waitForLeaderTimeout <= 0n) return 'wait_for_leader_timeout <= 0'
  if (c.networkTimeout <= 0n) return 'network_timeout <= 0'
  if (c.commitRetries < 0) return 'commit_retries is invalid'
  if (c.commitRetryDelay <= 0n) return 'commit_retry_delay is invalid'
  if (c.backupsRotate <= 0) return 'backups_rotate should be larger than 0'
  const ms5 = 5n * MILLISECOND
  if (c.heartbeatTimeout < ms5) return 'HeartbeatTimeout is too low'
  if (c.electionTimeout < ms5) return 'ElectionTimeout is too low'
  if (c.commitTimeout < MILLISECOND) return 'CommitTimeout is too low'
  if (c.maxAppendEntries <= 0) return 'MaxAppendEntries must be positive'
  if (c.maxAppendEntries > 1024) return 'MaxAppendEntries is too large'
  if (c.snapshotInterval < ms5) return 'SnapshotInterval is too low'
  if (c.leaderLeaseTimeout < ms5) return 'LeaderLeaseTimeout is too low'
  if (c.leaderLeaseTimeout > c.heartbeatTimeout) {
    return `LeaderLeaseTimeout (${formatDuration(c.leaderLeaseTimeout)}) cannot be larger than heartbeat timeout (${formatDuration(c.heartbeatTimeout)})`
  }
  if (c.electionTimeout < c.heartbeatTimeout) {
    return `ElectionTimeout (${formatDuration(c.electionTimeout)}) must be equal or greater than Heartbeat Timeout (${formatDuration(c.heartbeatTimeout)})`
  }
  return undefined
}

function raftToJson (c: RaftSection): JsonObject {
  const out: JsonObject = {}
  if (c.dataFolder !== '') out.data_folder = c.dataFolder
  out.init_peerset = [...c.initPeerset]
  out.wait_for_leader_timeout = formatDuration(c.waitForLeaderTimeout)
  out.network_timeout = formatDuration(c.networkTimeout)
  out.commit_retries = c.commitRetries
  out.commit_retry_delay = formatDuration(c.commitRetryDelay)
  out.backups_rotate = c.backupsRotate
  if (c.datastoreNamespace !== DEFAULT_DATASTORE_NAMESPACE && c.datastoreNamespace !== '') out.datastore_namespace = c.datastoreNamespace
  // The remaining keys are `omitempty` in Go: left out when zero.
  const put = (key: string, value: bigint | number, text: string | number): void => {
    if (value !== 0n && value !== 0) out[key] = text
  }
  put('heartbeat_timeout', c.heartbeatTimeout, formatDuration(c.heartbeatTimeout))
  put('election_timeout', c.electionTimeout, formatDuration(c.electionTimeout))
  put('commit_timeout', c.commitTimeout, formatDuration(c.commitTimeout))
  put('max_append_entries', c.maxAppendEntries, c.maxAppendEntries)
  put('trailing_logs', c.trailingLogs, c.trailingLogs)
  put('snapshot_interval', c.snapshotInterval, formatDuration(c.snapshotInterval))
  put('snapshot_threshold', c.snapshotThreshold, c.snapshotThreshold)
  put('leader_lease_timeout', c.leaderLeaseTimeout, formatDuration(c.leaderLeaseTimeout))
  return out
}

const f = (name: string, path: string, kind: EnvField['kind']): EnvField => ({ name, path, kind })

export const raftCodec: SectionCodec<RaftSection> = {
  key: 'raft',
  envPrefix: 'CLUSTER_RAFT',
  known: KNOWN,
  envFields: [
    f('DATAFOLDER', 'data_folder', 'string'),
    f('INITPEERSET', 'init_peerset', 'list'),
    f('WAITFORLEADERTIMEOUT', 'wait_for_leader_timeout', 'string'),
    f('NETWORKTIMEOUT', 'network_timeout', 'string'),
    f('COMMITRETRIES', 'commit_retries', 'int'),
    f('COMMITRETRYDELAY', 'commit_retry_delay', 'string'),
    f('BACKUPSROTATE', 'backups_rotate', 'int'),
    f('DATASTORENAMESPACE', 'datastore_namespace', 'string'),
    f('HEARTBEATTIMEOUT', 'heartbeat_timeout', 'string'),
    f('ELECTIONTIMEOUT', 'election_timeout', 'string'),
    f('COMMITTIMEOUT', 'commit_timeout', 'string'),
    f('MAXAPPENDENTRIES', 'max_append_entries', 'int'),
    f('TRAILINGLOGS', 'trailing_logs', 'uint'),
    f('SNAPSHOTINTERVAL', 'snapshot_interval', 'string'),
    f('SNAPSHOTTHRESHOLD', 'snapshot_threshold', 'uint'),
    f('LEADERLEASETIMEOUT', 'leader_lease_timeout', 'string')
  ],
  defaults: defaultRaft,
  apply: applyRaft,
  validate: validateRaft,
  toJson: raftToJson
}

/** The Raft data folder: `data_folder`, or `<config folder>/raft`. */
export function raftDataFolder (raft: RaftSection, configFolder: string): string {
  return raft.dataFolder === '' ? join(configFolder, DEFAULT_RAFT_DATA_SUBFOLDER) : raft.dataFolder
}

const toMs = (d: Duration): number => Number(d) / 1e6

/**
 * The settings @cluster/consensus takes (milliseconds). Timing keys it does not model
 * (election, commit, snapshot interval, leader lease, network timeout) stay on RaftSection for
 * the Raft transport/core to read.
 */
export function toRaftConsensusConfig (raft: RaftSection): RaftConsensusConfig {
  return resolveRaftConfig({
    initPeerset: [...raft.initPeerset],
    waitForLeaderTimeoutMs: toMs(raft.waitForLeaderTimeout),
    commitRetries: raft.commitRetries,
    commitRetryDelayMs: toMs(raft.commitRetryDelay),
    heartbeatTimeoutMs: toMs(raft.heartbeatTimeout),
    snapshotThreshold: raft.snapshotThreshold,
    trailingLogs: raft.trailingLogs,
    maxAppendEntries: raft.maxAppendEntries,
    backupsRotate: raft.backupsRotate
  })
}

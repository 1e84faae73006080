/*
 * The `consensus.crdt` section (consensus-crdt.md §2.1): the one model of it — type, defaults,
 * Go's JSON keys and load rules, validation with Go's texts, `CLUSTER_CRDT_*` variables.
 * Durations are milliseconds here and Go duration strings in JSON.
 */
import { formatDurationMs, parsePeerIdsLenient } from '@cluster/api'
import { type JsonSection, intAt, sectionObject, stringAt, nonEmpty, stringListAt, strictDurationMs } from './config-json.ts'
import { ConsensusConfigError } from './errors.ts'

export interface CrdtConsensusConfig {
  /** Hashed into the pubsub topic; every peer of one cluster uses the same. Default `ipfs-cluster`. */
  clusterName: string
  /** Peers whose broadcasts are accepted (and who may call trusted RPC); `*` trusts all. Default `['*']`. */
  trustedPeers: string[]
  /** Pins per delta before it is committed; batching is on only when this and maxBatchAgeMs are > 0. Default 0. */
  maxBatchSize: number
  /** Age of the oldest queued operation that forces a commit. Default 0. */
  maxBatchAgeMs: number
  /** Operations waiting to be batched, at most. Default 50,000. */
  maxQueueSize: number
  /** How often a dirty store is repaired (0: never). Default 1 h. */
  repairIntervalMs: number
  /** Base period of head rebroadcasts (randomised as Go does). Default 1 min. */
  rebroadcastIntervalMs: number
  /** The metric whose valid holders are the peerset. Default `ping`. */
  peersetMetric: string
  /** Go's datastore namespace. Kept for the file. Default `/c`. */
  datastoreNamespace: string
  /**
   * Not Go's, and not read by the consensus (it is handed its folder): where the daemon keeps the
   * CRDT files; '' = `<config folder>/crdt`.
   */
  dataFolder: string
}

const DEFAULT_QUEUE = 50_000
const DEFAULT_REBROADCAST_MS = 60_000
const DEFAULT_NAMESPACE = '/c'
const DEFAULT_METRIC = 'ping'

export const CRDT_DEFAULTS: Readonly<CrdtConsensusConfig> = Object.freeze({
  clusterName: 'ipfs-cluster',
  trustedPeers: ['*'],
  maxBatchSize: 0,
  maxBatchAgeMs: 0,
  maxQueueSize: DEFAULT_QUEUE,
  repairIntervalMs: 60 * 60_000,
  rebroadcastIntervalMs: DEFAULT_REBROADCAST_MS,
  peersetMetric: DEFAULT_METRIC,
  datastoreNamespace: DEFAULT_NAMESPACE,
  dataFolder: ''
})

export function defaultCrdtConfig (): CrdtConsensusConfig {
  return { ...CRDT_DEFAULTS, trustedPeers: [...CRDT_DEFAULTS.trustedPeers] }
}

/** Go's Validate, with its texts. Throws ConsensusConfigError. */
export function validateCrdtConfig (c: CrdtConsensusConfig): void {
  const fail = (reason: string): never => { throw new ConsensusConfigError(reason) }
  if (c.clusterName === '') fail('crdt.cluster_name cannot be empty')
  if (c.peersetMetric === '') fail('crdt.peerset_metric is empty')
  if (!(c.repairIntervalMs >= 0)) fail('crdt.repair_interval is invalid')
  if (!(c.rebroadcastIntervalMs > 0)) fail('crdt.rebroadcast_interval is invalid')
  if (!(c.maxQueueSize > 0)) fail('crdt.batching.max_queue_size is invalid')
  if (!(c.maxBatchAgeMs >= 0)) fail('crdt.batching.max_batch_age is invalid')
}

/** Defaults, then `partial`, then validation: the settings for a program that builds them itself. */
export function resolveCrdtConfig (partial: Partial<CrdtConsensusConfig> = {}): CrdtConsensusConfig {
  const c = { ...defaultCrdtConfig(), ...partial }
  validateCrdtConfig(c)
  return c
}

/** Whether operations are gathered into batches (both limits set, as Go). */
export function batchingEnabled (c: CrdtConsensusConfig): boolean {
  return c.maxBatchSize > 0 && c.maxBatchAgeMs > 0
}

/** Go's JSON keys, in Go's order (`data_folder` is ours). */
export const CRDT_JSON_KEYS = ['cluster_name', 'trusted_peers', 'batching', 'repair_interval', 'rebroadcast_interval', 'peerset_metric', 'datastore_namespace', 'data_folder'] as const
export const CRDT_BATCHING_JSON_KEYS = ['max_batch_size', 'max_batch_age', 'max_queue_size'] as const

/** Environment suffixes (Go envconfig: the field name upper-cased) → JSON key (dotted) and value kind. */
export const CRDT_ENV_FIELDS: ReadonlyArray<readonly [string, string, 'string' | 'int' | 'list']> = [
  ['CLUSTERNAME', 'cluster_name', 'string'],
  ['TRUSTEDPEERS', 'trusted_peers', 'list'],
  ['BATCHING_MAXBATCHSIZE', 'batching.max_batch_size', 'int'],
  ['BATCHING_MAXBATCHAGE', 'batching.max_batch_age', 'string'],
  ['BATCHING_MAXQUEUESIZE', 'batching.max_queue_size', 'int'],
  ['REPAIRINTERVAL', 'repair_interval', 'string'],
  ['REBROADCASTINTERVAL', 'rebroadcast_interval', 'string'],
  ['PEERSETMETRIC', 'peerset_metric', 'string'],
  ['DATASTORENAMESPACE', 'datastore_namespace', 'string']
]

/**
 * Overlays Go's JSON on `base` with Go's rules: without `trusted_peers` only this peer is
 * trusted, `*` anywhere trusts all; empty strings and a 0 queue size keep the current value.
 * One documented fix: an unparsable duration is an error (`error parsing crdt.<key>: …`; Go
 * ignores it silently, and every duration read after it). Unknown keys are ignored. Does not
 * validate.
 */
export function readCrdtJson (json: unknown, base: CrdtConsensusConfig = defaultCrdtConfig()): CrdtConsensusConfig {
  const obj = sectionObject(json, 'crdt')
  const c = { ...base }
  c.clusterName = nonEmpty(stringAt(obj, 'cluster_name'), c.clusterName)
  const trusted = stringListAt(obj, 'trusted_peers') ?? []
  c.trustedPeers = trusted.includes('*') ? ['*'] : parsePeerIdsLenient(trusted)
  const batching = obj.batching === undefined || obj.batching === null ? undefined : sectionObject(obj.batching, 'crdt.batching')
  if (batching !== undefined) {
    c.maxBatchSize = intAt(batching, 'max_batch_size') ?? c.maxBatchSize
    c.maxBatchAgeMs = durationAt(batching, 'max_batch_age', c.maxBatchAgeMs, 'crdt.batching.max_batch_age')
    const queue = intAt(batching, 'max_queue_size')
    c.maxQueueSize = queue === undefined || queue === 0 ? c.maxQueueSize : queue
  }
  c.repairIntervalMs = durationAt(obj, 'repair_interval', c.repairIntervalMs, 'crdt.repair_interval')
  c.rebroadcastIntervalMs = durationAt(obj, 'rebroadcast_interval', c.rebroadcastIntervalMs, 'crdt.rebroadcast_interval')
  c.peersetMetric = nonEmpty(stringAt(obj, 'peerset_metric'), c.peersetMetric)
  c.datastoreNamespace = nonEmpty(stringAt(obj, 'datastore_namespace'), c.datastoreNamespace)
  c.dataFolder = nonEmpty(stringAt(obj, 'data_folder'), c.dataFolder)
  return c
}

const durationAt = (obj: JsonSection, key: string, current: number, label: string): number => strictDurationMs(stringAt(obj, key), current, label)

/** Go's JSON: the keys `init` writes always, the others only when not at their defaults. */
export function crdtConfigToJson (c: CrdtConsensusConfig): Record<string, unknown> {
  const batching: Record<string, unknown> = { max_batch_size: c.maxBatchSize, max_batch_age: formatDurationMs(c.maxBatchAgeMs) }
  if (c.maxQueueSize !== DEFAULT_QUEUE) batching.max_queue_size = c.maxQueueSize
  const out: Record<string, unknown> = { cluster_name: c.clusterName, trusted_peers: [...c.trustedPeers], batching, repair_interval: formatDurationMs(c.repairIntervalMs) }
  if (c.rebroadcastIntervalMs !== DEFAULT_REBROADCAST_MS) out.rebroadcast_interval = formatDurationMs(c.rebroadcastIntervalMs)
  if (c.peersetMetric !== DEFAULT_METRIC) out.peerset_metric = c.peersetMetric
  if (c.datastoreNamespace !== DEFAULT_NAMESPACE) out.datastore_namespace = c.datastoreNamespace
  if (c.dataFolder !== '') out.data_folder = c.dataFolder
  return out
}

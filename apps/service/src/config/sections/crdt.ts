/**
 * The `consensus.crdt` section (consensus-crdt.md §2.1) and its mapping onto @cluster/consensus's
 * `CrdtConsensusConfig` (milliseconds). Go's rules, with one documented fix: an unparsable
 * duration is an error here (Go ignores it silently, and also every duration read after it).
 */
import { join } from 'node:path'
import { HOUR, MINUTE, formatDuration, parsePeerIdsLenient } from '@cluster/api'
import type { Duration, JsonObject } from '@cluster/api'
import type { CrdtConsensusConfig } from '@cluster/consensus/config'
import type { EnvField } from '../env.ts'
import type { ConfigWarning, JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'
import { nonEmpty, strictDuration } from '../values.ts'

export interface CrdtSection {
  clusterName: string
  /** Peer IDs, or `*` (trust every peer). */
  trustedPeers: string[]
  batching: { maxBatchSize: number, maxBatchAge: Duration, maxQueueSize: number }
  repairInterval: Duration
  rebroadcastInterval: Duration
  peersetMetric: string
  datastoreNamespace: string
  /** Not Go's: where the CRDT files live; '' = `<config folder>/crdt`. */
  dataFolder: string
}

export const DEFAULT_CRDT_DATA_SUBFOLDER = 'crdt'
const DEFAULT_QUEUE = 50_000
const DEFAULT_REBROADCAST = MINUTE
const DEFAULT_NAMESPACE = '/c'
const DEFAULT_METRIC = 'ping'

function defaultCrdt (): CrdtSection {
  return {
    clusterName: 'ipfs-cluster',
    trustedPeers: ['*'],
    batching: { maxBatchSize: 0, maxBatchAge: 0n, maxQueueSize: DEFAULT_QUEUE },
    repairInterval: HOUR,
    rebroadcastInterval: DEFAULT_REBROADCAST,
    peersetMetric: DEFAULT_METRIC,
    datastoreNamespace: DEFAULT_NAMESPACE,
    dataFolder: ''
  }
}

const KNOWN = ['cluster_name', 'trusted_peers', 'batching', 'repair_interval', 'rebroadcast_interval', 'peerset_metric', 'datastore_namespace', 'data_folder'] as const
const BATCHING_KNOWN = ['max_batch_size', 'max_batch_age', 'max_queue_size'] as const

function applyCrdt (base: CrdtSection, r: JsonReader, _warnings: ConfigWarning[]): CrdtSection {
  const c: CrdtSection = { ...base, batching: { ...base.batching } }
  c.clusterName = nonEmpty(r.string('cluster_name'), c.clusterName)
  // Go quirk kept: without `trusted_peers` only this peer is trusted; `*` anywhere trusts all.
  const trusted = r.stringList('trusted_peers') ?? []
  c.trustedPeers = trusted.includes('*') ? ['*'] : parsePeerIdsLenient(trusted)
  const batching = r.object('batching', BATCHING_KNOWN)
  if (batching !== undefined) {
    c.batching.maxBatchSize = batching.int('max_batch_size') ?? c.batching.maxBatchSize
    c.batching.maxBatchAge = strictDuration(batching, 'max_batch_age', c.batching.maxBatchAge, 'crdt.batching.max_batch_age')
    const queue = batching.int('max_queue_size')
    c.batching.maxQueueSize = queue === undefined || queue === 0 ? c.batching.maxQueueSize : queue
  }
  c.repairInterval = strictDuration(r, 'repair_interval', c.repairInterval, 'crdt.repair_interval')
  c.rebroadcastInterval = strictDuration(r, 'rebroadcast_interval', c.rebroadcastInterval, 'crdt.rebroadcast_interval')
  c.peersetMetric = nonEmpty(r.string('peerset_metric'), c.peersetMetric)
  c.datastoreNamespace = nonEmpty(r.string('datastore_namespace'), c.datastoreNamespace)
  c.dataFolder = nonEmpty(r.string('data_folder'), c.dataFolder)
  return c
}

/** Go's Validate texts. */
function validateCrdt (c: CrdtSection): string | undefined {
  if (c.clusterName === '') return 'crdt.cluster_name cannot be empty'
  if (c.peersetMetric === '') return 'crdt.peerset_metric is empty'
  if (c.repairInterval < 0n) return 'crdt.repair_interval is invalid'
  if (c.rebroadcastInterval <= 0n) return 'crdt.rebroadcast_interval is invalid'
  if (c.batching.maxQueueSize <= 0) return 'crdt.batching.max_queue_size is invalid'
  if (c.batching.maxBatchAge < 0n) return 'crdt.batching.max_batch_age is invalid'
  return undefined
}

/** Go's JSON: the keys `init` writes always, the others only when not at their defaults. */
function crdtToJson (c: CrdtSection): JsonObject {
  const batching: JsonObject = { max_batch_size: c.batching.maxBatchSize, max_batch_age: formatDuration(c.batching.maxBatchAge) }
  if (c.batching.maxQueueSize !== DEFAULT_QUEUE) batching.max_queue_size = c.batching.maxQueueSize
  const out: JsonObject = { cluster_name: c.clusterName, trusted_peers: [...c.trustedPeers], batching, repair_interval: formatDuration(c.repairInterval) }
  if (c.rebroadcastInterval !== DEFAULT_REBROADCAST) out.rebroadcast_interval = formatDuration(c.rebroadcastInterval)
  if (c.peersetMetric !== DEFAULT_METRIC) out.peerset_metric = c.peersetMetric
  if (c.datastoreNamespace !== DEFAULT_NAMESPACE) out.datastore_namespace = c.datastoreNamespace
  if (c.dataFolder !== '') out.data_folder = c.dataFolder
  return out
}

const f = (name: string, path: string, kind: EnvField['kind']): EnvField => ({ name, path, kind })

export const crdtCodec: SectionCodec<CrdtSection> = {
  key: 'crdt',
  envPrefix: 'CLUSTER_CRDT',
  known: KNOWN,
  envFields: [
    f('CLUSTERNAME', 'cluster_name', 'string'),
    f('TRUSTEDPEERS', 'trusted_peers', 'list'),
    f('BATCHING_MAXBATCHSIZE', 'batching.max_batch_size', 'int'),
    f('BATCHING_MAXBATCHAGE', 'batching.max_batch_age', 'string'),
    f('BATCHING_MAXQUEUESIZE', 'batching.max_queue_size', 'int'),
    f('REPAIRINTERVAL', 'repair_interval', 'string'),
    f('REBROADCASTINTERVAL', 'rebroadcast_interval', 'string'),
    f('PEERSETMETRIC', 'peerset_metric', 'string'),
    f('DATASTORENAMESPACE', 'datastore_namespace', 'string')
  ],
  defaults: defaultCrdt,
  apply: applyCrdt,
  validate: validateCrdt,
  toJson: crdtToJson
}

/** The CRDT data folder: `data_folder`, or `<config folder>/crdt`. */
export function crdtDataFolder (crdt: CrdtSection, configFolder: string): string {
  return crdt.dataFolder === '' ? join(configFolder, DEFAULT_CRDT_DATA_SUBFOLDER) : crdt.dataFolder
}

const toMs = (d: Duration): number => Number(d) / 1e6

/** The settings @cluster/consensus takes (milliseconds). */
export function toCrdtConsensusConfig (c: CrdtSection): CrdtConsensusConfig {
  return {
    clusterName: c.clusterName,
    trustedPeers: [...c.trustedPeers],
    maxBatchSize: c.batching.maxBatchSize,
    maxBatchAgeMs: toMs(c.batching.maxBatchAge),
    maxQueueSize: c.batching.maxQueueSize,
    repairIntervalMs: toMs(c.repairInterval),
    rebroadcastIntervalMs: toMs(c.rebroadcastInterval),
    peersetMetric: c.peersetMetric
  }
}

import { ConsensusConfigError } from './errors.ts'

/**
 * `consensus.crdt` settings (consensus-crdt.md §2.1) in milliseconds. The service reads Go's JSON
 * (durations as strings) and hands this object over.
 */
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
}

export const CRDT_DEFAULTS: CrdtConsensusConfig = {
  clusterName: 'ipfs-cluster',
  trustedPeers: ['*'],
  maxBatchSize: 0,
  maxBatchAgeMs: 0,
  maxQueueSize: 50_000,
  repairIntervalMs: 60 * 60_000,
  rebroadcastIntervalMs: 60_000,
  peersetMetric: 'ping'
}

/** Fills defaults and validates with Go's error texts. */
export function resolveCrdtConfig (partial: Partial<CrdtConsensusConfig> = {}): CrdtConsensusConfig {
  const c = { ...CRDT_DEFAULTS, ...partial }
  if (c.clusterName === '') throw new ConsensusConfigError('crdt.cluster_name cannot be empty')
  if (c.peersetMetric === '') throw new ConsensusConfigError('crdt.peerset_metric is empty')
  if (c.repairIntervalMs < 0) throw new ConsensusConfigError('crdt.repair_interval is invalid')
  if (c.rebroadcastIntervalMs <= 0) throw new ConsensusConfigError('crdt.rebroadcast_interval is invalid')
  if (c.maxQueueSize <= 0) throw new ConsensusConfigError('crdt.batching.max_queue_size is invalid')
  if (c.maxBatchAgeMs < 0) throw new ConsensusConfigError('crdt.batching.max_batch_age is invalid')
  return c
}

/** Whether operations are gathered into batches (both limits set, as Go). */
export function batchingEnabled (c: CrdtConsensusConfig): boolean {
  return c.maxBatchSize > 0 && c.maxBatchAgeMs > 0
}

import type { LogLevel } from '@cluster/api'
import type { PrivateKey } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import type { CrdtConsensusConfig, RaftConsensusConfig } from '@cluster/consensus'
import type { IpfsHttpConfig } from '@cluster/ipfs-connector'
import type { StatelessConfig } from '@cluster/pintracker'
import { defaultServiceConfig, type ServiceConfig } from '../config/index.ts'
import type { IpfsAddressScope } from './ipfs-addresses.ts'

/** Everything a cluster peer needs; `apps/service` builds it from service.json + identity.json. */
export interface ClusterPeerOptions {
  privateKey: PrivateKey
  peername: string
  /** 64 hex characters; '' runs without a private network. */
  secret: string
  /** libp2p listen multiaddrs. */
  listen: string[]
  /** Known peer multiaddrs (`/…/p2p/<id>`), e.g. from the peerstore file. */
  peerAddresses?: string[]
  /** Join the cluster through these peers (`daemon --bootstrap`). */
  bootstrap?: string[]
  /** `raft` (default) or `crdt`: the consensus section present in service.json. */
  consensus?: 'raft' | 'crdt'
  /** The consensus data folder (Raft's or CRDT's). */
  dataDir: string
  raft?: Partial<RaftConsensusConfig>
  crdt?: Partial<CrdtConsensusConfig>
  /** `cluster.replication_factor_min/max` (Go default -1/-1: everywhere). */
  replicationFactorMin?: number
  replicationFactorMax?: number
  /** `cluster.disable_repinning` (Go v1.1.6 default true). */
  disableRepinning?: boolean
  /**
   * `cluster.follower_mode`: a read-only peer. Writes (pin, unpin, add) fail, alerts are ignored,
   * expired pins are not swept, and status/recover only involve this peer.
   */
  followerMode?: boolean
  /**
   * RPC methods (`Cluster.RepoGCLocal`…) no other peer may call, whatever their policy: a
   * follower run by `ipfs-cluster-follow` closes `Cluster.RepoGCLocal` to the trusted peers.
   */
  closedRpcMethods?: string[]
  /** `cluster.monitor_ping_interval` (15 s): ping metric every interval, TTL twice that. */
  monitorPingIntervalMs?: number
  /** `monitor.pubsubmon.check_interval` (15 s). */
  checkIntervalMs?: number
  /** `cluster.pin_recover_interval` (12 min). */
  pinRecoverIntervalMs?: number
  /** `cluster.state_sync_interval` (5 min): unpin expired pins. */
  stateSyncIntervalMs?: number
  ipfs?: Partial<IpfsHttpConfig>
  tracker?: Partial<StatelessConfig>
  /** `allocator.balanced.allocate_by`. */
  allocateBy?: string[]
  /** `informer.tags.tags`. */
  tags?: Record<string, string>
  /** TTL of informer metrics (`metric_ttl`, 30 s). */
  informerTtlMs?: number
  /** `informer.pinqueue.weight_bucket_size` (100000). */
  pinqueueWeightBucket?: number
  /** `cluster.publish_ipfs_addresses`: which Kubo addresses the ping metric carries (Go: global unicast). */
  publishIpfsAddresses?: IpfsAddressScope
  /**
   * Log lines; `facility` is Go's logger name (cluster when not given). Each component gets a
   * `Logger` (@cluster/api) bound to its facility.
   */
  logger?: (level: LogLevel, message: string, facility?: string) => void
  /**
   * Metrics sink (`daemon --stats`): consensus commits and leader changes, and the registry
   * libp2p's metrics are registered in (none without it).
   */
  metrics?: {
    commit: (op: 'pin' | 'unpin', seconds: number, ok: boolean) => void
    /** A finished call to another peer's RPC (latency by method and outcome). */
    rpcCall?: (sample: { method: string, outcome: string, seconds: number }) => void
    leaderChanged: () => void
    registry?: Registry
  }
  /** Called after the peer shut itself down because it was removed from the peerset. */
  onRemoved?: () => void
}

const ms = (d: bigint): number => Number(d / 1_000_000n)

/**
 * The peer's tunables as a configuration gives them: the one mapping from the config sections
 * (nanosecond durations) to the peer's options (milliseconds), used for the defaults too.
 */
export function peerSettingsOf (config: ServiceConfig) {
  const c = config.cluster
  return {
    replicationFactorMin: c.replicationFactorMin,
    replicationFactorMax: c.replicationFactorMax,
    disableRepinning: c.disableRepinning,
    followerMode: c.followerMode,
    monitorPingIntervalMs: ms(c.monitorPingInterval),
    checkIntervalMs: ms(config.monitor.pubsubmon.checkInterval),
    pinRecoverIntervalMs: ms(c.pinRecoverInterval),
    stateSyncIntervalMs: ms(c.stateSyncInterval),
    allocateBy: config.allocator.balanced.allocateBy,
    tags: config.informer.tags.tags,
    informerTtlMs: config.informer.disk.metricTtlMs,
    pinqueueWeightBucket: config.informer.pinqueue.weightBucketSize,
    publishIpfsAddresses: c.publishIpfsAddresses
  }
}

/** What a peer uses for options left unset: the values of a default `service.json`. */
export const PEER_DEFAULTS = peerSettingsOf(defaultServiceConfig())

/** The options with every unset (or `undefined`) key at its default. */
export function withDefaults (opts: ClusterPeerOptions): ClusterPeerOptions & typeof PEER_DEFAULTS {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined))
  return { ...PEER_DEFAULTS, ...given } as ClusterPeerOptions & typeof PEER_DEFAULTS
}

/**
 * The `cluster` section (config.md §4): peer name, secret, libp2p host settings, intervals and
 * replication defaults. Field rules follow Go's `cluster_config.go` exactly; durations are Go
 * durations (nanosecond bigints).
 */
import { hostname } from 'node:os'
import { MINUTE, SECOND } from '@cluster/api'
import type { Duration, JsonObject } from '@cluster/api'
import { ConfigParseError, messageOf } from '../errors.ts'
import type { EnvField } from '../env.ts'
import type { ConfigWarning, JsonReader } from '../json-reader.ts'
import { decodeSecret, generateSecret } from '../secret.ts'
import type { SectionCodec } from '../section.ts'
import { DEFAULT_IPFS_ADDRESS_SCOPE, IPFS_ADDRESS_SCOPES, type IpfsAddressScope } from '../../cluster/ipfs-addresses.ts'
import { formatDuration, multiaddrList, nonEmpty, nonZero, strictDuration, stringsJson } from '../values.ts'

export interface ConnectionManagerConfig {
  highWater: number
  lowWater: number
  gracePeriod: Duration
}

export interface ResourceManagerConfig {
  enabled: boolean
  /** 0 = a quarter of the system memory. */
  memoryLimitBytes: number
  /** 0 = half the process limit. */
  fileDescriptorsLimit: number
}

export interface PubSubConfig {
  seenMessagesTtl: Duration
  heartbeatInterval: Duration
  /** Multiplies the gossipsub mesh sizes (D=6f, Dlo=5f, Dhi=12f, Dscore=4f, Dout=2f, Dlazy=6f). */
  dFactor: number
  historyGossip: number
  historyLength: number
  floodPublish: boolean
}

export interface ClusterSection {
  peername: string
  /** 64 lower-case hex characters, or '' for no private network. */
  secret: string
  leaveOnShutdown: boolean
  /** Canonical multiaddress strings. */
  listenMultiaddress: string[]
  announceMultiaddress: string[]
  noAnnounceMultiaddress: string[]
  enableRelayHop: boolean
  connectionManager: ConnectionManagerConfig
  resourceManager: ResourceManagerConfig
  pubsub: PubSubConfig
  dialPeerTimeout: Duration
  stateSyncInterval: Duration
  pinRecoverInterval: Duration
  replicationFactorMin: number
  replicationFactorMax: number
  monitorPingInterval: Duration
  peerWatchInterval: Duration
  /** 0 disables mDNS. */
  mdnsInterval: Duration
  pinOnlyOnTrustedPeers: boolean
  pinOnlyOnUntrustedPeers: boolean
  disableRepinning: boolean
  followerMode: boolean
  /** '' = `peerstore`. */
  peerstoreFile: string
  peerAddresses: string[]
  /**
   * Not in Go: which Kubo addresses go into the ping metric (hence statuses and delegates).
   * `global_unicast` (default) is Go's rule, `public` also drops private ranges, `all` keeps
   * loopback too. Written only when not the default, so Go's files stay unchanged.
   */
  publishIpfsAddresses: IpfsAddressScope
}

export const DEFAULT_LISTEN_MULTIADDRESS = ['/ip4/0.0.0.0/tcp/9096', '/ip4/0.0.0.0/udp/9096/quic'] as const
export const DEFAULT_PEERSTORE_FILE = 'peerstore'

/** Go's `setDefaults()` (everything but the secret, which stays ''). */
export function baseClusterSection (peername = hostname()): ClusterSection {
  return {
    peername,
    secret: '',
    leaveOnShutdown: false,
    listenMultiaddress: [...DEFAULT_LISTEN_MULTIADDRESS],
    announceMultiaddress: [],
    noAnnounceMultiaddress: [],
    enableRelayHop: true,
    connectionManager: { highWater: 400, lowWater: 100, gracePeriod: 2n * MINUTE },
    resourceManager: { enabled: true, memoryLimitBytes: 0, fileDescriptorsLimit: 0 },
    pubsub: {
      seenMessagesTtl: 30n * MINUTE,
      heartbeatInterval: 10n * SECOND,
      dFactor: 4,
      historyGossip: 2,
      historyLength: 6,
      floodPublish: false
    },
    dialPeerTimeout: 3n * SECOND,
    stateSyncInterval: 5n * MINUTE,
    pinRecoverInterval: 12n * MINUTE,
    replicationFactorMin: -1,
    replicationFactorMax: -1,
    monitorPingInterval: 15n * SECOND,
    peerWatchInterval: 5n * SECOND,
    mdnsInterval: 10n * SECOND,
    pinOnlyOnTrustedPeers: false,
    pinOnlyOnUntrustedPeers: false,
    disableRepinning: true,
    followerMode: false,
    peerstoreFile: '',
    peerAddresses: [],
    publishIpfsAddresses: DEFAULT_IPFS_ADDRESS_SCOPE
  }
}

const KNOWN = [
  'id', 'peername', 'private_key', 'secret', 'leave_on_shutdown', 'listen_multiaddress',
  'announce_multiaddress', 'no_announce_multiaddress', 'enable_relay_hop', 'connection_manager',
  'resource_manager', 'pubsub', 'dial_peer_timeout', 'state_sync_interval', 'pin_recover_interval',
  'replication_factor_min', 'replication_factor_max', 'monitor_ping_interval', 'peer_watch_interval',
  'mdns_interval', 'pin_only_on_trusted_peers', 'pin_only_on_untrusted_peers', 'disable_repinning',
  'follower_mode', 'peerstore_file', 'peer_addresses', 'publish_ipfs_addresses'
] as const

const CONN_MGR_KEYS = ['high_water', 'low_water', 'grace_period'] as const
const RES_MGR_KEYS = ['enabled', 'memory_limit_bytes', 'file_descriptors_limit'] as const
const PUBSUB_KEYS = ['seen_messages_ttl', 'heartbeat_interval', 'd_factor', 'history_gossip', 'history_length', 'flood_publish'] as const

/** Go's `applyConfigJSON`. */
function applyCluster (base: ClusterSection, r: JsonReader, warnings: ConfigWarning[]): ClusterSection {
  const c: ClusterSection = { ...base, connectionManager: { ...base.connectionManager }, resourceManager: { ...base.resourceManager }, pubsub: { ...base.pubsub } }
  c.peerstoreFile = nonEmpty(r.string('peerstore_file'), c.peerstoreFile)
  c.peername = nonEmpty(r.string('peername'), c.peername)
  try {
    c.secret = decodeSecret(r.string('secret') ?? '')
  } catch (err) {
    throw new ConfigParseError(r.key('secret'), `error loading cluster secret from config: ${messageOf(err)}`, { cause: err })
  }
  if (c.secret === '') {
    warnings.push({ key: r.key('secret'), message: 'Cluster secret is empty, cluster will start on unprotected network.' })
  }
  c.listenMultiaddress = multiaddrList(r.key('listen_multiaddress'), 'listen_multiaddress', r.strings('listen_multiaddress') ?? [])
  c.announceMultiaddress = multiaddrList(r.key('announce_multiaddress'), 'announce', r.strings('announce_multiaddress') ?? [])
  c.noAnnounceMultiaddress = multiaddrList(r.key('no_announce_multiaddress'), 'no_announce', r.strings('no_announce_multiaddress') ?? [])
  c.enableRelayHop = r.bool('enable_relay_hop') ?? false

  const cm = r.object('connection_manager', CONN_MGR_KEYS)
  if (cm !== undefined) {
    c.connectionManager = {
      highWater: cm.int('high_water') ?? 0,
      lowWater: cm.int('low_water') ?? 0,
      gracePeriod: strictDuration(cm, 'grace_period', 0n, 'cluster.connection_manager.grace_period')
    }
  }
  const rm = r.object('resource_manager', RES_MGR_KEYS)
  if (rm !== undefined) {
    c.resourceManager = {
      enabled: rm.bool('enabled') ?? false,
      memoryLimitBytes: rm.uint('memory_limit_bytes') ?? 0,
      fileDescriptorsLimit: rm.uint('file_descriptors_limit') ?? 0
    }
  }
  const ps = r.object('pubsub', PUBSUB_KEYS)
  if (ps !== undefined) {
    c.pubsub.dFactor = ps.int('d_factor') ?? 0
    c.pubsub.historyGossip = ps.int('history_gossip') ?? 0
    c.pubsub.historyLength = ps.int('history_length') ?? 0
    c.pubsub.floodPublish = ps.bool('flood_publish') ?? false
    c.pubsub.seenMessagesTtl = strictDuration(ps, 'seen_messages_ttl', c.pubsub.seenMessagesTtl)
    c.pubsub.heartbeatInterval = strictDuration(ps, 'heartbeat_interval', c.pubsub.heartbeatInterval)
  }

  c.replicationFactorMin = nonZero(r.int('replication_factor_min'), c.replicationFactorMin)
  c.replicationFactorMax = nonZero(r.int('replication_factor_max'), c.replicationFactorMax)

  c.dialPeerTimeout = strictDuration(r, 'dial_peer_timeout', c.dialPeerTimeout)
  c.stateSyncInterval = strictDuration(r, 'state_sync_interval', c.stateSyncInterval)
  c.pinRecoverInterval = strictDuration(r, 'pin_recover_interval', c.pinRecoverInterval)
  c.monitorPingInterval = strictDuration(r, 'monitor_ping_interval', c.monitorPingInterval)
  c.peerWatchInterval = strictDuration(r, 'peer_watch_interval', c.peerWatchInterval)
  c.mdnsInterval = strictDuration(r, 'mdns_interval', c.mdnsInterval)

  c.peerAddresses = multiaddrList(r.key('peer_addresses'), 'peer_addresses', r.stringList('peer_addresses') ?? [])
  c.leaveOnShutdown = r.bool('leave_on_shutdown') ?? false
  c.pinOnlyOnTrustedPeers = r.bool('pin_only_on_trusted_peers') ?? false
  c.pinOnlyOnUntrustedPeers = r.bool('pin_only_on_untrusted_peers') ?? false
  c.disableRepinning = r.bool('disable_repinning') ?? false
  c.followerMode = r.bool('follower_mode') ?? false
  c.publishIpfsAddresses = nonEmpty(r.string('publish_ipfs_addresses'), c.publishIpfsAddresses) as IpfsAddressScope
  return c
}

function replicationFactorProblem (min: number, max: number): string | undefined {
  if (min === 0 || max === 0) return 'cluster.replication_factor_min and max must be set'
  if (min > max) return 'cluster.replication_factor_min is larger than max'
  if (min < -1) return 'cluster.replication_factor_min is wrong'
  if (max < -1) return 'cluster.replication_factor_max is wrong'
  if ((min === -1) !== (max === -1)) return 'cluster.replication_factor_min and max must be -1 when one of them is'
  return undefined
}

/** Go's `Config.Validate()` of the cluster section. */
function validateCluster (c: ClusterSection): string | undefined {
  if (c.listenMultiaddress.length === 0) return 'cluster.listen_multiaddress is undefined'
  if (c.connectionManager.lowWater <= 0) return 'cluster.connection_manager.low_water is invalid'
  if (c.connectionManager.highWater <= 0) return 'cluster.connection_manager.high_water is invalid'
  if (c.connectionManager.lowWater > c.connectionManager.highWater) return 'cluster.connection_manager.low_water is greater than high_water'
  if (c.connectionManager.gracePeriod === 0n) return 'cluster.connection_manager.grace_period is invalid'
  if (c.pubsub.seenMessagesTtl <= 0n) return 'cluster.pubsub.seen_message_ttl is invalid'
  if (c.pubsub.heartbeatInterval <= 0n) return 'cluster.pubsub.heartbeat_interval is invalid'
  if (c.pubsub.dFactor < 1) return 'cluster.pubsub.d_factor is invalid'
  if (c.pubsub.historyGossip <= 0) return 'cluster.pubsub.history_gossip is invalid'
  if (c.pubsub.historyLength <= 0) return 'cluster.pubsub.history_length is invalid'
  if (c.dialPeerTimeout <= 0n) return 'cluster.dial_peer_timeout is invalid'
  if (c.stateSyncInterval <= 0n) return 'cluster.state_sync_interval is invalid'
  if (c.pinRecoverInterval <= 0n) return 'cluster.pin_recover_interval is invalid'
  if (c.monitorPingInterval <= 0n) return 'cluster.monitoring_interval is invalid'
  if (c.peerWatchInterval <= 0n) return 'cluster.peer_watch_interval is invalid'
  if (!IPFS_ADDRESS_SCOPES.includes(c.publishIpfsAddresses)) {
    return `cluster.publish_ipfs_addresses must be one of ${IPFS_ADDRESS_SCOPES.join(', ')}`
  }
  if (c.pinOnlyOnTrustedPeers && c.pinOnlyOnUntrustedPeers) {
    return 'cluster.pin_only_on_trusted_peers and pin_only_on_untrusted_peers cannot both be true'
  }
  return replicationFactorProblem(c.replicationFactorMin, c.replicationFactorMax)
}

function clusterToJson (c: ClusterSection): JsonObject {
  const out: JsonObject = {
    peername: c.peername,
    secret: c.secret,
    leave_on_shutdown: c.leaveOnShutdown,
    listen_multiaddress: stringsJson(c.listenMultiaddress),
    announce_multiaddress: stringsJson(c.announceMultiaddress),
    no_announce_multiaddress: stringsJson(c.noAnnounceMultiaddress),
    enable_relay_hop: c.enableRelayHop,
    connection_manager: {
      high_water: c.connectionManager.highWater,
      low_water: c.connectionManager.lowWater,
      grace_period: formatDuration(c.connectionManager.gracePeriod)
    },
    resource_manager: {
      enabled: c.resourceManager.enabled,
      memory_limit_bytes: c.resourceManager.memoryLimitBytes,
      file_descriptors_limit: c.resourceManager.fileDescriptorsLimit
    },
    pubsub: {
      seen_messages_ttl: formatDuration(c.pubsub.seenMessagesTtl),
      heartbeat_interval: formatDuration(c.pubsub.heartbeatInterval),
      d_factor: c.pubsub.dFactor,
      history_gossip: c.pubsub.historyGossip,
      history_length: c.pubsub.historyLength,
      flood_publish: c.pubsub.floodPublish
    },
    dial_peer_timeout: formatDuration(c.dialPeerTimeout),
    state_sync_interval: formatDuration(c.stateSyncInterval),
    pin_recover_interval: formatDuration(c.pinRecoverInterval),
    replication_factor_min: c.replicationFactorMin,
    replication_factor_max: c.replicationFactorMax,
    monitor_ping_interval: formatDuration(c.monitorPingInterval),
    peer_watch_interval: formatDuration(c.peerWatchInterval),
    mdns_interval: formatDuration(c.mdnsInterval),
    pin_only_on_trusted_peers: c.pinOnlyOnTrustedPeers,
    pin_only_on_untrusted_peers: c.pinOnlyOnUntrustedPeers,
    disable_repinning: c.disableRepinning
  }
  if (c.publishIpfsAddresses !== DEFAULT_IPFS_ADDRESS_SCOPE) out.publish_ipfs_addresses = c.publishIpfsAddresses
  if (c.followerMode) out.follower_mode = true
  if (c.peerstoreFile !== '') out.peerstore_file = c.peerstoreFile
  out.peer_addresses = [...c.peerAddresses]
  return out
}

const f = (name: string, path: string, kind: EnvField['kind']): EnvField => ({ name, path, kind })

const ENV_FIELDS: readonly EnvField[] = [
  f('ID', 'id', 'string'),
  f('PEERNAME', 'peername', 'string'),
  f('PRIVATEKEY', 'private_key', 'string'),
  f('SECRET', 'secret', 'string'),
  f('LEAVEONSHUTDOWN', 'leave_on_shutdown', 'bool'),
  f('LISTENMULTIADDRESS', 'listen_multiaddress', 'list'),
  f('ANNOUNCEMULTIADDRESS', 'announce_multiaddress', 'list'),
  f('NOANNOUNCEMULTIADDRESS', 'no_announce_multiaddress', 'list'),
  f('ENABLERELAYHOP', 'enable_relay_hop', 'bool'),
  f('CONNECTIONMANAGER_HIGHWATER', 'connection_manager.high_water', 'int'),
  f('CONNECTIONMANAGER_LOWWATER', 'connection_manager.low_water', 'int'),
  f('CONNECTIONMANAGER_GRACEPERIOD', 'connection_manager.grace_period', 'string'),
  f('RESOURCEMANAGER_ENABLED', 'resource_manager.enabled', 'bool'),
  f('RESOURCEMANAGER_MEMORYLIMITBYTES', 'resource_manager.memory_limit_bytes', 'uint'),
  f('RESOURCEMANAGER_FILEDESCRIPTORSLIMIT', 'resource_manager.file_descriptors_limit', 'uint'),
  f('PUBSUB_SEENMESSAGESTTL', 'pubsub.seen_messages_ttl', 'string'),
  f('PUBSUB_HEARTBEATINTERVAL', 'pubsub.heartbeat_interval', 'string'),
  f('PUBSUB_DFACTOR', 'pubsub.d_factor', 'int'),
  f('PUBSUB_HISTORYGOSSIP', 'pubsub.history_gossip', 'int'),
  f('PUBSUB_HISTORYLENGTH', 'pubsub.history_length', 'int'),
  f('PUBSUB_FLOODPUBLISH', 'pubsub.flood_publish', 'bool'),
  f('DIALPEERTIMEOUT', 'dial_peer_timeout', 'string'),
  f('STATESYNCINTERVAL', 'state_sync_interval', 'string'),
  f('PINRECOVERINTERVAL', 'pin_recover_interval', 'string'),
  f('REPLICATIONFACTORMIN', 'replication_factor_min', 'int'),
  f('REPLICATIONFACTORMAX', 'replication_factor_max', 'int'),
  f('MONITORPINGINTERVAL', 'monitor_ping_interval', 'string'),
  f('PEERWATCHINTERVAL', 'peer_watch_interval', 'string'),
  f('MDNSINTERVAL', 'mdns_interval', 'string'),
  f('PINONLYONTRUSTEDPEERS', 'pin_only_on_trusted_peers', 'bool'),
  f('PINONLYONUNTRUSTEDPEERS', 'pin_only_on_untrusted_peers', 'bool'),
  f('DISABLEREPINNING', 'disable_repinning', 'bool'),
  f('FOLLOWERMODE', 'follower_mode', 'bool'),
  f('PEERSTOREFILE', 'peerstore_file', 'string'),
  f('PEERADDRESSES', 'peer_addresses', 'list'),
  f('PUBLISHIPFSADDRESSES', 'publish_ipfs_addresses', 'string')
]

export const clusterCodec: SectionCodec<ClusterSection> = {
  key: 'cluster',
  envPrefix: 'CLUSTER',
  known: KNOWN,
  envFields: ENV_FIELDS,
  /** What `init` writes: Go's defaults with a new random secret. */
  defaults: () => ({ ...baseClusterSection(), secret: generateSecret() }),
  apply: applyCluster,
  validate: validateCluster,
  toJson: clusterToJson
}

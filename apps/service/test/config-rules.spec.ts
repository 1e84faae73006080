import { describe, expect, it } from 'vitest'
import { MINUTE, SECOND } from '@cluster/api'
import { ConfigValidationError, parseServiceConfig } from '../src/config/index.ts'
import { defaultJson } from './fixtures/config/helpers.ts'

async function load (mutate: (j: Record<string, any>) => void): Promise<ReturnType<typeof parseServiceConfig>['config']> {
  const json = await defaultJson()
  mutate(json)
  return parseServiceConfig(JSON.stringify(json)).config
}

describe('overlay pattern "0/empty → default"', () => {
  it('keeps the default for 0, "" and a missing key', async () => {
    const c = await load((j) => {
      j.cluster.replication_factor_min = 0
      delete j.cluster.replication_factor_max
      j.cluster.peername = ''
      j.consensus.raft.backups_rotate = 0
      j.consensus.raft.max_append_entries = 0
      j.consensus.raft.wait_for_leader_timeout = ''
      j.pin_tracker.stateless.concurrent_pins = 0
      j.api.restapi.max_header_bytes = 0
      j.api.ipfsproxy.node_multiaddress = ''
      j.api.ipfsproxy.listen_multiaddress = []
      j.api.restapi.http_listen_multiaddress = ''
      j.allocator.balanced.allocate_by = []
    })
    expect([c.cluster.replicationFactorMin, c.cluster.replicationFactorMax]).toEqual([-1, -1])
    expect(c.cluster.peername).not.toBe('')
    expect(c.consensus.raft.backupsRotate).toBe(6)
    expect(c.consensus.raft.maxAppendEntries).toBe(64)
    expect(c.consensus.raft.waitForLeaderTimeoutMs).toBe(15_000)
    expect(c.pinTracker.stateless.concurrentPins).toBe(10)
    expect(c.api.restapi.maxHeaderBytes).toBe(4096)
    expect(c.api.ipfsproxy.nodeMultiaddress).toBe('/ip4/127.0.0.1/tcp/5001')
    expect(c.api.ipfsproxy.listenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9095'])
    expect(c.api.restapi.httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9094'])
    expect(c.allocator.balanced.allocateBy).toEqual(['tag:group', 'freespace'])
  })

  it('sets non-zero values', async () => {
    const c = await load((j) => {
      j.cluster.replication_factor_min = 2
      j.cluster.replication_factor_max = 3
      j.consensus.raft.heartbeat_timeout = '100ms'
      j.consensus.raft.election_timeout = '200ms'
      j.consensus.raft.leader_lease_timeout = '50ms'
      j.consensus.raft.commit_timeout = '10ms'
      j.consensus.raft.init_peerset = ['12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW', 'garbage']
    })
    expect([c.cluster.replicationFactorMin, c.cluster.replicationFactorMax]).toEqual([2, 3])
    expect(c.consensus.raft.heartbeatTimeoutMs).toBe(100)
    expect(c.consensus.raft.electionTimeoutMs).toBe(200)
    expect(c.consensus.raft.leaderLeaseTimeoutMs).toBe(50)
    expect(c.consensus.raft.commitTimeoutMs).toBe(10)
    // invalid peer IDs are silently dropped
    expect(c.consensus.raft.initPeerset).toEqual(['12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW'])
  })
})

describe('overlay pattern "durations parsed strictly"', () => {
  it('keeps the default when missing or "" and really sets "0s"', async () => {
    const c = await load((j) => {
      delete j.cluster.pin_recover_interval
      j.cluster.peer_watch_interval = ''
      j.cluster.mdns_interval = '0s'
      j.api.restapi.idle_timeout = ''
      j.api.restapi.read_header_timeout = '0s'
      j.api.ipfsproxy.idle_timeout = '0s'
      delete j.api.restapi.cors_max_age
    })
    expect(c.cluster.pinRecoverInterval).toBe(12n * MINUTE)
    expect(c.cluster.peerWatchInterval).toBe(5n * SECOND)
    expect(c.cluster.mdnsInterval).toBe(0n)
    expect(c.api.restapi.idleTimeout).toBe(2n * MINUTE)
    expect(c.api.restapi.readHeaderTimeout).toBe(0n)
    expect(c.api.ipfsproxy.idleTimeoutMs).toBe(0)
    expect(c.api.restapi.corsMaxAge).toBe(0n)
  })

  it('validates a zero that is not allowed', async () => {
    await expect(load((j) => { j.cluster.dial_peer_timeout = '0s' })).rejects.toThrow('cluster section failed to validate: cluster.dial_peer_timeout is invalid')
    await expect(load((j) => { j.pin_tracker.stateless.priority_pin_max_age = '0s' })).rejects.toThrow('stateless failed to validate: statelesstracker.priority_pin_max_age is too low')
  })
})

describe('overlay pattern "copied as-is"', () => {
  it('reads missing booleans as false, missing lists as empty and missing maps as null', async () => {
    const c = await load((j) => {
      delete j.cluster.disable_repinning
      delete j.cluster.enable_relay_hop
      delete j.api.restapi.cors_allowed_origins
      delete j.api.restapi.cors_allowed_methods
      delete j.api.restapi.cors_exposed_headers
      delete j.api.restapi.cors_allow_credentials
      delete j.api.restapi.headers
      delete j.informer.tags.tags
      delete j.informer.pinqueue.weight_bucket_size
      delete j.observations.tracing.sampling_prob
      delete j.observations.tracing.service_name
    })
    expect(c.cluster.disableRepinning).toBe(false)
    expect(c.cluster.enableRelayHop).toBe(false)
    expect(c.api.restapi.corsAllowedOrigins).toEqual([])
    expect(c.api.restapi.corsAllowedMethods).toEqual([])
    expect(c.api.restapi.corsExposedHeaders).toEqual([])
    expect(c.api.restapi.corsAllowCredentials).toBe(false)
    expect(c.api.restapi.headers).toEqual({})
    expect(c.informer.tags.tags).toEqual({})
    expect(c.informer.pinqueue.weightBucketSize).toBe(0)
    expect(c.observations.tracing.samplingProb).toBe(0)
    expect(c.observations.tracing.serviceName).toBe('')
  })

  it('takes a present nested object as written: missing numbers become 0 and fail', async () => {
    await expect(load((j) => { j.cluster.connection_manager = { high_water: 10 } }))
      .rejects.toThrow('cluster section failed to validate: cluster.connection_manager.low_water is invalid')
    const c = await load((j) => {
      j.cluster.resource_manager = {}
      j.cluster.pubsub = { d_factor: 1, history_gossip: 1, history_length: 1 }
      j.cluster.connection_manager = null
    })
    expect(c.cluster.resourceManager).toEqual({ enabled: false, memoryLimitBytes: 0, fileDescriptorsLimit: 0 })
    expect(c.cluster.pubsub.seenMessagesTtl).toBe(30n * MINUTE)
    expect(c.cluster.pubsub.dFactor).toBe(1)
    expect(c.cluster.connectionManager.highWater).toBe(400)
  })

  it('uses defaults for absent metric TTLs and check interval (Go quirks fixed)', async () => {
    const c = await load((j) => {
      j.informer.pinqueue = {}
      j.informer.disk = {}
      j.monitor.pubsubmon = {}
    })
    expect(c.informer.pinqueue.metricTtl).toBe(30n * SECOND)
    expect(c.informer.disk.metricTtlMs).toBe(30_000)
    expect(c.monitor.pubsubmon.checkInterval).toBe(15n * SECOND)
    await expect(load((j) => { j.monitor.pubsubmon.check_interval = 'soon' })).rejects.toThrow('pubsubmon failed to validate: pubsubmon.check_interval too low')
  })
})

describe('"present in the file" switches', () => {
  it('records which components are present and defaults the others', async () => {
    const c = await load((j) => {
      delete j.api.ipfsproxy
      delete j.api.pinsvcapi
      delete j.informer.tags
      delete j.pin_tracker
    })
    expect(c.present.has('ipfsproxy')).toBe(false)
    expect(c.present.has('pinsvcapi')).toBe(false)
    expect(c.present.has('restapi')).toBe(true)
    expect(c.present.has('tags')).toBe(false)
    expect(c.present.has('stateless')).toBe(false)
    expect(c.pinTracker.stateless.concurrentPins).toBe(10)
    expect(c.api.ipfsproxy.listenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9095'])
  })

  it('treats a null component as absent', async () => {
    const c = await load((j) => { j.api.ipfsproxy = null })
    expect(c.present.has('ipfsproxy')).toBe(false)
  })

  it('uses ["freespace"] when allocator.balanced is absent', async () => {
    const c = await load((j) => { delete j.allocator })
    expect(c.present.has('balanced')).toBe(false)
    expect(c.allocator.balanced.allocateBy).toEqual(['freespace'])
  })
})

describe('validation messages', () => {
  const cases: Array<[string, (j: Record<string, any>) => void, string]> = [
    ['cluster', (j) => { delete j.cluster.listen_multiaddress }, 'cluster.listen_multiaddress is undefined'],
    ['cluster', (j) => { j.cluster.listen_multiaddress = [] }, 'cluster.listen_multiaddress is undefined'],
    ['cluster', (j) => { j.cluster.connection_manager.low_water = 0 }, 'cluster.connection_manager.low_water is invalid'],
    ['cluster', (j) => { j.cluster.connection_manager.high_water = -1 }, 'cluster.connection_manager.high_water is invalid'],
    ['cluster', (j) => { j.cluster.connection_manager.low_water = 500 }, 'cluster.connection_manager.low_water is greater than high_water'],
    ['cluster', (j) => { j.cluster.connection_manager.grace_period = '0s' }, 'cluster.connection_manager.grace_period is invalid'],
    ['cluster', (j) => { j.cluster.pubsub.seen_messages_ttl = '0s' }, 'cluster.pubsub.seen_message_ttl is invalid'],
    ['cluster', (j) => { j.cluster.pubsub.heartbeat_interval = '-1s' }, 'cluster.pubsub.heartbeat_interval is invalid'],
    ['cluster', (j) => { j.cluster.pubsub.d_factor = 0 }, 'cluster.pubsub.d_factor is invalid'],
    ['cluster', (j) => { j.cluster.pubsub.history_gossip = 0 }, 'cluster.pubsub.history_gossip is invalid'],
    ['cluster', (j) => { j.cluster.pubsub.history_length = 0 }, 'cluster.pubsub.history_length is invalid'],
    ['cluster', (j) => { j.cluster.state_sync_interval = '0s' }, 'cluster.state_sync_interval is invalid'],
    ['cluster', (j) => { j.cluster.pin_recover_interval = '0s' }, 'cluster.pin_recover_interval is invalid'],
    ['cluster', (j) => { j.cluster.monitor_ping_interval = '0s' }, 'cluster.monitoring_interval is invalid'],
    ['cluster', (j) => { j.cluster.peer_watch_interval = '0s' }, 'cluster.peer_watch_interval is invalid'],
    ['cluster', (j) => { j.cluster.pin_only_on_trusted_peers = true; j.cluster.pin_only_on_untrusted_peers = true }, 'cluster.pin_only_on_trusted_peers and pin_only_on_untrusted_peers cannot both be true'],
    ['cluster', (j) => { j.cluster.replication_factor_min = 3; j.cluster.replication_factor_max = 2 }, 'cluster.replication_factor_min is larger than max'],
    ['cluster', (j) => { j.cluster.replication_factor_min = -5; j.cluster.replication_factor_max = 2 }, 'cluster.replication_factor_min is wrong'],
    ['cluster', (j) => { j.cluster.replication_factor_min = -1; j.cluster.replication_factor_max = 2 }, 'cluster.replication_factor_min and max must be -1 when one of them is'],
    ['raft', (j) => { j.consensus.raft.commit_retries = -1 }, 'commit_retries is invalid'],
    ['raft', (j) => { j.consensus.raft.backups_rotate = -2 }, 'backups_rotate should be larger than 0'],
    ['raft', (j) => { j.consensus.raft.heartbeat_timeout = '1ms' }, 'HeartbeatTimeout is too low'],
    ['raft', (j) => { j.consensus.raft.election_timeout = '1ms' }, 'ElectionTimeout is too low'],
    ['raft', (j) => { j.consensus.raft.commit_timeout = '1us' }, 'CommitTimeout is too low'],
    ['raft', (j) => { j.consensus.raft.max_append_entries = -3 }, 'MaxAppendEntries must be positive'],
    ['raft', (j) => { j.consensus.raft.max_append_entries = 2000 }, 'MaxAppendEntries is too large'],
    ['raft', (j) => { j.consensus.raft.snapshot_interval = '1ms' }, 'SnapshotInterval is too low'],
    ['raft', (j) => { j.consensus.raft.leader_lease_timeout = '1ms' }, 'LeaderLeaseTimeout is too low'],
    ['raft', (j) => { j.consensus.raft.leader_lease_timeout = '2s' }, 'LeaderLeaseTimeout (2s) cannot be larger than heartbeat timeout (1s)'],
    ['raft', (j) => { j.consensus.raft.election_timeout = '500ms' }, 'ElectionTimeout (500ms) must be equal or greater than Heartbeat Timeout (1s)'],
    ['restapi', (j) => { j.api.restapi.max_header_bytes = 10 }, 'restapi.max_header_bytes must be not less then 4096'],
    ['restapi', (j) => { j.api.restapi.read_timeout = '-1s' }, 'restapi.read_timeout is invalid'],
    ['restapi', (j) => { j.api.restapi.idle_timeout = '-1s' }, 'restapi.idle_timeout invalid'],
    ['restapi', (j) => { j.api.restapi.basic_auth_credentials = {} }, 'restapi.basic_auth_creds should be null or have at least one entry'],
    ['restapi', (j) => { j.api.restapi.ssl_cert_file = 'cert.pem' }, 'restapi: missing TLS configuration'],
    ['restapi', (j) => { j.api.restapi.cors_max_age = '-1s' }, 'restapi.cors_max_age is invalid'],
    ['restapi', (j) => { j.api.restapi.libp2p_listen_multiaddress = '/ip4/0.0.0.0/tcp/1' }, 'all ID, private_key and libp2p_listen_multiaddress should be set'],
    ['pinsvcapi', (j) => { j.api.pinsvcapi.write_timeout = '-1s' }, 'pinsvcapi.write_timeout is invalid'],
    ['ipfsproxy', (j) => { j.api.ipfsproxy.max_header_bytes = 100 }, 'ipfsproxy.max_header_size must be greater or equal to 4096'],
    ['ipfsproxy', (j) => { j.api.ipfsproxy.read_header_timeout = '-5s' }, 'ipfsproxy.read_header_timeout is invalid'],
    ['ipfsproxy', (j) => { j.api.ipfsproxy.extract_headers_ttl = '-5s' }, 'ipfsproxy.extract_headers_ttl is invalid'],
    ['ipfshttp', (j) => { j.ipfs_connector.ipfshttp.pin_timeout = '-1s' }, 'ipfshttp.pin_timeout invalid'],
    ['stateless', (j) => { j.pin_tracker.stateless.max_pin_queue_size = -1 }, 'statelesstracker.max_pin_queue_size too low'],
    ['stateless', (j) => { j.pin_tracker.stateless.concurrent_pins = -1 }, 'statelesstracker.concurrent_pins is too low'],
    ['stateless', (j) => { j.pin_tracker.stateless.priority_pin_max_retries = -1 }, 'statelesstracker.priority_pin_max_retries is too low'],
    ['pubsubmon', (j) => { j.monitor.pubsubmon.check_interval = '-1s' }, 'pubsubmon.check_interval too low'],
    ['disk', (j) => { j.informer.disk.metric_type = 'blocks' }, 'disk.metric_type is invalid'],
    ['disk', (j) => { j.informer.disk.metric_ttl = '0s' }, 'disk.metric_ttl is invalid'],
    ['pinqueue', (j) => { j.informer.pinqueue.metric_ttl = '0s' }, 'pinqueue.metric_ttl is invalid'],
    ['pinqueue', (j) => { j.informer.pinqueue.weight_bucket_size = -1 }, 'pinqueue.WeightBucketSize is invalid'],
    ['tags', (j) => { j.informer.tags.metric_ttl = '-1s' }, 'tags.metric_ttl is invalid'],
    ['metrics', (j) => { j.observations.metrics.enable_stats = true; j.observations.metrics.reporting_interval = '-1s' }, 'metrics.reporting_interval is invalid'],
    ['tracing', (j) => { j.observations.tracing.enable_tracing = true; j.observations.tracing.sampling_prob = -1 }, 'tracing.sampling_prob is invalid'],
    ['tracing', (j) => { j.observations.tracing.enable_tracing = true; j.observations.tracing.otlp_endpoint = '/ip4/127.0.0.1/tcp/4318' }, 'tracing.otlp_endpoint must be an http(s) URL']
  ]
  for (const [component, mutate, reason] of cases) {
    it(`${component}: ${reason}`, async () => {
      let error: unknown
      try {
        await load(mutate)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(ConfigValidationError)
      const e = error as ConfigValidationError
      expect(e.component).toBe(component)
      expect(e.reason).toBe(reason)
      expect(e.message).toBe(component === 'cluster' ? `cluster section failed to validate: ${reason}` : `${component} failed to validate: ${reason}`)
      expect(e.code).toBe('ERR_CONFIG_VALIDATION')
    })
  }

  it('validates the cluster section first', async () => {
    await expect(load((j) => {
      j.consensus.raft.commit_retries = -1
      j.cluster.peer_watch_interval = '0s'
    })).rejects.toThrow('cluster section failed to validate: cluster.peer_watch_interval is invalid')
  })

  it('a missing cluster section fails like Go', async () => {
    await expect(load((j) => { delete j.cluster })).rejects.toThrow('cluster section failed to validate: cluster.listen_multiaddress is undefined')
  })
})

import { describe, expect, it } from 'vitest'
import { HOUR, MINUTE, SECOND } from '@cluster/api'
import {
  ConfigParseError, ConfigSourceError, ConsensusChoiceError, consensusOf,
  defaultServiceConfig, enabledInformers, formatServiceConfig, formatServiceConfigForDisplay,
  formatSourceConfig, parseServiceConfig, raftDataFolder, swarmKeyFromSecret
} from '../src/config/index.ts'
import { defaultJson, fixture } from './fixtures/config/helpers.ts'

describe('service.json: the init example (config.md §8)', () => {
  it('loads with every default and no warning', async () => {
    const { config, warnings } = parseServiceConfig(await fixture('service-default.json'))
    expect(warnings).toEqual([])
    const c = config.cluster
    expect(c.peername).toBe('node-a')
    expect(c.secret).toBe('0f3b5c3e9d0a4f1bb8b3f0a7c1d2e3f40f3b5c3e9d0a4f1bb8b3f0a7c1d2e3f4')
    expect(c.leaveOnShutdown).toBe(false)
    expect(c.listenMultiaddress).toEqual(['/ip4/0.0.0.0/tcp/9096', '/ip4/0.0.0.0/udp/9096/quic'])
    expect(c.announceMultiaddress).toEqual([])
    expect(c.noAnnounceMultiaddress).toEqual([])
    expect(c.enableRelayHop).toBe(true)
    expect(c.connectionManager).toEqual({ highWater: 400, lowWater: 100, gracePeriod: 2n * MINUTE })
    expect(c.resourceManager).toEqual({ enabled: true, memoryLimitBytes: 0, fileDescriptorsLimit: 0 })
    expect(c.pubsub).toEqual({ seenMessagesTtl: 30n * MINUTE, heartbeatInterval: 10n * SECOND, dFactor: 4, historyGossip: 2, historyLength: 6, floodPublish: false })
    expect(c.dialPeerTimeout).toBe(3n * SECOND)
    expect(c.stateSyncInterval).toBe(5n * MINUTE)
    expect(c.pinRecoverInterval).toBe(12n * MINUTE)
    expect([c.replicationFactorMin, c.replicationFactorMax]).toEqual([-1, -1])
    expect(c.monitorPingInterval).toBe(15n * SECOND)
    expect(c.peerWatchInterval).toBe(5n * SECOND)
    expect(c.mdnsInterval).toBe(10n * SECOND)
    expect([c.pinOnlyOnTrustedPeers, c.pinOnlyOnUntrustedPeers, c.disableRepinning, c.followerMode]).toEqual([false, false, true, false])
    expect(c.peerstoreFile).toBe('')
    expect(c.peerAddresses).toEqual([])

    // @cluster/consensus's config model, durations in milliseconds.
    expect(config.consensus.raft).toEqual({
      dataFolder: '',
      initPeerset: [],
      waitForLeaderTimeoutMs: 15_000,
      networkTimeoutMs: 10_000,
      commitRetries: 1,
      commitRetryDelayMs: 200,
      backupsRotate: 6,
      datastoreNamespace: '/r',
      heartbeatTimeoutMs: 1_000,
      electionTimeoutMs: 1_000,
      commitTimeoutMs: 50,
      maxAppendEntries: 64,
      trailingLogs: 10240,
      snapshotIntervalMs: 120_000,
      snapshotThreshold: 8192,
      leaderLeaseTimeoutMs: 500
    })
    // The proxy's own config model (@cluster/proxy), durations in milliseconds.
    expect(config.api.ipfsproxy).toEqual({
      listenMultiaddress: ['/ip4/127.0.0.1/tcp/9095'],
      nodeMultiaddress: '/ip4/127.0.0.1/tcp/5001',
      nodeHttps: false,
      logFile: '',
      configDir: '.',
      readTimeoutMs: 0,
      readHeaderTimeoutMs: 5_000,
      writeTimeoutMs: 0,
      idleTimeoutMs: 60_000,
      maxHeaderBytes: 4096,
      extractHeadersExtra: [],
      extractHeadersPath: '/api/v0/version',
      extractHeadersTtlMs: 5 * 60_000
    })
    for (const [key, port] of [['restapi', 9094], ['pinsvcapi', 9097]] as const) {
      expect(config.api[key]).toEqual({
        httpListenMultiaddress: [`/ip4/127.0.0.1/tcp/${port}`],
        sslCertFile: '',
        sslKeyFile: '',
        readTimeout: 0n,
        readHeaderTimeout: 5n * SECOND,
        writeTimeout: 0n,
        idleTimeout: 2n * MINUTE,
        maxHeaderBytes: 4096,
        libp2pListenMultiaddress: [],
        id: '',
        privateKey: '',
        basicAuthCredentials: null,
        httpLogFile: '',
        headers: {},
        corsAllowedOrigins: ['*'],
        corsAllowedMethods: ['GET'],
        corsAllowedHeaders: [],
        corsExposedHeaders: ['Content-Type', 'X-Stream-Output', 'X-Chunked-Output', 'X-Content-Length'],
        corsAllowCredentials: true,
        corsMaxAge: 0n,
        dashboard: false
      })
    }
    expect(config.ipfsConnector.ipfshttp).toEqual({
      nodeMultiaddress: '/ip4/127.0.0.1/tcp/5001',
      connectSwarmsDelayMs: 30_000,
      ipfsRequestTimeoutMs: 300_000,
      pinTimeoutMs: 120_000,
      unpinTimeoutMs: 3 * 3600_000,
      repoGcTimeoutMs: 24 * 3600_000,
      informerTriggerInterval: 0,
      unpinDisable: false
    })
    expect(config.pinTracker.stateless).toEqual({ maxPinQueueSize: 1_000_000, concurrentPins: 10, priorityPinMaxAge: 24n * HOUR, priorityPinMaxRetries: 5, maxRetries: 0 })
    expect(config.monitor.pubsubmon).toEqual({ checkInterval: 15n * SECOND })
    expect(config.allocator.balanced).toEqual({ allocateBy: ['tag:group', 'freespace'] })
    expect(config.informer.disk).toEqual({ metricTtlMs: 30_000, metricType: 'freespace' })
    expect(config.informer.pinqueue).toEqual({ metricTtl: 30n * SECOND, weightBucketSize: 100_000 })
    expect(config.informer.tags).toEqual({ metricTtlMs: 30_000, tags: { group: 'default' } })
    expect(config.observations.metrics).toEqual({ enableStats: false, prometheusEndpoint: '/ip4/127.0.0.1/tcp/8888', reportingInterval: 30n * SECOND })
    expect(config.observations.tracing).toEqual({ enableTracing: false, jaegerAgentEndpoint: '/ip4/0.0.0.0/udp/6831', samplingProb: 0.3, serviceName: 'cluster-daemon', otlpEndpoint: 'http://127.0.0.1:4318' })

    expect([...config.present].sort()).toEqual(['balanced', 'disk', 'ipfshttp', 'ipfsproxy', 'metrics', 'pinqueue', 'pinsvcapi', 'pubsubmon', 'raft', 'restapi', 'stateless', 'tags', 'tracing'])
    expect(consensusOf(config)).toBe('raft')
  })

  it('writes it back byte for byte', async () => {
    const text = await fixture('service-default.json')
    expect(formatServiceConfig(parseServiceConfig(text).config)).toBe(text)
  })

  it('writes observations.tracing.otlp_endpoint only when it is not the default', async () => {
    const text = await fixture('service-default.json')
    expect(text).not.toContain('otlp_endpoint')
    const json = JSON.parse(text)
    json.observations.tracing.otlp_endpoint = 'https://collector.example:4318'
    const { config } = parseServiceConfig(JSON.stringify(json))
    expect(config.observations.tracing.otlpEndpoint).toBe('https://collector.example:4318')
    expect(JSON.parse(formatServiceConfig(config)).observations.tracing.otlp_endpoint).toBe('https://collector.example:4318')
    json.observations.tracing.otlp_endpoint = ''
    expect(parseServiceConfig(JSON.stringify(json)).config.observations.tracing.otlpEndpoint).toBe('http://127.0.0.1:4318')
  })

  it('is what defaultServiceConfig writes for the same peer name and secret', async () => {
    const text = await fixture('service-default.json')
    const cfg = defaultServiceConfig({ peername: 'node-a', secret: '0f3b5c3e9d0a4f1bb8b3f0a7c1d2e3f40f3b5c3e9d0a4f1bb8b3f0a7c1d2e3f4', consensus: 'raft' })
    expect(formatServiceConfig(cfg)).toBe(text)
  })

  it('generates a fresh 32-byte secret for each default configuration', () => {
    const a = defaultServiceConfig().cluster.secret
    const b = defaultServiceConfig().cluster.secret
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(a).not.toBe(b)
    expect(new TextDecoder().decode(swarmKeyFromSecret(a))).toBe(`/key/swarm/psk/1.0.0/\n/base16/\n${a}`)
  })

  it('reads the raft section as @cluster/consensus\'s config (milliseconds) and finds the data folder', async () => {
    const { config } = parseServiceConfig(await fixture('service-default.json'))
    expect(config.consensus.raft).toEqual({
      initPeerset: [],
      waitForLeaderTimeoutMs: 15_000,
      networkTimeoutMs: 10_000,
      commitRetries: 1,
      commitRetryDelayMs: 200,
      backupsRotate: 6,
      datastoreNamespace: '/r',
      heartbeatTimeoutMs: 1000,
      electionTimeoutMs: 1000,
      commitTimeoutMs: 50,
      maxAppendEntries: 64,
      trailingLogs: 10240,
      snapshotIntervalMs: 120_000,
      snapshotThreshold: 8192,
      leaderLeaseTimeoutMs: 500,
      dataFolder: ''
    })
    expect(raftDataFolder(config.consensus.raft, '/cfg')).toBe('/cfg/raft')
    expect(raftDataFolder({ ...config.consensus.raft, dataFolder: '/data/r' }, '/cfg')).toBe('/data/r')
  })

  it('hides secrets in the display form', async () => {
    const { config } = parseServiceConfig(await fixture('service-default.json'))
    const shown = JSON.parse(formatServiceConfigForDisplay(config)) as Record<string, any>
    expect(shown.cluster.secret).toBe('XXX_hidden_XXX')
    expect(shown.api.restapi.basic_auth_credentials).toBe('XXX_hidden_XXX')
  })
})

describe('service.json: unknown keys and old files', () => {
  it('ignores unknown keys everywhere and reports each as a warning', async () => {
    const json = await defaultJson()
    json.cluster.replication_factor = 3
    json.cluster.pubsub.extra = true
    json.consensus.raft.old_key = 'x'
    json.monitor.monbasic = { check_interval: '15s' }
    json.informer.numpin = { metric_ttl: '10s' }
    json.whatever = {}
    const { config, warnings } = parseServiceConfig(JSON.stringify(json))
    expect(warnings.map((w) => w.key).sort()).toEqual([
      'cluster.pubsub.extra', 'cluster.replication_factor', 'consensus.raft.old_key', 'informer.numpin', 'monitor.monbasic', 'whatever'
    ])
    expect(warnings[0]!.message).toMatch(/unknown configuration key ".*" ignored/)
    expect(config.cluster.replicationFactorMin).toBe(-1)
  })

  it('loads a Go sharness file with old keys and missing booleans', async () => {
    const { config, warnings } = parseServiceConfig(await fixture('service-legacy.json'))
    expect(warnings.map((w) => w.key)).toEqual(expect.arrayContaining(['cluster.replication_factor', 'informer.numpin']))
    expect(config.cluster.listenMultiaddress).toEqual(['/ip4/0.0.0.0/tcp/9096', '/ip6/::/tcp/9096'])
    expect(config.cluster.stateSyncInterval).toBe(MINUTE)
    // copied as-is: missing booleans are false
    expect(config.cluster.disableRepinning).toBe(false)
    expect(config.cluster.enableRelayHop).toBe(false)
    // missing commit_retries keeps the default (Go would read 0)
    expect(config.consensus.raft.commitRetries).toBe(1)
    expect(config.api.restapi.sslCertFile).toBe('server.crt')
    expect(config.api.restapi.basicAuthCredentials).toEqual({ testuser: 'testpass', userwithoutpass: '' })
    expect(config.ipfsConnector.ipfshttp.pinTimeoutMs).toBe(120_000)
    expect(config.pinTracker.stateless.maxPinQueueSize).toBe(50_000)
    expect(config.informer.disk.metricType).toBe('reposize')
    // absent sections: defaults, not present
    expect(config.present.has('pinsvcapi')).toBe(false)
    expect(config.present.has('tags')).toBe(false)
    expect(config.allocator.balanced.allocateBy).toEqual(['freespace'])
    expect(enabledInformers(config)).toEqual(['disk'])
  })

  it('loads the minimal hand-written file', async () => {
    const { config } = parseServiceConfig(await fixture('service-minimal.json'), { hostname: 'host-1' })
    expect(config.cluster.peername).toBe('host-1')
    expect(config.cluster.listenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/0'])
    expect(config.cluster.mdnsInterval).toBe(0n)
    expect(config.cluster.enableRelayHop).toBe(false)
    expect(config.cluster.connectionManager.highWater).toBe(400)
    expect([...config.present].sort()).toEqual(['disk', 'ipfshttp', 'raft'])
    expect(config.api.restapi.httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9094'])
  })

  it('accepts key names in another case, as Go does', async () => {
    const json = await defaultJson()
    delete json.cluster.peername
    json.cluster.PeerName = 'upper'
    const { config, warnings } = parseServiceConfig(JSON.stringify(json))
    expect(config.cluster.peername).toBe('upper')
    expect(warnings).toEqual([])
  })
})

describe('service.json: writing rules', () => {
  it('writes one multiaddress as a string, several as an array, none as []', async () => {
    const json = await defaultJson()
    json.cluster.listen_multiaddress = '/ip4/127.0.0.1/tcp/1'
    json.cluster.announce_multiaddress = ['/ip4/1.2.3.4/tcp/1', '/dns4/x.org/tcp/1']
    json.api.restapi.http_listen_multiaddress = ['/ip4/127.0.0.1/tcp/2', '/ip6/::1/tcp/2']
    const out = JSON.parse(formatServiceConfig(parseServiceConfig(JSON.stringify(json)).config)) as Record<string, any>
    expect(out.cluster.listen_multiaddress).toBe('/ip4/127.0.0.1/tcp/1')
    expect(out.cluster.announce_multiaddress).toEqual(['/ip4/1.2.3.4/tcp/1', '/dns4/x.org/tcp/1'])
    expect(out.cluster.no_announce_multiaddress).toEqual([])
    expect(out.api.restapi.http_listen_multiaddress).toEqual(['/ip4/127.0.0.1/tcp/2', '/ip6/::1/tcp/2'])
  })

  it('writes canonical durations and keys omitted when default or empty', async () => {
    const json = await defaultJson()
    json.cluster.dial_peer_timeout = '3000ms'
    json.cluster.state_sync_interval = '1.5h'
    json.cluster.follower_mode = true
    json.cluster.peerstore_file = 'peers.txt'
    json.consensus.raft.data_folder = '/data/raft'
    json.consensus.raft.datastore_namespace = '/x'
    json.pin_tracker.stateless.max_pin_queue_size = 5
    json.api.ipfsproxy.extract_headers_ttl = '1m'
    const text = formatServiceConfig(parseServiceConfig(JSON.stringify(json)).config)
    const out = JSON.parse(text) as Record<string, any>
    expect(out.cluster.dial_peer_timeout).toBe('3s')
    expect(out.cluster.state_sync_interval).toBe('1h30m0s')
    expect(Object.keys(out.cluster).slice(-3)).toEqual(['follower_mode', 'peerstore_file', 'peer_addresses'])
    expect(Object.keys(out.consensus.raft).slice(0, 2)).toEqual(['data_folder', 'init_peerset'])
    expect(out.consensus.raft.datastore_namespace).toBe('/x')
    expect(Object.keys(out.pin_tracker.stateless)[0]).toBe('max_pin_queue_size')
    expect(out.api.ipfsproxy.extract_headers_ttl).toBe('1m0s')
    expect(out.api.ipfsproxy.extract_headers_path).toBeUndefined()
    expect(text.endsWith('}')).toBe(true)
    // The tracker's own `max_retries` (not in Go) is read and written only when set.
    expect(out.pin_tracker.stateless).not.toHaveProperty('max_retries')
    json.pin_tracker.stateless.max_retries = 3
    const withRetries = parseServiceConfig(JSON.stringify(json))
    expect(withRetries.warnings).toEqual([])
    expect(withRetries.config.pinTracker.stateless.maxRetries).toBe(3)
    expect((JSON.parse(formatServiceConfig(withRetries.config)) as Record<string, any>).pin_tracker.stateless.max_retries).toBe(3)

    const defaults = JSON.parse(await fixture('service-default.json')) as Record<string, any>
    expect(defaults.cluster.follower_mode).toBeUndefined()
    expect(defaults.cluster.peerstore_file).toBeUndefined()
    expect(defaults.consensus.raft.data_folder).toBeUndefined()
  })

  it('writes Go maps with sorted keys', async () => {
    const json = await defaultJson()
    json.informer.tags.tags = { zone: 'b', group: 'g', az: 'a' }
    json.api.restapi.basic_auth_credentials = { zed: '1', amy: '2' }
    const text = formatServiceConfig(parseServiceConfig(JSON.stringify(json)).config)
    expect(text).toContain('"tags": {\n        "az": "a",\n        "group": "g",\n        "zone": "b"\n      }')
    expect(text).toContain('"basic_auth_credentials": {\n        "amy": "2",\n        "zed": "1"\n      }')
  })

  it('writes `init <url>` as a bare source', () => {
    expect(formatSourceConfig('https://example.org/c.json')).toBe('{\n  "source": "https://example.org/c.json"\n}')
  })
})

describe('service.json: remote source and consensus choice', () => {
  it('asks the caller to fetch a source, and refuses a source inside a sourced file', () => {
    const text = '{"source": "https://example.org/c.json"}'
    expect(() => parseServiceConfig(text)).toThrow(ConfigSourceError)
    try {
      parseServiceConfig(text)
    } catch (err) {
      expect((err as ConfigSourceError).url).toBe('https://example.org/c.json')
    }
    expect(() => parseServiceConfig(text, { sourced: true })).toThrow('a sourced configuration cannot point to another source')
  })

  it('needs exactly one consensus section: raft or crdt', async () => {
    const json = await defaultJson()
    delete json.consensus.raft
    const none = parseServiceConfig(JSON.stringify(json)).config
    expect(none.consensus.raft.commitRetries).toBe(1)
    expect(() => consensusOf(none)).toThrow(ConsensusChoiceError)
    expect(() => consensusOf(none)).toThrow('could not determine the consensus component')
    json.consensus.crdt = { cluster_name: 'ipfs-cluster', trusted_peers: ['*'] }
    const crdt = parseServiceConfig(JSON.stringify(json))
    expect(crdt.warnings).toEqual([])
    expect(consensusOf(crdt.config)).toBe('crdt')
    json.consensus.raft = {}
    expect(() => consensusOf(parseServiceConfig(JSON.stringify(json)).config)).toThrow('could not determine the consensus component')
  })
})

describe('service.json: the crdt section (consensus-crdt.md §2.1)', () => {
  const withCrdt = async (crdt: unknown): Promise<string> => {
    const json = await defaultJson()
    delete json.consensus.raft
    json.consensus.crdt = crdt
    return JSON.stringify(json)
  }

  it('reads Go\'s keys over Go\'s defaults and writes them back in Go\'s form', async () => {
    const { config } = parseServiceConfig(await withCrdt({
      cluster_name: 'c1', trusted_peers: ['12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'],
      batching: { max_batch_size: 100, max_batch_age: '500ms', max_queue_size: 10 }, repair_interval: '0s', rebroadcast_interval: '10s'
    }))
    expect(config.consensus.crdt).toMatchObject({ clusterName: 'c1', peersetMetric: 'ping', maxBatchSize: 100, maxQueueSize: 10, maxBatchAgeMs: 500, repairIntervalMs: 0, rebroadcastIntervalMs: 10_000 })
    const written = JSON.parse(formatServiceConfig(config)) as Record<string, any>
    expect(written.consensus).toEqual({
      crdt: {
        cluster_name: 'c1', trusted_peers: ['12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'],
        batching: { max_batch_size: 100, max_batch_age: '500ms', max_queue_size: 10 }, repair_interval: '0s', rebroadcast_interval: '10s'
      }
    })
  })

  it('keeps Go\'s quirk: no trusted_peers trusts only this peer; `*` anywhere trusts all', async () => {
    expect(parseServiceConfig(await withCrdt({ cluster_name: 'c' })).config.consensus.crdt.trustedPeers).toEqual([])
    expect(parseServiceConfig(await withCrdt({ trusted_peers: ['x', '*'] })).config.consensus.crdt.trustedPeers).toEqual(['*'])
  })

  it('refuses what Go refuses, and (unlike Go) an unparsable duration', async () => {
    const negative = await withCrdt({ rebroadcast_interval: '-1s' })
    expect(() => parseServiceConfig(negative)).toThrow('crdt.rebroadcast_interval is invalid')
    const queue = await withCrdt({ batching: { max_queue_size: -4 } })
    expect(() => parseServiceConfig(queue)).toThrow('crdt.batching.max_queue_size is invalid')
    const unparsable = await withCrdt({ repair_interval: 'soon' })
    expect(() => parseServiceConfig(unparsable)).toThrow(/error parsing crdt.repair_interval/)
  })

  it('takes Go\'s environment variables', async () => {
    const { config } = parseServiceConfig(await withCrdt({}), { env: { CLUSTER_CRDT_CLUSTERNAME: 'from-env', CLUSTER_CRDT_TRUSTEDPEERS: '*', CLUSTER_CRDT_BATCHING_MAXBATCHSIZE: '7' } })
    expect(config.consensus.crdt).toMatchObject({ clusterName: 'from-env', trustedPeers: ['*'], maxBatchSize: 7 })
  })
})

describe('service.json: malformed input', () => {
  it('fails on malformed JSON', () => {
    expect(() => parseServiceConfig('{"cluster": ')).toThrow(ConfigParseError)
    expect(() => parseServiceConfig('{"cluster": ')).toThrow(/^error parsing JSON: /)
  })

  const wrongTypes: Array<[string, (j: Record<string, any>) => void, string]> = [
    ['cluster.connection_manager.high_water', (j) => { j.cluster.connection_manager.high_water = '400' }, 'int'],
    ['cluster.peername', (j) => { j.cluster.peername = 5 }, 'string'],
    ['cluster.leave_on_shutdown', (j) => { j.cluster.leave_on_shutdown = 'no' }, 'bool'],
    ['cluster.listen_multiaddress', (j) => { j.cluster.listen_multiaddress = 9096 }, 'string or []string'],
    ['cluster.peer_addresses', (j) => { j.cluster.peer_addresses = '/ip4/1.2.3.4/tcp/1' }, '[]string'],
    ['cluster.replication_factor_min', (j) => { j.cluster.replication_factor_min = 1.5 }, 'int'],
    ['raft.max_append_entries', (j) => { j.consensus.raft.max_append_entries = '64' }, 'int'],
    ['restapi.headers', (j) => { j.api.restapi.headers = [] }, 'map[string][]string'],
    ['restapi.cors_allowed_origins', (j) => { j.api.restapi.cors_allowed_origins = '*' }, '[]string'],
    ['tracing.sampling_prob', (j) => { j.observations.tracing.sampling_prob = '0.3' }, 'float64'],
    ['cluster', (j) => { j.cluster = [] }, 'object'],
    ['stateless.priority_pin_max_age', (j) => { j.pin_tracker.stateless.priority_pin_max_age = 5 }, 'string']
  ]
  for (const [key, mutate, type] of wrongTypes) {
    it(`names the key holding a wrong type: ${key}`, async () => {
      const json = await defaultJson()
      mutate(json)
      let error: unknown
      try {
        parseServiceConfig(JSON.stringify(json))
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(ConfigParseError)
      expect((error as ConfigParseError).key).toBe(key)
      expect((error as Error).message).toContain(`error parsing ${key}: cannot unmarshal`)
      expect((error as Error).message).toContain(`of type ${type}`)
    })
  }

  const badValues: Array<[string, (j: Record<string, any>) => void, string]> = [
    ['cluster duration', (j) => { j.cluster.dial_peer_timeout = 'abc' }, 'error parsing cluster.dial_peer_timeout: time: invalid duration "abc"'],
    ['duration without unit', (j) => { j.cluster.state_sync_interval = '10' }, 'error parsing cluster.state_sync_interval: time: missing unit in duration "10"'],
    ['pubsub duration', (j) => { j.cluster.pubsub.heartbeat_interval = 'x' }, 'error parsing cluster.pubsub.heartbeat_interval'],
    ['grace period', (j) => { j.cluster.connection_manager.grace_period = '1y' }, 'error parsing cluster.connection_manager.grace_period'],
    ['listen address', (j) => { j.cluster.listen_multiaddress = '/ip4/1.2.3.4/tcp/x' }, 'error parsing listen_multiaddress: failed to parse multiaddr "/ip4/1.2.3.4/tcp/x"'],
    ['announce address', (j) => { j.cluster.announce_multiaddress = ['nope'] }, 'error parsing announce: '],
    ['no-announce address', (j) => { j.cluster.no_announce_multiaddress = ['/ip4/x'] }, 'error parsing no_announce: '],
    ['peer address', (j) => { j.cluster.peer_addresses = ['/ip4/1.2.3.4/tcp/1/p2p/notapeer'] }, 'error parsing peer_addresses: '],
    ['short secret', (j) => { j.cluster.secret = 'abcd' }, 'error loading cluster secret from config: input secret is 2 bytes, cluster secret should be 32'],
    ['non-hex secret', (j) => { j.cluster.secret = 'zz' + 'a'.repeat(62) }, 'error loading cluster secret from config: encoding/hex: invalid byte: U+007A \'z\''],
    ['restapi duration', (j) => { j.api.restapi.read_timeout = '5' }, 'error parsing restapi.read_timeout: time: missing unit'],
    ['restapi listen', (j) => { j.api.restapi.http_listen_multiaddress = 'x' }, 'error parsing restapi.http_listen_multiaddress: '],
    ['proxy node address', (j) => { j.api.ipfsproxy.node_multiaddress = '/ip4/x' }, 'error parsing ipfs node_multiaddress: '],
    ['ipfshttp node address', (j) => { delete j.ipfs_connector.ipfshttp.node_multiaddress }, 'error parsing ipfs_node_multiaddress'],
    ['stateless duration', (j) => { j.pin_tracker.stateless.priority_pin_max_age = '1d' }, 'error parsing stateless.priority_pin_max_age'],
    ['metrics endpoint', (j) => { delete j.observations.metrics.prometheus_endpoint }, 'error parsing metrics.prometheus_endpoint'],
    ['restapi id', (j) => { j.api.restapi.id = 'notapeer' }, 'error parsing restapi.ID: ']
  ]
  for (const [name, mutate, message] of badValues) {
    it(`fails on a bad value: ${name}`, async () => {
      const json = await defaultJson()
      mutate(json)
      expect(() => parseServiceConfig(JSON.stringify(json))).toThrow(ConfigParseError)
      expect(() => parseServiceConfig(JSON.stringify(json))).toThrow(message)
    })
  }

  it('warns about an empty secret and about raft durations it replaces by the default', async () => {
    const json = await defaultJson()
    json.cluster.secret = ''
    json.consensus.raft.heartbeat_timeout = 'fast'
    json.consensus.raft.election_timeout = '0s'
    const { config, warnings } = parseServiceConfig(JSON.stringify(json))
    expect(config.cluster.secret).toBe('')
    expect(config.consensus.raft.heartbeatTimeoutMs).toBe(1_000)
    expect(config.consensus.raft.electionTimeoutMs).toBe(1_000)
    expect(warnings.map((w) => w.message)).toEqual([
      'Cluster secret is empty, cluster will start on unprotected network.',
      'fast is not a valid duration. Default will be used',
      '0s is not a valid duration. Default will be used'
    ])
    expect(swarmKeyFromSecret('')).toBeUndefined()
  })
})


import { describe, expect, it } from 'vitest'
import { SECOND } from '@cluster/api'
import {
  ConfigEnvError, ConfigValidationError, applyServiceConfigEnv, defaultServiceConfig, parseGoBool,
  parseGoInteger, parseServiceConfig
} from '../src/config/index.ts'
import { goFieldName } from '../src/config/env.ts'
import { fixture } from './fixtures/config/helpers.ts'

async function loadWith (env: Record<string, string>): Promise<ReturnType<typeof parseServiceConfig>['config']> {
  return parseServiceConfig(await fixture('service-default.json'), { env }).config
}

describe('environment overrides (config.md §6)', () => {
  it('overrides cluster fields, nested objects included', async () => {
    const c = await loadWith({
      CLUSTER_PEERNAME: 'from-env',
      CLUSTER_SECRET: 'AB'.repeat(32),
      CLUSTER_LEAVEONSHUTDOWN: 'T',
      CLUSTER_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/1,/ip4/127.0.0.1/tcp/2',
      CLUSTER_CONNECTIONMANAGER_HIGHWATER: '0x200',
      CLUSTER_CONNECTIONMANAGER_LOWWATER: '50',
      CLUSTER_RESOURCEMANAGER_MEMORYLIMITBYTES: '1_000',
      CLUSTER_PUBSUB_HEARTBEATINTERVAL: '2s',
      CLUSTER_PUBSUB_FLOODPUBLISH: 'true',
      CLUSTER_REPLICATIONFACTORMIN: '2',
      CLUSTER_REPLICATIONFACTORMAX: '4',
      CLUSTER_MDNSINTERVAL: '0s',
      CLUSTER_FOLLOWERMODE: '1',
      CLUSTER_PEERADDRESSES: '/ip4/1.2.3.4/tcp/9096/ipfs/12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW'
    })
    expect(c.cluster.peername).toBe('from-env')
    expect(c.cluster.secret).toBe('ab'.repeat(32))
    expect(c.cluster.leaveOnShutdown).toBe(true)
    expect(c.cluster.listenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
    expect(c.cluster.connectionManager).toMatchObject({ highWater: 512, lowWater: 50 })
    expect(c.cluster.resourceManager.memoryLimitBytes).toBe(1000)
    expect(c.cluster.pubsub.heartbeatInterval).toBe(2n * SECOND)
    expect(c.cluster.pubsub.floodPublish).toBe(true)
    expect([c.cluster.replicationFactorMin, c.cluster.replicationFactorMax]).toEqual([2, 4])
    expect(c.cluster.mdnsInterval).toBe(0n)
    expect(c.cluster.followerMode).toBe(true)
    expect(c.cluster.peerAddresses).toEqual(['/ip4/1.2.3.4/tcp/9096/p2p/12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW'])
  })

  it('overrides every component with its own prefix', async () => {
    const c = await loadWith({
      CLUSTER_RAFT_INITPEERSET: '12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW,bad',
      CLUSTER_RAFT_COMMITRETRIES: '0',
      CLUSTER_RAFT_HEARTBEATTIMEOUT: '100ms',
      CLUSTER_RAFT_LEADERLEASETIMEOUT: '100ms',
      CLUSTER_RAFT_ELECTIONTIMEOUT: '300ms',
      CLUSTER_RAFT_TRAILINGLOGS: '100',
      CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/0.0.0.0/tcp/9999',
      CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: 'alice:pw1,bob:pw2',
      CLUSTER_RESTAPI_HEADERS: 'X-A:1,X-B:2',
      CLUSTER_RESTAPI_CORSALLOWEDORIGINS: 'https://a.org,https://b.org',
      CLUSTER_PINSVCAPI_HTTPLOGFILE: 'svc.log',
      CLUSTER_IPFSPROXY_IDLETIMEOUT: '22s',
      CLUSTER_IPFSHTTP_NODEMULTIADDRESS: '/dns4/ipfs0/tcp/5001',
      CLUSTER_IPFSHTTP_UNPINDISABLE: 'true',
      CLUSTER_STATELESS_CONCURRENTPINS: '3',
      CLUSTER_PUBSUBMON_CHECKINTERVAL: '1s',
      CLUSTER_BALANCED_ALLOCATEBY: 'tag:region,pinqueue',
      CLUSTER_DISK_METRICTYPE: 'reposize',
      CLUSTER_PINQUEUE_WEIGHTBUCKETSIZE: '7',
      CLUSTER_TAGS_TAGS: 'group:eu,rack:1',
      CLUSTER_METRICS_ENABLESTATS: 'true',
      CLUSTER_TRACING_SAMPLINGPROB: '0.5',
      CLUSTER_TRACING_SERVICENAME: 'svc',
      CLUSTER_TRACING_OTLPENDPOINT: 'http://collector:4318'
    })
    expect(c.consensus.raft.initPeerset).toEqual(['12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW'])
    expect(c.consensus.raft.commitRetries).toBe(0)
    expect(c.consensus.raft.heartbeatTimeoutMs).toBe(100)
    expect(c.consensus.raft.electionTimeoutMs).toBe(300)
    expect(c.consensus.raft.trailingLogs).toBe(100)
    expect(c.api.restapi.httpListenMultiaddress).toEqual(['/ip4/0.0.0.0/tcp/9999'])
    expect(c.api.restapi.basicAuthCredentials).toEqual({ alice: 'pw1', bob: 'pw2' })
    expect(c.api.restapi.headers).toEqual({ 'X-A': ['1'], 'X-B': ['2'] })
    expect(c.api.restapi.corsAllowedOrigins).toEqual(['https://a.org', 'https://b.org'])
    expect(c.api.pinsvcapi.httpLogFile).toBe('svc.log')
    expect(c.api.restapi.httpLogFile).toBe('')
    expect(c.api.ipfsproxy.idleTimeoutMs).toBe(22_000)
    expect(c.ipfsConnector.ipfshttp.nodeMultiaddress).toBe('/dns4/ipfs0/tcp/5001')
    expect(c.ipfsConnector.ipfshttp.unpinDisable).toBe(true)
    expect(c.pinTracker.stateless.concurrentPins).toBe(3)
    expect(c.monitor.pubsubmon.checkInterval).toBe(SECOND)
    expect(c.allocator.balanced.allocateBy).toEqual(['tag:region', 'pinqueue'])
    expect(c.informer.disk.metricType).toBe('reposize')
    expect(c.informer.pinqueue.weightBucketSize).toBe(7)
    expect(c.informer.tags.tags).toEqual({ group: 'eu', rack: '1' })
    expect(c.observations.metrics.enableStats).toBe(true)
    expect(c.observations.tracing.samplingProb).toBe(0.5)
    expect(c.observations.tracing.serviceName).toBe('svc')
    expect(c.observations.tracing.otlpEndpoint).toBe('http://collector:4318')
  })

  it('counts a set-but-empty variable as set', async () => {
    const c = await loadWith({ CLUSTER_SECRET: '', CLUSTER_PEERNAME: '', CLUSTER_DIALPEERTIMEOUT: '', CLUSTER_BALANCED_ALLOCATEBY: '' })
    expect(c.cluster.secret).toBe('') // no private network
    expect(c.cluster.peername).toBe('node-a') // "" keeps the current value
    expect(c.cluster.dialPeerTimeout).toBe(3n * SECOND)
    expect(c.allocator.balanced.allocateBy).toEqual(['tag:group', 'freespace'])
  })

  it('keeps the current value (not the default) for a zero on a "0 → default" key', async () => {
    const json = JSON.parse(await fixture('service-default.json')) as Record<string, any>
    json.cluster.replication_factor_min = 2
    json.cluster.replication_factor_max = 3
    const { config } = parseServiceConfig(JSON.stringify(json), { env: { CLUSTER_REPLICATIONFACTORMIN: '0' } })
    expect(config.cluster.replicationFactorMin).toBe(2)
  })

  it('ignores variables of other prefixes and leaves the input untouched', async () => {
    const base = defaultServiceConfig({ peername: 'p', secret: '' })
    const changed = applyServiceConfigEnv(base, { CLUSTER_RESTAPI_IDLETIMEOUT: '1s', OTHER: 'x', CLUSTER_UNKNOWNFIELD: 'y' })
    expect(changed.api.restapi.idleTimeout).toBe(SECOND)
    expect(base.api.restapi.idleTimeout).toBe(120n * SECOND)
    expect(changed.present).toEqual(base.present)
  })

  it('fails with envconfig\'s message on values that do not convert', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ CLUSTER_RAFT_COMMITRETRIES: 'abc' }, 'envconfig.Process: assigning CLUSTER_RAFT_COMMITRETRIES to CommitRetries: converting \'abc\' to type int. details: strconv.ParseInt: parsing "abc": invalid syntax'],
      [{ CLUSTER_LEAVEONSHUTDOWN: 'yes' }, 'converting \'yes\' to type bool. details: strconv.ParseBool: parsing "yes": invalid syntax'],
      [{ CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: 'alice' }, 'invalid map item: "alice"'],
      [{ CLUSTER_CONNECTIONMANAGER_HIGHWATER: '' }, 'strconv.ParseInt: parsing "": invalid syntax'],
      [{ CLUSTER_RESOURCEMANAGER_FILEDESCRIPTORSLIMIT: '-1' }, 'to type uint64'],
      [{ CLUSTER_TRACING_SAMPLINGPROB: 'half' }, 'strconv.ParseFloat: parsing "half": invalid syntax'],
      // A section whose model is its package's (@cluster/pintracker), with the same message.
      [{ CLUSTER_STATELESS_CONCURRENTPINS: 'many' }, 'envconfig.Process: assigning CLUSTER_STATELESS_CONCURRENTPINS to ConcurrentPins: converting \'many\' to type int. details: strconv.ParseInt: parsing "many": invalid syntax'],
      [{ CLUSTER_IPFSPROXY_MAXHEADERBYTES: 'zz' }, 'envconfig.Process: assigning CLUSTER_IPFSPROXY_MAXHEADERBYTES to MaxHeaderBytes: converting \'zz\' to type int. details: strconv.ParseInt: parsing "zz": invalid syntax'],
      [{ CLUSTER_IPFSPROXY_NODEHTTPS: 'yes' }, 'converting \'yes\' to type bool'],
      [{ CLUSTER_IPFSHTTP_UNPINDISABLE: 'maybe' }, 'envconfig.Process: assigning CLUSTER_IPFSHTTP_UNPINDISABLE to UnpinDisable: converting \'maybe\' to type bool. details: strconv.ParseBool: parsing "maybe": invalid syntax'],
      [{ CLUSTER_IPFSHTTP_INFORMERTRIGGERINTERVAL: '1x' }, 'converting \'1x\' to type int'],
      [{ CLUSTER_CRDT_BATCHING_MAXBATCHSIZE: 'lots' }, 'envconfig.Process: assigning CLUSTER_CRDT_BATCHING_MAXBATCHSIZE to MaxBatchSize: converting \'lots\' to type int'],
      [{ CLUSTER_RAFT_TRAILINGLOGS: '-5' }, 'to type uint64'],
      // Go's field names keep their initialisms (checked against Go's daemon).
      [{ CLUSTER_RESTAPI_CORSALLOWCREDENTIALS: 'maybe' }, 'assigning CLUSTER_RESTAPI_CORSALLOWCREDENTIALS to CORSAllowCredentials: converting'],
      [{ CLUSTER_IPFSPROXY_NODEHTTPS: 'yes' }, 'assigning CLUSTER_IPFSPROXY_NODEHTTPS to NodeHTTPS: converting']
    ]
    for (const [env, message] of cases) {
      let error: unknown
      try {
        await loadWith(env)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(ConfigEnvError)
      expect((error as Error).message).toContain(message)
      expect((error as ConfigEnvError).variable).toBe(Object.keys(env)[0])
    }
  })

  it('validates after the environment: a variable repairs a value of the file', async () => {
    const json = JSON.parse(await fixture('service-default.json')) as Record<string, any>
    json.api.ipfsproxy.max_header_bytes = 100
    json.api.restapi.max_header_bytes = 100
    json.pin_tracker.stateless.priority_pin_max_age = '0s'
    json.ipfs_connector.ipfshttp.pin_timeout = '0s'
    json.consensus.raft.leader_lease_timeout = '5s'
    const text = JSON.stringify(json)
    expect(() => parseServiceConfig(text)).toThrow(ConfigValidationError)
    const { config } = parseServiceConfig(text, {
      env: {
        CLUSTER_IPFSPROXY_MAXHEADERBYTES: '8192',
        CLUSTER_RESTAPI_MAXHEADERBYTES: '8192',
        CLUSTER_STATELESS_PRIORITYPINMAXAGE: '1h',
        CLUSTER_IPFSHTTP_PINTIMEOUT: '1m',
        CLUSTER_RAFT_LEADERLEASETIMEOUT: '400ms'
      }
    })
    expect(config.ipfsConnector.ipfshttp.pinTimeoutMs).toBe(60_000)
    expect(config.consensus.raft.leaderLeaseTimeoutMs).toBe(400)
    expect(config.api.ipfsproxy.maxHeaderBytes).toBe(8192)
    expect(config.api.restapi.maxHeaderBytes).toBe(8192)
    expect(config.pinTracker.stateless.priorityPinMaxAge).toBe(3600n * SECOND)
  })

  it('validates the values the environment brings, with the JSON messages', async () => {
    await expect(loadWith({ CLUSTER_STATESYNCINTERVAL: '0s' })).rejects.toThrow(ConfigValidationError)
    await expect(loadWith({ CLUSTER_STATESYNCINTERVAL: '0s' })).rejects.toThrow('cluster section failed to validate: cluster.state_sync_interval is invalid')
    await expect(loadWith({ CLUSTER_RESTAPI_MAXHEADERBYTES: '5' })).rejects.toThrow('restapi failed to validate: restapi.max_header_bytes must be not less then 4096')
    await expect(loadWith({ CLUSTER_SECRET: 'abc' })).rejects.toThrow('error loading cluster secret from config: encoding/hex: odd length hex string')
    await expect(loadWith({ CLUSTER_DIALPEERTIMEOUT: '3' })).rejects.toThrow('error parsing cluster.dial_peer_timeout: time: missing unit in duration "3"')
  })
})

describe('Go value syntax of variables', () => {
  it('names Go\'s struct field in conversion errors, initialisms kept', () => {
    expect(['ipfs_request_timeout', 'repogc_timeout', 'pubsub.seen_messages_ttl', 'mdns_interval', 'ssl_cert_file', 'batching.max_batch_size'].map(goFieldName))
      .toEqual(['IPFSRequestTimeout', 'RepoGCTimeout', 'SeenMessagesTTL', 'MDNSInterval', 'SSLCertFile', 'MaxBatchSize'])
  })

  it('parses integers like strconv.ParseInt with base 0', () => {
    expect(parseGoInteger('42', true)).toBe(42)
    expect(parseGoInteger('-7', true)).toBe(-7)
    expect(parseGoInteger('0x1f', true)).toBe(31)
    expect(parseGoInteger('0o17', true)).toBe(15)
    expect(parseGoInteger('017', true)).toBe(15)
    expect(parseGoInteger('0b101', false)).toBe(5)
    expect(parseGoInteger('1_000', true)).toBe(1000)
    expect(() => parseGoInteger('-1', false)).toThrow('invalid syntax')
    expect(() => parseGoInteger('1.5', true)).toThrow('invalid syntax')
    expect(() => parseGoInteger('99999999999999999999', true)).toThrow('value out of range')
  })

  it('parses booleans like strconv.ParseBool', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toBe(true)
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(f)).toBe(false)
    expect(() => parseGoBool('tRUE')).toThrow('invalid syntax')
  })
})

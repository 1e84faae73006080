import { describe, expect, it } from 'vitest'
import {
  ConsensusConfigError, crdtConfigToJson, defaultCrdtConfig, defaultRaftConfig, raftConfigToJson, readCrdtJson, readRaftJson,
  resolveCrdtConfig, resolveRaftConfig, validateRaftConfig
} from '../src/subpaths/config.ts'

const PEER = '12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW'

describe('consensus.raft: the one model of the section', () => {
  it('writes Go\'s defaults exactly as Go does', () => {
    expect(raftConfigToJson(defaultRaftConfig())).toEqual({
      init_peerset: [],
      wait_for_leader_timeout: '15s',
      network_timeout: '10s',
      commit_retries: 1,
      commit_retry_delay: '200ms',
      backups_rotate: 6,
      heartbeat_timeout: '1s',
      election_timeout: '1s',
      commit_timeout: '50ms',
      max_append_entries: 64,
      trailing_logs: 10240,
      snapshot_interval: '2m0s',
      snapshot_threshold: 8192,
      leader_lease_timeout: '500ms'
    })
  })

  it('reads Go\'s JSON in milliseconds and round-trips it', () => {
    const json = { ...raftConfigToJson(defaultRaftConfig()), data_folder: '/data/raft', init_peerset: [PEER, 'not-a-peer'], heartbeat_timeout: '1.5s', commit_timeout: '1500us', datastore_namespace: '/x' }
    const c = readRaftJson(json)
    expect(c).toMatchObject({ dataFolder: '/data/raft', initPeerset: [PEER], heartbeatTimeoutMs: 1500, commitTimeoutMs: 1.5, datastoreNamespace: '/x' })
    expect(raftConfigToJson(c)).toEqual({ ...json, init_peerset: [PEER], commit_timeout: '1.5ms' })
  })

  it('keeps the current value of a bad duration with Go\'s notice, and of zeros and empty strings', () => {
    const notices: string[] = []
    const c = readRaftJson({ heartbeat_timeout: 'fast', election_timeout: '0s', backups_rotate: 0, datastore_namespace: '' }, defaultRaftConfig(), (key, message) => { notices.push(`${key}: ${message}`) })
    expect(c).toMatchObject({ heartbeatTimeoutMs: 1000, electionTimeoutMs: 1000, backupsRotate: 6, datastoreNamespace: '/r' })
    expect(notices).toEqual(['heartbeat_timeout: fast is not a valid duration. Default will be used', 'election_timeout: 0s is not a valid duration. Default will be used'])
  })

  it('keeps the default when commit_retries is missing (Go reads 0) and takes an explicit 0', () => {
    expect(readRaftJson({}).commitRetries).toBe(1)
    expect(readRaftJson({ commit_retries: 0 }).commitRetries).toBe(0)
  })

  it('rejects values of the wrong JSON type with encoding/json\'s text', () => {
    expect(() => readRaftJson({ commit_retries: '3' })).toThrow('json: cannot unmarshal string into Go struct field jsonConfig.commit_retries of type int')
    expect(() => readRaftJson({ trailing_logs: -1 })).toThrow('of type uint64')
    expect(() => readRaftJson({ init_peerset: 'x' })).toThrow('of type []string')
    expect(() => readRaftJson([])).toThrow(ConsensusConfigError)
  })

  it('validates with Go\'s and hashicorp/raft\'s texts', () => {
    const bad = (patch: object): void => { validateRaftConfig({ ...defaultRaftConfig(), ...patch }) }
    expect(() => { bad({ leaderLeaseTimeoutMs: 2000 }) }).toThrow('LeaderLeaseTimeout (2s) cannot be larger than heartbeat timeout (1s)')
    expect(() => { bad({ electionTimeoutMs: 500, leaderLeaseTimeoutMs: 100 }) }).toThrow('ElectionTimeout (500ms) must be equal or greater than Heartbeat Timeout (1s)')
    expect(() => { bad({ maxAppendEntries: 2000 }) }).toThrow('MaxAppendEntries is too large')
    expect(() => { bad({ commitRetryDelayMs: 0 }) }).toThrow('commit_retry_delay is invalid')
  })

  it('lets a program set a short heartbeat alone: the lease and election timeouts follow it', () => {
    const c = resolveRaftConfig({ heartbeatTimeoutMs: 100 })
    expect([c.leaderLeaseTimeoutMs, c.electionTimeoutMs]).toEqual([100, 1000])
    expect(() => resolveRaftConfig({ heartbeatTimeoutMs: 100, leaderLeaseTimeoutMs: 200 })).toThrow('LeaderLeaseTimeout (200ms) cannot be larger')
  })
})

describe('consensus.crdt: the one model of the section', () => {
  it('writes the keys Go\'s init writes, and the others only when not at their defaults', () => {
    expect(crdtConfigToJson(defaultCrdtConfig())).toEqual({
      cluster_name: 'ipfs-cluster', trusted_peers: ['*'], batching: { max_batch_size: 0, max_batch_age: '0s' }, repair_interval: '1h0m0s'
    })
    const c = readCrdtJson({ cluster_name: 'c', trusted_peers: [PEER], batching: { max_batch_size: 10, max_batch_age: '250ms', max_queue_size: 7 }, rebroadcast_interval: '2s', peerset_metric: 'm', data_folder: '/d' })
    expect(c).toMatchObject({ clusterName: 'c', trustedPeers: [PEER], maxBatchSize: 10, maxBatchAgeMs: 250, maxQueueSize: 7, rebroadcastIntervalMs: 2000, peersetMetric: 'm', dataFolder: '/d' })
    expect(readCrdtJson(crdtConfigToJson(c))).toEqual(c)
  })

  it('keeps Go\'s trust rules: no trusted_peers trusts only this peer, * anywhere trusts all', () => {
    expect(readCrdtJson({}).trustedPeers).toEqual([])
    expect(readCrdtJson({ trusted_peers: [PEER, '*'] }).trustedPeers).toEqual(['*'])
  })

  it('fails on a duration that does not parse, naming the key (Go would ignore it)', () => {
    expect(() => readCrdtJson({ repair_interval: 'often' })).toThrow('error parsing crdt.repair_interval: time: invalid duration "often"')
    expect(() => readCrdtJson({ batching: { max_batch_age: 5 } })).toThrow('jsonConfig.max_batch_age of type string')
    expect(() => resolveCrdtConfig({ maxQueueSize: 0 })).toThrow('crdt.batching.max_queue_size is invalid')
  })
})

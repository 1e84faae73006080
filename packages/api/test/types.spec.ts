import { describe, expect, it } from 'vitest'
import {
  decodeAddedOutput, decodeErrorBody, decodeGlobalPinInfo, decodeIpfsId, decodePinInfoShort, defaultPinOptions,
  encodeAddedOutput, encodeErrorBody, encodeGlobalPinInfo, encodeId, encodeIpfsRepoGc, encodePin,
  encodePinInfoShort, encodeRepoGc, errorBodyFromResponse, formatTrackerStatusFilter, isErrorStatus,
  parseCid, parsePeerId, parsePinTypeFilter, parseTrackerStatusFilter, pinDepthToMode, pinInfoToGlobal,
  pinModeToDepth, pinTypeMatches, stringifyJson, Timestamp, trackerStatusFromString, trackerStatusMatches,
  TRACKER_STATUSES
} from '../src/index.ts'
import type { PinInfo, PinInfoShort } from '../src/index.ts'

const P1 = parsePeerId('12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR')
const I1 = parsePeerId('12D3KooWD1xoefRXeDo5388rJoQfJeR2B2bVK7p9gXTn9JQE8nky')
const C1 = parseCid('bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa')
const T = Timestamp.parse('2025-03-01T12:34:56+01:00')

const short: PinInfoShort = {
  peername: '',
  ipfsPeerId: undefined,
  ipfsPeerAddresses: [],
  status: 'remote',
  timestamp: T,
  error: '',
  attemptCount: 0,
  priorityPin: false
}

describe('omitted vs null', () => {
  it('PinInfoShort omits an unknown ipfs_peer_id and empty ipfs_peer_addresses', () => {
    expect(stringifyJson(encodePinInfoShort(short))).toBe(
      '{"peername":"","status":"remote","timestamp":"2025-03-01T12:34:56+01:00","error":"","attempt_count":0,"priority_pin":false}')
    const back = decodePinInfoShort(encodePinInfoShort(short))
    expect(back).toEqual(short)
  })

  it('IPFSID omits an unknown id; never "" or null for single peer IDs', () => {
    const id = {
      id: P1,
      addresses: null,
      clusterPeers: null,
      clusterPeersAddresses: null,
      version: '',
      commit: '',
      rpcProtocolVersion: '',
      error: 'dial backoff',
      ipfs: { id: undefined, addresses: null, error: '' },
      peername: ''
    }
    expect(stringifyJson(encodeId(id))).toBe(
      `{"id":"${P1}","addresses":null,"cluster_peers":null,"cluster_peers_addresses":null,"version":"","commit":"","rpc_protocol_version":"","error":"dial backoff","ipfs":{"addresses":null,"error":""},"peername":""}`)
    expect(() => decodeIpfsId({ id: '', addresses: null, error: '' })).toThrow('id: invalid peer ID')
    expect(() => decodeIpfsId({ id: null, addresses: null, error: '' })).toThrow('id: expected peer ID, got null')
  })

  it('AddedOutput omits zero bytes/size and empty allocations; undefined CID is null', () => {
    const progress = { name: 'a.txt', cid: undefined, bytes: 262144, size: 0, allocations: [] }
    expect(stringifyJson(encodeAddedOutput(progress))).toBe('{"name":"a.txt","cid":null,"bytes":262144}')
    expect(decodeAddedOutput({ name: 'a.txt', cid: null, bytes: 262144 })).toEqual(progress)
    expect(stringifyJson(encodeAddedOutput({ name: '', cid: C1, bytes: 0, size: 7, allocations: [P1] }))).toBe(
      `{"name":"","cid":"${C1.toString()}","size":7,"allocations":["${P1}"]}`)
  })

  it('RepoGC and IPFSRepoGC omit an empty error; key is always present', () => {
    expect(stringifyJson(encodeIpfsRepoGc({ key: undefined, error: 'x' }))).toBe('{"key":null,"error":"x"}')
    expect(stringifyJson(encodeIpfsRepoGc({ key: C1, error: '' }))).toBe(`{"key":"${C1.toString()}"}`)
    expect(stringifyJson(encodeRepoGc({ peer: P1, peername: 'p', keys: [], error: '' }))).toBe(`{"peer":"${P1}","peername":"p","keys":[]}`)
  })

  it('Pin writes undefined CIDs as null and zero times as Go\'s zero time', () => {
    const pin = {
      ...defaultPinOptions(),
      cid: C1,
      type: 'pin' as const,
      allocations: [],
      maxDepth: -1,
      reference: undefined,
      timestamp: Timestamp.ZERO
    }
    const text = stringifyJson(encodePin(pin))
    expect(text).toContain('"pin_update":null')
    expect(text).toContain('"reference":null')
    expect(text).toContain('"expire_at":"0001-01-01T00:00:00Z"')
    expect(text).toContain('"timestamp":"0001-01-01T00:00:00Z"')
  })
})

describe('PinInfo → GlobalPinInfo', () => {
  it('builds a single-peer peer_map keyed by the peer ID', () => {
    const info: PinInfo = {
      ...short,
      ipfsPeerId: I1,
      status: 'pinned',
      cid: C1,
      name: 'n',
      peer: P1,
      allocations: [P1],
      origins: null,
      created: T,
      metadata: { k: 'v' }
    }
    const g = pinInfoToGlobal(info)
    expect(Object.keys(g.peerMap!)).toEqual([P1])
    expect(g.peerMap![P1]).toEqual({ ...short, ipfsPeerId: I1, status: 'pinned' })
    expect(g.peerMap![P1]).not.toHaveProperty('cid')
    expect(decodeGlobalPinInfo(encodeGlobalPinInfo(g))).toEqual(g)
  })
})

describe('TrackerStatus', () => {
  it('unknown strings decode as undefined', () => {
    expect(trackerStatusFromString('pinned')).toBe('pinned')
    expect(trackerStatusFromString('bogus')).toBe('undefined')
    expect(trackerStatusFromString('error')).toBe('undefined')
    expect(decodePinInfoShort({ ...encodePinInfoShort(short), status: 'who-knows' }).status).toBe('undefined')
  })

  it('matches filters like Go (0 = all, composites, undefined matches everything)', () => {
    const errorFilter = parseTrackerStatusFilter('error')
    expect(trackerStatusMatches('pin_error', errorFilter)).toBe(true)
    expect(trackerStatusMatches('cluster_error', errorFilter)).toBe(true)
    expect(trackerStatusMatches('pinned', errorFilter)).toBe(false)
    expect(trackerStatusMatches('undefined', errorFilter)).toBe(true)
    expect(trackerStatusMatches('pinned', parseTrackerStatusFilter(''))).toBe(true)
    expect(trackerStatusMatches('unpin_queued', parseTrackerStatusFilter('queued'))).toBe(true)
    expect(parseTrackerStatusFilter('invalid,pinned')).toBe(parseTrackerStatusFilter('pinned'))
    expect(parseTrackerStatusFilter('')).toBe(0)
    expect(() => parseTrackerStatusFilter('0')).toThrow('invalid filter value')
    expect(formatTrackerStatusFilter(parseTrackerStatusFilter('error'))).toBe('error')
    expect(formatTrackerStatusFilter(parseTrackerStatusFilter('pinned,remote'))).toBe('pinned,remote')
    expect(TRACKER_STATUSES.filter(isErrorStatus)).toEqual(['cluster_error', 'pin_error', 'unpin_error'])
  })
})

describe('PinType and PinMode', () => {
  it('filters by type bits; pin,bogus behaves as pin', () => {
    const f = parsePinTypeFilter('pin,bogus')
    expect(pinTypeMatches('pin', f)).toBe(true)
    expect(pinTypeMatches('meta-pin', f)).toBe(false)
    const all = parsePinTypeFilter('')
    expect(['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin'].every((t) => pinTypeMatches(t as 'pin', all))).toBe(true)
    expect(() => parsePinTypeFilter('bogus')).toThrow('invalid filter value')
  })

  it('maps modes to depths and back', () => {
    expect(pinModeToDepth('recursive')).toBe(-1)
    expect(pinModeToDepth('direct')).toBe(0)
    expect(pinDepthToMode(0)).toBe('direct')
    expect(pinDepthToMode(-1)).toBe('recursive')
    expect(pinDepthToMode(1)).toBe('recursive')
  })
})

describe('error body', () => {
  it('encodes {code,message} and reads responses like the Go client', () => {
    expect(stringifyJson(encodeErrorBody({ code: 404, message: 'not found' }))).toBe('{"code":404,"message":"not found"}')
    expect(decodeErrorBody({ code: 400, message: 'invalid filter value' })).toEqual({ code: 400, message: 'invalid filter value' })
    expect(errorBodyFromResponse(500, '{"code":500,"message":"boom"}\n')).toEqual({ code: 500, message: 'boom' })
    expect(errorBodyFromResponse(502, 'Bad Gateway')).toEqual({ code: 502, message: 'Bad Gateway' })
    expect(errorBodyFromResponse(400, '{"code":400,"message":"a"}\n{"cid":"x"}')).toEqual({ code: 400, message: '{"code":400,"message":"a"}\n{"cid":"x"}' })
  })
})

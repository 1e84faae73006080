// Byte-for-byte against Go: testdata/golden.json holds what Go IPFS Cluster v1.1.6 (ugorji
// msgpack) writes for the values below; tools/gorpc-golden/main.go made it. Each value encodes to
// Go's bytes, and Go's bytes decode to the value.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Timestamp, parseCid, parseMultiaddr, parsePeerId, type Id, type PinInfo, type RepoGc } from '@cluster/api'
import { decodeGo, encodeGoCall, encodeGoValue, goTypes, type GoCodec } from '../src/index.ts'
import { encodeResponse } from '../src/wire.ts'

const golden = JSON.parse(readFileSync(join(import.meta.dirname, '../testdata/golden.json'), 'utf8')) as Record<string, string>
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (name: string): Uint8Array => Buffer.from(golden[name] as string, 'hex')

const p1 = parsePeerId('12D3KooWHyyKjcCRiJXbHZptG3tNSHiqXA5HBKEaq7FLJxBegLdj')
const p2 = parsePeerId('12D3KooWCdD25RJdii3VRFkseAYwPMJJQzjvhEZPjbVHTHwmbw5a')
const ipfs = parsePeerId('QmPGDFvBkgWhvzEK9qaTWrWurSwqXNmhnK3hgELPdZZNPa')
const c1 = parseCid('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
const c0 = parseCid('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')
const ma1 = parseMultiaddr('/ip4/127.0.0.1/tcp/9096/p2p/12D3KooWHyyKjcCRiJXbHZptG3tNSHiqXA5HBKEaq7FLJxBegLdj')
const ma2 = parseMultiaddr('/ip6/::1/udp/4001/quic-v1')
const ma3 = parseMultiaddr('/dns4/example.com/tcp/4001')
const created = Timestamp.parse('2026-12-05T02:43:18Z')
const seen = Timestamp.parse('2026-12-05T02:43:18.123456789+01:00')

const full: PinInfo = {
  cid: c1,
  name: 'a name with ünïcode and more than thirty-one bytes',
  peer: p1,
  allocations: [p1, p2],
  origins: [ma3],
  created,
  metadata: { zz: 'last' },
  peername: 'peer0',
  ipfsPeerId: ipfs,
  ipfsPeerAddresses: [ma2],
  status: 'pin_error',
  timestamp: seen,
  error: 'pin: context deadline exceeded',
  attemptCount: 3,
  priorityPin: true
}

const minimal: PinInfo = {
  cid: c0,
  name: '',
  peer: p2,
  allocations: [],
  origins: [],
  created: Timestamp.ZERO,
  metadata: null,
  peername: '',
  ipfsPeerId: undefined,
  ipfsPeerAddresses: [],
  status: 'remote',
  timestamp: created,
  error: '',
  attemptCount: 0,
  priorityPin: false
}

const id: Id = {
  id: p1,
  addresses: [ma1],
  clusterPeers: [p1, p2],
  clusterPeersAddresses: [ma3],
  version: '1.1.6',
  commit: '',
  rpcProtocolVersion: '/ipfscluster/1.0/rpc',
  error: '',
  ipfs: { id: ipfs, addresses: [ma2], error: '' },
  peername: 'peer0'
}

const idNoIpfs: Id = {
  id: p2,
  addresses: [],
  clusterPeers: [],
  clusterPeersAddresses: [],
  version: '',
  commit: '',
  rpcProtocolVersion: '',
  error: 'ipfs down',
  ipfs: { id: undefined, addresses: [], error: '' },
  peername: 'go-a'
}

const repoGc: RepoGc = { peer: p1, peername: 'peer0', keys: [{ key: c1, error: '' }, { key: undefined, error: 'bad' }], error: '' }

/** Timestamps compare by instant (Go's decoder gives UTC; ours keeps the offset it was made in). */
const instants = (v: unknown): unknown => v === undefined
  ? undefined
  : JSON.parse(JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
    const raw = this[k]
    if (raw instanceof Timestamp) return `t:${raw.unixNanos}`
    if (typeof raw === 'bigint') return `n:${raw}`
    return x
  }))

const cases: Array<[string, GoCodec<any>, unknown]> = [
  ['pinInfoFull', goTypes.pinInfo, full],
  ['pinInfoMinimal', goTypes.pinInfo, minimal],
  ['id', goTypes.id, id],
  ['idNoIpfs', goTypes.id, idNoIpfs],
  ['cid', goTypes.cid, c1],
  ['statusFilter', goTypes.statusFilter, 16 | 4],
  ['peerIds', goTypes.peerIds, [p1, p2]],
  ['empty', goTypes.empty, undefined],
  ['version', goTypes.version, '1.1.6'],
  ['repoStat', goTypes.repoStat, { repoSize: 1n << 40n, storageMax: 10_000_000_000n }],
  ['repoGc', goTypes.repoGc, repoGc],
  ['timeBefore1970', goTypes.time, Timestamp.parse('1969-07-20T20:17:40.000000005Z')],
  ['timeWholeSeconds', goTypes.time, created],
  ['timeNanos', goTypes.time, seen]
]

describe('Go IPFS Cluster v1.1.6 RPC values, byte for byte', () => {
  it.each(cases)('%s encodes to Go\'s bytes', (name, codec, value) => {
    expect(hex(encodeGoValue(codec, value))).toBe(golden[name])
  })

  it.each(cases)('%s decodes from Go\'s bytes', (name, codec, value) => {
    expect(instants(codec.read(decodeGo(bytes(name))))).toEqual(instants(value))
  })

  it('the call and response headers of go-libp2p-gorpc', () => {
    expect(hex(encodeGoCall('PinTracker.StatusAll'))).toBe(golden.serviceId)
    expect(hex(encodeResponse({ Name: 'Cluster', Method: 'IDStream' }, '', 0, () => {}))).toBe(golden.responseOk)
    expect(hex(encodeResponse({ Name: 'PinTracker', Method: 'Status' }, 'client does not have permissions to call PinTracker.Status', 3, () => {})))
      .toBe(golden.responseAuthError)
  })

  it('writes metadata sorted by key (Go writes maps in random order; it reads any)', () => {
    const written = goTypes.pinInfo.read(decodeGo(encodeGoValue(goTypes.pinInfo, { ...full, metadata: { zz: 'last', a: '1' } })))
    expect(Object.keys(written.metadata ?? {})).toEqual(['a', 'zz'])
  })

  it('reads what Go may also send: bin and str8 strings, unsigned and wider integers, unknown keys', () => {
    // {"c": bin8(cid), "p": str8(peer id), "st": uint16 16, "a": int64 2, "x": "ignored"}
    const w: number[] = [0x85]
    const key = (k: string): void => { w.push(0xa0 | k.length, ...Buffer.from(k)) }
    key('c'); w.push(0xc4, c1.bytes.length, ...c1.bytes)
    const pid = Buffer.from(bytes('peerIds').subarray(4, 4 + 38))
    key('p'); w.push(0xd9, pid.length, ...pid)
    key('st'); w.push(0xcd, 0x00, 0x10)
    key('a'); w.push(0xd3, 0, 0, 0, 0, 0, 0, 0, 2)
    key('x'); w.push(0xa1, 0x78)
    const info = goTypes.pinInfo.read(decodeGo(Uint8Array.from(w)))
    expect(info).toMatchObject({ cid: c1, peer: p1, status: 'pinned', attemptCount: 2 })
  })

  it('refuses values that are not what the type needs, with a message', () => {
    expect(() => goTypes.pinInfo.read(decodeGo(Uint8Array.from([0x81, 0xa1, 0x63, 0xa3, 1, 2, 3])))).toThrow(/cid/)
    expect(() => goTypes.id.read(decodeGo(Uint8Array.from([0x93, 1, 2, 3])))).toThrow(/ID: unexpected/)
    expect(() => goTypes.time.read(Uint8Array.from([1, 2, 3]))).toThrow(/not a msgpack timestamp/)
  })
})

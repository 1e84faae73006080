/**
 * Metrics on `monitor.metrics` in Go's wire form (consensus-crdt.md §7). The hex vectors were
 * written by Go itself: `vectors` by a small Go program encoding ipfs-cluster v1.1.6's
 * `api.Metric` values through ugorji codec v1.2.12's `MsgpackHandle{}` (the encoder pubsubmon
 * uses); CAPTURED_* off the wire from a running Go peer.
 */
import { encode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import { parsePeerId, stringifyJson, encodeMetric, type Metric } from '@cluster/api'
import { decodeMetricMsgpack, encodeMetricMsgpack } from '../src/cluster/metric-msgpack.ts'
import { metricCodec } from '../src/cluster/metrics.ts'

const peer = parsePeerId('12D3KooWHUvNjWQXd6VZQsdLpb9rcy2aZ7phNFe3tCq7bHsPuZLz')
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))

function metric (m: Partial<Metric>): Metric {
  return { name: '', peer: '' as Metric['peer'], value: '', expire: 0n, valid: false, weight: 0, partitionable: false, receivedAt: 0n, ...m }
}

const PEER_HEX = 'da002600240801122071e24ba42a275390f4a6b943e9f3e8794401c11db93e00a83952f05adbe8c4c7'
const PING_VALUE = '{"peer_name":"go-a","ipfs_id":"12D3KooWDuZs1xYVj5kYk9pZ3HcmZy2c1UAW9Zv7s9xqDNXDr4Tk"}'

// [metric, Go's bytes]
const vectors: Array<[string, Metric, string]> = [
  ['ping (str16 value, int64 expire)', metric({ name: 'ping', peer, value: PING_VALUE, expire: 1764800000123456789n, valid: true }),
    '85a16ea470696e67a170' + PEER_HEX + 'a176da0055' + Buffer.from(PING_VALUE).toString('hex') + 'a165d3187dd43ff2f7cd15a164c3'],
  ['freespace (int64 weight)', metric({ name: 'freespace', peer, value: '107374182400', expire: 1764800030000000000n, valid: true, weight: 107374182400 }),
    '86a16ea9667265657370616365a170' + PEER_HEX + 'a176ac313037333734313832343030a165d3187dd446e7bfac00a164c3a177d30000001900000000'],
  ['tag:group (partitionable)', metric({ name: 'tag:group', peer, value: 'default', expire: 1764800030000000000n, valid: true, partitionable: true }),
    '86a16ea97461673a67726f7570a170' + PEER_HEX + 'a176a764656661756c74a165d3187dd446e7bfac00a164c3a16fc3'],
  ['positive ints in signed formats', metric({ name: 'w', peer, expire: 1n, weight: 128 }),
    '84a16ea177a170' + PEER_HEX + 'a16501a177d10080'],
  ['negative ints', metric({ name: 'n', expire: -1n, weight: -33, receivedAt: 32768n }), '84a16ea16ea165ffa177d0dfa174d200008000'],
  ['int boundaries', metric({ name: 'i', expire: 127n, weight: -129, receivedAt: 2147483648n }), '84a16ea169a1657fa177d1ff7fa174d30000000080000000'],
  ['int32', metric({ name: 'j', expire: 65536n, weight: -32769 }), '83a16ea16aa165d200010000a177d2ffff7fff'],
  ['every field empty', metric({}), '80'],
  ['fixstr up to 31 bytes, str16 from 32', metric({ name: '0123456789012345678901234567890', value: '01234567890123456789012345678901' }),
    '82a16ebf30313233343536373839303132333435363738393031323334353637383930a176da00203031323334353637383930313233343536373839303132333435363738393031'],
  ['received_at set', metric({ valid: true, receivedAt: 1764800000999999999n }), '82a164c3a174d3187dd4402736c9ff']
]

// Captured off the wire: what a running Go ipfs-cluster-service v1.1.6 (peer name go-a, Kubo
// attached) published on monitor.metrics (the bare subscriber of crdt-go-interop.spec.ts).
const CAPTURED_PING = '85a16ea470696e67a170da0026002408011220356722186566a34243662e914098ecff96a758746c973765f3a1c60d15099f9ea176da00557b22706565725f6e616d65223a22676f2d61222c22697066735f6964223a22313244334b6f6f574a323374596a58336d364d57657277683544636b586d3832395a45654867614456736f7561324366535a6671227da165d318eddf743b9a24c8a164c3'
const CAPTURED_FREESPACE = '86a16ea9667265657370616365a170da0026002408011220356722186566a34243662e914098ecff96a758746c973765f3a1c60d15099f9ea176a9393939393739373834a165d318eddf7b73da3752a164c3a177d23b9a7b08'

describe('metrics in Go msgpack', () => {
  it.each(vectors)('encodes %s as Go does', (_, m, goHex) => {
    expect(hex(encodeMetricMsgpack(m))).toBe(goHex)
  })

  it.each(vectors.filter(([, m]) => m.peer !== ''))('decodes Go\'s %s', (_, m, goHex) => {
    expect(decodeMetricMsgpack(bytes(goHex))).toEqual(m)
    expect(metricCodec.decode(bytes(goHex))).toEqual(m)
  })

  it('decodes metrics captured from a running Go peer and re-encodes them to the same bytes', () => {
    const ping = decodeMetricMsgpack(bytes(CAPTURED_PING))
    expect(ping).toMatchObject({ name: 'ping', valid: true, weight: 0, partitionable: false, receivedAt: 0n })
    expect(JSON.parse(ping.value)).toEqual({ peer_name: 'go-a', ipfs_id: '12D3KooWJ23tYjX3m6MWerwh5DckXm829ZEeHgaDVsoua2CfSZfq' })
    expect(ping.expire).toBe(0x18eddf743b9a24c8n)
    const freespace = decodeMetricMsgpack(bytes(CAPTURED_FREESPACE))
    expect(freespace).toMatchObject({ name: 'freespace', peer: ping.peer, value: '999979784', valid: true, weight: 0x3b9a7b08 })
    expect(hex(encodeMetricMsgpack(ping))).toBe(CAPTURED_PING)
    expect(hex(encodeMetricMsgpack(freespace))).toBe(CAPTURED_FREESPACE)
  })

  it('writes a 300-byte value as str16 (Go: da 01 2c)', () => {
    expect(hex(encodeMetricMsgpack(metric({ name: 'l', value: 'x'.repeat(300) }))).slice(0, 40)).toBe('82a16ea16ca176da012c78787878787878787878')
  })

  it('accepts the old /msgpack multicodec header', () => {
    const [, m, goHex] = vectors[0]!
    expect(decodeMetricMsgpack(bytes('092f6d73677061636b0a' + goHex))).toEqual(m)
  })

  it('reads what other msgpack writers produce: bin and str8 strings, uint formats, fraction-less floats, unknown keys', () => {
    const written = encode({ n: new TextEncoder().encode('ping'), p: Buffer.from(PEER_HEX.slice(6), 'hex'), v: 'x'.repeat(40), e: 1764800000123456789n, d: true, w: 200, o: false, t: 5.0, extra: [1, 2] }, { useBigInt64: true })
    expect(hex(written)).toContain('d928') // str8 value
    expect(decodeMetricMsgpack(written)).toEqual(metric({ name: 'ping', peer, value: 'x'.repeat(40), expire: 1764800000123456789n, valid: true, weight: 200, receivedAt: 5n }))
  })

  it('refuses a metric without a valid binary peer ID', () => {
    expect(() => decodeMetricMsgpack(bytes('81a16ea470696e67'))).toThrow(/peer/)
    expect(() => decodeMetricMsgpack(bytes('82a16ea470696e67a170a3010203'))).toThrow()
    expect(() => decodeMetricMsgpack(bytes('93010203'))).toThrow(/map/)
  })

  it('still reads the JSON of older TS peers', () => {
    const m = metric({ name: 'ping', peer, value: '{}', expire: 1764800000123456789n, valid: true, receivedAt: 7n })
    expect(metricCodec.decode(new TextEncoder().encode(stringifyJson(encodeMetric(m))))).toEqual(m)
  })

  it('round-trips through the codec the monitor uses', () => {
    const m = metric({ name: 'pinqueue', peer, value: '3', expire: 1764800030000000000n, valid: true, weight: -3 })
    expect(metricCodec.decode(metricCodec.encode(m))).toEqual(m)
  })
})

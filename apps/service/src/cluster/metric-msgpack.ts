/**
 * A metric on the `monitor.metrics` topic in Go's wire form (consensus-crdt.md §7): one msgpack
 * map written by ugorji's `MsgpackHandle{}` defaults — keys `n p v e d w o t` in that order, every
 * field `omitempty`, strings and the binary peer ID in the legacy raw str family (fixstr, str16,
 * str32; never str8 or bin, because `WriteExt` is false), integers in the smallest *signed* format.
 *
 * Decoding uses `@msgpack/msgpack` (any msgpack Go may send: str or bin, any int width, floats
 * without fraction). Encoding is the small writer below, because no msgpack library writes
 * ugorji's legacy bytes: `@msgpack/msgpack` (like msgpackr) uses str8 for 32–255-byte strings and
 * the unsigned formats for non-negative integers, where Go writes str16 and int16/32/64. Go reads
 * either, but byte-identical messages keep Go's and our metrics indistinguishable on the wire.
 */
import { decode } from '@msgpack/msgpack'
import { base58btc } from 'multiformats/bases/base58'
import { parsePeerId, peerIdToBytes, type Metric, type PeerId } from '@cluster/api'

/** The multicodec header of pre-v0.13.3 Go peers, still accepted by Go's decoder. */
const MULTICODEC_PREFIX = new Uint8Array([9, ...new TextEncoder().encode('/msgpack\n')])

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

const INT8_MIN = -128n
const INT16_MIN = -32768n
const INT16_MAX = 32767n
const INT32_MIN = -2147483648n
const INT32_MAX = 2147483647n
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Appends msgpack bytes the way ugorji's msgpackEncDriver does with `WriteExt` false. */
class UgorjiWriter {
  private readonly parts: number[] = []

  mapHeader (n: number): void {
    // A metric has at most 8 fields: always a fixmap.
    this.parts.push(0x80 | n)
  }

  /** Raw string (text or binary): fixstr < 32 bytes, else str16, else str32. */
  raw (bytes: Uint8Array): void {
    const n = bytes.length
    if (n < 32) this.parts.push(0xa0 | n)
    else if (n < 0x10000) this.parts.push(0xda, n >> 8, n & 0xff)
    else this.parts.push(0xdb, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
    for (const b of bytes) this.parts.push(b)
  }

  /** ugorji's EncodeInt: fixints, then the smallest of int8/16/32/64 (never the uint formats). */
  int (value: bigint): void {
    if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`${value} does not fit an int64`)
    if (value > 127n) {
      if (value <= INT16_MAX) this.be(0xd1, value, 2)
      else if (value <= INT32_MAX) this.be(0xd2, value, 4)
      else this.be(0xd3, value, 8)
    } else if (value >= -32n) {
      this.parts.push(Number(value) & 0xff)
    } else if (value >= INT8_MIN) {
      this.be(0xd0, value, 1)
    } else if (value >= INT16_MIN) {
      this.be(0xd1, value, 2)
    } else if (value >= INT32_MIN) {
      this.be(0xd2, value, 4)
    } else {
      this.be(0xd3, value, 8)
    }
  }

  bool (value: boolean): void {
    this.parts.push(value ? 0xc3 : 0xc2)
  }

  bytes (): Uint8Array {
    return Uint8Array.from(this.parts)
  }

  private be (tag: number, value: bigint, size: number): void {
    this.parts.push(tag)
    const v = BigInt.asUintN(size * 8, value)
    for (let i = size - 1; i >= 0; i--) this.parts.push(Number((v >> BigInt(i * 8)) & 0xffn))
  }
}

/** Go's bytes for a metric (`api.Metric` through ugorji msgpack). */
export function encodeMetricMsgpack (m: Metric): Uint8Array {
  const fields: Array<[string, (w: UgorjiWriter) => void]> = []
  if (m.name !== '') fields.push(['n', w => { w.raw(utf8.encode(m.name)) }])
  if (m.peer !== '') fields.push(['p', w => { w.raw(peerIdToBytes(m.peer)) }])
  if (m.value !== '') fields.push(['v', w => { w.raw(utf8.encode(m.value)) }])
  if (m.expire !== 0n) fields.push(['e', w => { w.int(m.expire) }])
  if (m.valid) fields.push(['d', w => { w.bool(true) }])
  if (m.weight !== 0) fields.push(['w', w => { w.int(BigInt(m.weight)) }])
  if (m.partitionable) fields.push(['o', w => { w.bool(true) }])
  if (m.receivedAt !== 0n) fields.push(['t', w => { w.int(m.receivedAt) }])
  const w = new UgorjiWriter()
  w.mapHeader(fields.length)
  for (const [key, write] of fields) {
    w.raw(utf8.encode(key))
    write(w)
  }
  return w.bytes()
}

/** Whether the bytes carry the old `09 "/msgpack\n"` multicodec header. */
function hasMulticodecPrefix (bytes: Uint8Array): boolean {
  if (bytes.length < MULTICODEC_PREFIX.length) return false
  return MULTICODEC_PREFIX.every((b, i) => bytes[i] === b)
}

/**
 * Reads a metric as Go's decoder does: unknown keys ignored, absent keys zero, strings from str
 * or bin, integers of any width (and floats without a fraction), nil as zero. The peer must be a
 * valid binary peer ID (Go drops the metric otherwise); a metric without a peer is refused.
 */
export function decodeMetricMsgpack (bytes: Uint8Array): Metric {
  const body = hasMulticodecPrefix(bytes) ? bytes.subarray(MULTICODEC_PREFIX.length) : bytes
  const obj = decode(body, { rawStrings: true, useBigInt64: true })
  if (obj === null || typeof obj !== 'object' || obj instanceof Uint8Array || Array.isArray(obj) || obj instanceof Map) {
    throw new TypeError('metric: not a msgpack map')
  }
  const map = obj as Record<string, unknown>
  const peer = readPeer(map.p)
  return {
    name: readText(map.n, 'n'),
    peer,
    value: readText(map.v, 'v'),
    expire: readInt(map.e, 'e'),
    valid: readBool(map.d, 'd'),
    weight: Number(readInt(map.w, 'w')),
    partitionable: readBool(map.o, 'o'),
    receivedAt: readInt(map.t, 't')
  }
}

function readText (v: unknown, key: string): string {
  if (v === undefined || v === null) return ''
  if (v instanceof Uint8Array) return fromUtf8.decode(v)
  if (typeof v === 'string') return v
  throw new TypeError(`metric: ${key} is not a string`)
}

function readPeer (v: unknown): PeerId {
  if (!(v instanceof Uint8Array) || v.length === 0) throw new TypeError('metric: no peer')
  // parsePeerId validates the multihash, like Go's peer.IDFromBytes.
  return parsePeerId(base58btc.baseEncode(v))
}

function readInt (v: unknown, key: string): bigint {
  if (v === undefined || v === null) return 0n
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`metric: ${key} overflows int64`)
    return v
  }
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  throw new TypeError(`metric: ${key} is not an integer`)
}

function readBool (v: unknown, key: string): boolean {
  if (v === undefined || v === null) return false
  if (typeof v === 'boolean') return v
  throw new TypeError(`metric: ${key} is not a bool`)
}

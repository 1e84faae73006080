/**
 * msgpack as Go IPFS Cluster writes it: ugorji's `MsgpackHandle{}` with its defaults
 * (`WriteExt` false). Strings and binary values share the legacy raw family (fixstr, str16,
 * str32; never str8 or bin), integers take the smallest *signed* format, `time.Time` is the
 * msgpack timestamp payload under a raw header (nil for Go's zero time), structs are maps keyed
 * by their `codec` tags.
 *
 * No msgpack library writes these bytes: `@msgpack/msgpack` and msgpackr use str8 for 32–255-byte
 * strings, bin for bytes and the unsigned formats for non-negative integers. Go reads either, so
 * decoding uses `@msgpack/msgpack` (`decodeGo` below); writing uses this small writer so that what
 * we send is byte-identical to what a Go peer sends.
 */
import { decode, decodeMultiStream, type DecoderOptions } from '@msgpack/msgpack'

const INT8_MIN = -128n
const INT16_MIN = -32768n
const INT16_MAX = 32767n
const INT32_MIN = -2147483648n
const INT32_MAX = 2147483647n
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

const utf8 = new TextEncoder()

/** Appends msgpack bytes the way ugorji's msgpackEncDriver does with `WriteExt` false. */
export class UgorjiWriter {
  private buf = new Uint8Array(256)
  private len = 0

  /** A map header for `n` entries (fixmap, map16, map32). */
  mapHeader (n: number): this {
    return this.containerHeader(n, 0x80, 0xde, 0xdf)
  }

  /** An array header for `n` items (fixarray, array16, array32). */
  arrayHeader (n: number): this {
    return this.containerHeader(n, 0x90, 0xdc, 0xdd)
  }

  /** Raw bytes (text or binary): fixstr < 32 bytes, else str16, else str32. */
  raw (bytes: Uint8Array): this {
    const n = bytes.length
    if (n < 32) this.push(0xa0 | n)
    else if (n < 0x10000) this.push(0xda, n >> 8, n & 0xff)
    else this.push(0xdb, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
    this.append(bytes)
    return this
  }

  /** A string, as UTF-8 raw bytes. */
  str (text: string): this {
    return this.raw(utf8.encode(text))
  }

  /** ugorji's EncodeInt: fixints, then the smallest of int8/16/32/64 (never the uint formats). */
  int (value: bigint | number): this {
    const v = BigInt(value)
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`${v} does not fit an int64`)
    if (v > 127n) {
      if (v <= INT16_MAX) this.be(0xd1, v, 2)
      else if (v <= INT32_MAX) this.be(0xd2, v, 4)
      else this.be(0xd3, v, 8)
    } else if (v >= -32n) {
      this.push(Number(v) & 0xff)
    } else if (v >= INT8_MIN) {
      this.be(0xd0, v, 1)
    } else if (v >= INT16_MIN) {
      this.be(0xd1, v, 2)
    } else if (v >= INT32_MIN) {
      this.be(0xd2, v, 4)
    } else {
      this.be(0xd3, v, 8)
    }
    return this
  }

  /** ugorji's EncodeUint (Go `uint64` fields): positive fixint, else the smallest uint format. */
  uint (value: bigint | number): this {
    const v = BigInt(value)
    if (v < 0n || v > UINT64_MAX) throw new RangeError(`${v} does not fit a uint64`)
    if (v <= 127n) this.push(Number(v))
    else if (v <= 0xffn) this.be(0xcc, v, 1)
    else if (v <= 0xffffn) this.be(0xcd, v, 2)
    else if (v <= 0xffffffffn) this.be(0xce, v, 4)
    else this.be(0xcf, v, 8)
    return this
  }

  /** A float64 (Go `float64` fields). */
  float (value: number): this {
    this.push(0xcb)
    const b = new Uint8Array(8)
    new DataView(b.buffer).setFloat64(0, value)
    this.append(b)
    return this
  }

  bool (value: boolean): this {
    this.push(value ? 0xc3 : 0xc2)
    return this
  }

  nil (): this {
    this.push(0xc0)
    return this
  }

  /**
   * A `time.Time` from Unix nanoseconds: ugorji's EncodeTime (UTC; 4, 8 or 12 bytes of the msgpack
   * timestamp format under a raw header). Pass `undefined` for Go's zero time: nil.
   */
  time (unixNanos: bigint | undefined): this {
    if (unixNanos === undefined) return this.nil()
    const sec = unixNanos / 1_000_000_000n - (unixNanos % 1_000_000_000n < 0n ? 1n : 0n)
    const nsec = unixNanos - sec * 1_000_000_000n
    if (sec >= 0n && sec >> 34n === 0n) {
      const data64 = (nsec << 34n) | sec
      if ((data64 & 0xffffffff00000000n) === 0n) {
        this.push(0xa4)
        this.fixed(data64, 4)
      } else {
        this.push(0xa8)
        this.fixed(data64, 8)
      }
    } else {
      this.push(0xac)
      this.fixed(nsec, 4)
      this.fixed(BigInt.asUintN(64, sec), 8)
    }
    return this
  }

  /** Bytes already in msgpack form (a nested value written by another writer). */
  encoded (bytes: Uint8Array): this {
    this.append(bytes)
    return this
  }

  bytes (): Uint8Array {
    return this.buf.slice(0, this.len)
  }

  private containerHeader (n: number, fix: number, c16: number, c32: number): this {
    if (n < 16) this.push(fix | n)
    else if (n < 0x10000) this.push(c16, n >> 8, n & 0xff)
    else this.push(c32, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
    return this
  }

  private be (tag: number, value: bigint, size: number): void {
    this.push(tag)
    this.fixed(value, size)
  }

  private fixed (value: bigint, size: number): void {
    const v = BigInt.asUintN(size * 8, value)
    this.reserve(size)
    for (let i = size - 1; i >= 0; i--) this.buf[this.len++] = Number((v >> BigInt(i * 8)) & 0xffn)
  }

  private push (...bytes: number[]): void {
    this.reserve(bytes.length)
    for (const b of bytes) this.buf[this.len++] = b
  }

  private append (bytes: Uint8Array): void {
    this.reserve(bytes.length)
    this.buf.set(bytes, this.len)
    this.len += bytes.length
  }

  private reserve (n: number): void {
    if (this.len + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n))
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }
}

/**
 * Writes a Go struct: a map of the fields that are set, in declaration order (ugorji writes
 * `omitempty` fields only when not empty). Each entry is `[codec key, writer]`, or undefined when
 * the field is empty.
 */
export function writeStruct (w: UgorjiWriter, fields: ReadonlyArray<readonly [string, (w: UgorjiWriter) => void] | undefined>): UgorjiWriter {
  const present = fields.filter(f => f !== undefined)
  w.mapHeader(present.length)
  for (const [key, write] of present) {
    w.str(key)
    write(w)
  }
  return w
}

/**
 * How Go's values look after decoding: strings stay bytes (peer IDs and CIDs travel in str
 * headers), 64-bit integers are bigints. The limits refuse a hostile length header before any
 * memory is set aside for it (a block is at most a few MiB; a status stream sends one PinInfo per
 * value).
 */
const DECODE_OPTIONS: DecoderOptions = {
  rawStrings: true,
  useBigInt64: true,
  maxStrLength: 16 * 1024 * 1024,
  maxBinLength: 16 * 1024 * 1024,
  maxArrayLength: 1_000_000,
  maxMapLength: 1_000_000
}

/** One msgpack value as Go sends it. */
export function decodeGo (bytes: Uint8Array): unknown {
  return decode(bytes, DECODE_OPTIONS)
}

/** Consecutive msgpack values off a byte stream (a gorpc stream is exactly that). */
export function decodeGoStream (source: AsyncIterable<Uint8Array | ArrayLike<number>>): AsyncGenerator<unknown, void, unknown> {
  return decodeMultiStream(source, DECODE_OPTIONS)
}

/**
 * CIDs: parsed and printed like Go's go-cid. v0 stays `Qm…` base58btc; v1 accepts any multibase
 * and prints base32 (`b…`). An undefined CID is `undefined` in TS and `null` on the wire.
 */
import { CID } from 'multiformats/cid'
import { bases } from 'multiformats/basics'
import type { MultibaseDecoder } from 'multiformats/bases/interface'
import { base58btc } from 'multiformats/bases/base58'
import { InvalidCidError } from './errors.ts'
import { readUvarint, validateMultihash } from './multihash.ts'

export { CID }

// The multibase prefixes go-multibase supports (no base8, base10 or base32z).
const GO_PREFIXES: ReadonlySet<string> = new Set(['\x00', '0', 'f', 'F', 'b', 'B', 'c', 'C', 'v', 'V', 't', 'T', 'k', 'K', 'z', 'Z', 'm', 'u', 'M', 'U', '\u{1F680}'])

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/**
 * Unpadded RFC 4648 base32 decoding as Go's go-multibase does it: trailing bits that do not make
 * a whole byte are dropped (multiformats rejects them), so truncated CIDs fail later with Go's
 * CID-level message.
 */
function decodeBase32 (data: string, upper: boolean): Uint8Array {
  const out = new Uint8Array(Math.floor(data.length * 5 / 8))
  let bits = 0
  let acc = 0
  let n = 0
  for (let i = 0; i < data.length; i++) {
    const ch = upper ? data[i]!.toLowerCase() : data[i]!
    const v = BASE32.indexOf(ch)
    if (v < 0 || (upper && data[i] !== data[i]!.toUpperCase())) throw new Error(`illegal base32 data at input byte ${i}`)
    acc = ((acc << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[n++] = (acc >> bits) & 0xff
    }
  }
  return out.subarray(0, n)
}

/** Go's hex.DecodeString (either case), with its error texts: a bad byte before an odd length. */
function decodeBase16 (data: string): Uint8Array {
  const nibble = (i: number): number => {
    const c = data.charCodeAt(i)
    if (c >= 48 && c <= 57) return c - 48
    if (c >= 97 && c <= 102) return c - 87
    if (c >= 65 && c <= 70) return c - 55
    const cp = data.codePointAt(i) as number
    throw new Error(`encoding/hex: invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(cp)}'`)
  }
  const out = new Uint8Array(Math.floor(data.length / 2))
  for (let i = 0; i < out.length; i++) out[i] = (nibble(2 * i) << 4) | nibble(2 * i + 1)
  if (data.length % 2 === 1) {
    nibble(data.length - 1)
    throw new Error('encoding/hex: odd length hex string')
  }
  return out
}

/** The multibase codec whose prefix starts `text` (Go's go-multibase knows the same set). */
function findBase (text: string): MultibaseDecoder<string> | undefined {
  if (text[0] === 'f' || text[0] === 'F') {
    return { decode: (t: string) => decodeBase16(t.slice(1)) } as unknown as MultibaseDecoder<string>
  }
  if (text[0] === 'b' || text[0] === 'B') {
    const upper = text[0] === 'B'
    return { decode: (t: string) => decodeBase32(t.slice(1), upper) } as unknown as MultibaseDecoder<string>
  }
  for (const codec of Object.values(bases)) {
    if (GO_PREFIXES.has(codec.prefix) && text.startsWith(codec.prefix)) return codec.decoder
  }
  return undefined
}

/** Go's cid.CidFromBytes checks, with its messages; returns the CID's length in bytes. */
function checkCidBytes (bytes: Uint8Array): number {
  if (bytes.length > 2 && bytes[0] === 0x12 && bytes[1] === 32) {
    if (bytes.length < 34) throw new Error('not enough bytes for cid v0')
    return 34
  }
  const [version, afterVersion] = readUvarint(bytes, 0)
  if (version !== 1) throw new Error(`expected 1 as the cid version number, got: ${version}`)
  const [, afterCodec] = readUvarint(bytes, afterVersion)
  const mh = bytes.subarray(afterCodec)
  if (mh.length < 2) throw new Error('multihash too short. must be >= 2 bytes')
  const [, afterCode] = readUvarint(mh, 0)
  const [length, afterLength] = readUvarint(mh, afterCode)
  if (length > 0x7fffffff) throw new Error('digest too long, supporting only <= 2^31-1')
  if (length > mh.length - afterLength) throw new Error('length greater than remaining number of bytes in buffer')
  return afterCodec + afterLength + length
}

/**
 * A CID from its binary form, checked as Go's cid.Cast does (no trailing bytes). The CID gets a
 * copy: a view would keep the whole buffer it was read from (a message, a block) alive with it.
 */
export function castCid (bytes: Uint8Array): CID {
  return castOwnedBytes(bytes.slice())
}

/** castCid for bytes nothing else holds (freshly decoded from text): no copy needed. */
function castOwnedBytes (bytes: Uint8Array): CID {
  let length: number
  try {
    length = checkCidBytes(bytes)
  } catch (err) {
    throw new InvalidCidError(`invalid cid: invalid cid: ${(err as Error).message}`, { cause: err })
  }
  if (length !== bytes.length) throw new InvalidCidError('invalid cid: trailing bytes in data buffer passed to cid Cast')
  try {
    return CID.decode(bytes)
  } catch (err) {
    throw new InvalidCidError(`invalid cid: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * A CID written the way it prints (v0 `Qm…`, v1 lowercase base32), through multiformats' parser,
 * which keeps the text: printing the CID again (every listing and every RPC answer does) costs
 * nothing instead of a base32 encoding. Undefined when the text is anything else or fails a check
 * (the full parser below then gives Go's error).
 */
function canonicalCid (text: string): CID | undefined {
  if (text[0] !== 'b' && !(text.length === 46 && text.startsWith('Qm'))) return undefined
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch {
    return undefined
  }
  try {
    if (cid.version === 0) validateMultihash(cid.bytes)
    else if (checkCidBytes(cid.bytes) !== cid.bytes.length) return undefined
  } catch {
    return undefined
  }
  return cid
}

/**
 * Parses a CID string as Go's cid.Decode does. Throws InvalidCidError whose message is Go's
 * (the REST layer prefixes it with `error decoding Cid: `).
 */
export function parseCid (text: string): CID {
  if (text.length < 2) throw new InvalidCidError('invalid cid: cid too short')
  const canonical = canonicalCid(text)
  if (canonical !== undefined) return canonical
  if (text.length === 46 && text.startsWith('Qm')) {
    let bytes: Uint8Array
    try {
      bytes = base58btc.baseDecode(text)
    } catch (err) {
      throw new InvalidCidError("invalid cid: input isn't valid multihash", { cause: err })
    }
    try {
      validateMultihash(bytes)
    } catch (err) {
      throw new InvalidCidError(`invalid cid: ${(err as Error).message}`, { cause: err })
    }
    return castOwnedBytes(bytes)
  }
  const base = findBase(text)
  if (base === undefined) throw new InvalidCidError('invalid cid: selected encoding not supported')
  let bytes: Uint8Array
  try {
    bytes = base.decode(text)
  } catch (err) {
    throw new InvalidCidError(`invalid cid: ${(err as Error).message}`, { cause: err })
  }
  return castOwnedBytes(bytes)
}

const BASE32_ASCII = new TextEncoder().encode(BASE32)
let scratch = Buffer.allocUnsafe(128)

/**
 * RFC 4648 base32, lower case, unpadded, after `prefix` (ASCII): table-driven into a scratch
 * buffer, about 10× faster than multiformats' generic encoder (which dominated the status of big
 * pinsets).
 */
export function base32Lower (bytes: Uint8Array, prefix = ''): string {
  const size = prefix.length + Math.ceil(bytes.length * 8 / 5)
  if (size > scratch.length) scratch = Buffer.allocUnsafe(size)
  let n = scratch.write(prefix, 'latin1')
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | (bytes[i] as number)) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      scratch[n++] = BASE32_ASCII[(buffer >>> bits) & 31] as number
    }
  }
  if (bits > 0) scratch[n++] = BASE32_ASCII[(buffer << (5 - bits)) & 31] as number
  return scratch.toString('latin1', 0, n)
}

/**
 * The canonical string of a CID (Go's String(), the same as `cid.toString()`): v0 base58btc, v1
 * base32. v1 is encoded each time instead of through `cid.toString()`, whose cache adds a Map
 * (~200 bytes) to every CID it prints, and a pinset keeps its CIDs for long.
 */
export function cidToString (cid: CID): string {
  return cid.version === 1 ? base32Lower(cid.bytes, 'b') : cid.toString()
}

/** Whether two CIDs are equal by value (same version, codec and multihash). */
export function cidEquals (a: CID | undefined, b: CID | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.equals(b)
}

/** Whether a value is a multiformats CID (any copy of the class). */
export function isCid (value: unknown): value is CID {
  return CID.asCID(value) !== null
}

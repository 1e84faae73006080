/**
 * CIDs: parsed and printed like Go's go-cid. v0 stays `Qm…` base58btc; v1 accepts any multibase
 * and prints base32 (`b…`). An undefined CID is `undefined` in TS and `null` on the wire.
 */
import { CID } from 'multiformats/cid'
import { bases } from 'multiformats/basics'
import type { MultibaseDecoder } from 'multiformats/bases/interface'
import { base58btc } from 'multiformats/bases/base58'
import { Digest } from 'multiformats/hashes/digest'
import { InvalidCidError } from './errors.ts'
import { base32Lower } from './base32.ts'
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
  // The multihash is read in place, without a view of it (a hot path: every CID parsed).
  if (bytes.length - afterCodec < 2) throw new Error('multihash too short. must be >= 2 bytes')
  const [, afterCode] = readUvarint(bytes, afterCodec)
  const [length, afterLength] = readUvarint(bytes, afterCode)
  if (length > 0x7fffffff) throw new Error('digest too long, supporting only <= 2^31-1')
  if (length > bytes.length - afterLength) throw new Error('length greater than remaining number of bytes in buffer')
  return afterLength + length
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
    return cidOver(bytes)
  } catch (err) {
    throw new InvalidCidError(`invalid cid: ${(err as Error).message}`, { cause: err })
  }
}

const DAG_PB = 0x70
const SHA2_256 = 0x12

/**
 * The CID that `bytes` are, exactly (checkCidBytes passed, nothing after it), built over them:
 * its digest is a view of them. multiformats' CID.decode would encode a v1 CID's bytes again,
 * which costs a second buffer per CID and about half of a parse.
 */
function cidOver (bytes: Uint8Array): CID {
  if (bytes[0] === SHA2_256 && bytes[1] === 32) return new CID(0, DAG_PB, new Digest(SHA2_256, 32, bytes.subarray(2), bytes), bytes) as CID
  const [, afterVersion] = readUvarint(bytes, 0)
  const [code, afterCodec] = readUvarint(bytes, afterVersion)
  const multihash = bytes.subarray(afterCodec)
  const [hashCode, afterHashCode] = readUvarint(multihash, 0)
  const [size, afterSize] = readUvarint(multihash, afterHashCode)
  // Codes beyond 2^53 do not fit a number: multiformats' own decoder says what it makes of them.
  if (!Number.isSafeInteger(code) || !Number.isSafeInteger(hashCode)) return CID.decode(bytes)
  return new CID(1, code, new Digest(hashCode, size, multihash.subarray(afterSize), multihash), bytes) as CID
}

/** Each base32 character's value (-1: not in the lowercase alphabet), by char code. */
const BASE32_VALUES = (() => {
  const values = new Int8Array(128).fill(-1)
  for (let i = 0; i < BASE32.length; i++) values[BASE32.charCodeAt(i)] = i
  return values
})()

/**
 * `text` after its one-character prefix as strict lowercase unpadded base32: undefined for any
 * other character or for leftover bits that are not zero (what multiformats refuses too).
 */
function decodeBase32Strict (text: string): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor((text.length - 1) * 5 / 8))
  let acc = 0
  let bits = 0
  let n = 0
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const v = c < 128 ? BASE32_VALUES[c] as number : -1
    if (v < 0) return undefined
    acc = ((acc << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[n++] = acc >> bits
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return undefined
  return out
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const BASE58_ASCII = new TextEncoder().encode(BASE58)
const BASE58_VALUES = (() => {
  const values = new Int8Array(128).fill(-1)
  for (let i = 0; i < BASE58.length; i++) values[BASE58.charCodeAt(i)] = i
  return values
})()

/** Scratch for the base58 number of a `Qm…` text: 18 limbs of 16 bits (288 bits). */
const qmLimbs = new Float64Array(18)

/**
 * A 46-character `Qm…` text as the 34 bytes of a sha2-256 multihash (a v0 CID), undefined when it
 * is anything else. Five characters at a time into 16-bit limbs: several times faster than the
 * generic base58 decoder, which took most of a v0 parse.
 */
function decodeQm (text: string): Uint8Array | undefined {
  const limbs = qmLimbs.fill(0) // little-endian here
  for (let i = 0; i < text.length;) {
    let chunk = 0
    let scale = 1
    for (let k = 0; k < 5 && i < text.length; k++, i++) {
      const c = text.charCodeAt(i)
      const v = c < 128 ? BASE58_VALUES[c] as number : -1
      if (v < 0) return undefined
      chunk = chunk * 58 + v
      scale *= 58
    }
    let carry = chunk
    for (let j = 0; j < limbs.length; j++) {
      const x = (limbs[j] as number) * scale + carry // < 2^46: exact in a double
      carry = Math.floor(x / 65536)
      limbs[j] = x - carry * 65536 // not %: a double's remainder is a slow call
    }
    if (carry !== 0) return undefined
  }
  if (limbs[17] !== 0) return undefined
  const out = new Uint8Array(34)
  for (let j = 0; j < 17; j++) {
    const limb = limbs[j] as number
    out[33 - 2 * j] = limb & 0xff
    out[32 - 2 * j] = limb >> 8
  }
  return out[0] === SHA2_256 && out[1] === 32 ? out : undefined
}

/**
 * A CID written the way it prints (v0 `Qm…`, v1 lowercase base32): decoded by a table and built
 * over its own bytes, the path of nearly every CID a peer reads (REST paths and bodies, stored
 * pins, listings from Kubo and from other peers). Undefined when the text is anything else or
 * fails a check (the full parser below then gives Go's error).
 */
function canonicalCid (text: string): CID | undefined {
  let bytes: Uint8Array | undefined
  if (text.charCodeAt(0) === 98) { // 'b'
    bytes = decodeBase32Strict(text)
  } else if (text.length === 46 && text.startsWith('Qm')) {
    bytes = decodeQm(text)
  }
  if (bytes === undefined) return undefined
  try {
    if (checkCidBytes(bytes) !== bytes.length) return undefined
    const cid = cidOver(bytes)
    // Only a v1 CID prints in base32 and only a v0 one as `Qm…`.
    return (cid.version === 0) === (text[0] === 'Q') ? cid : undefined
  } catch {
    return undefined
  }
}

/** CIDs parsed lately from their canonical text, both ways. */
interface RecentCids { byText: Map<string, CID>, textOf: Map<CID, string> }

/**
 * How many CIDs one generation of the recent ones holds; two are kept. The peer answering
 * `GET /pins` reads each CID three times close together (from its pinset and from each member's
 * status stream) and prints it twice more (the merge's key, the line out): with these it parses
 * and prints most CIDs once. A CID is kept with the text it came from; nothing is kept of one made
 * otherwise (from bytes, from other text). Measured at 100k pins: 4,096 held a peer at rest
 * 23 MiB higher and made the listing no faster than 1,024.
 */
const RECENT_CIDS = 1024
let recent: RecentCids = { byText: new Map(), textOf: new Map() }
let older: RecentCids = { byText: new Map(), textOf: new Map() }
let keepRecent = true

/**
 * Whether parseCid keeps the CIDs it parsed lately (on by default). A program that reads each CID
 * once (the ctl listing a pinset) turns it off: kept a moment, every CID outlives V8's young
 * generation and fills the old one with garbage (a 300k-pin `pin ls` held 220 MB RSS, 85 without).
 */
export function keepRecentCids (on: boolean): void {
  keepRecent = on
  if (!on) {
    recent = { byText: new Map(), textOf: new Map() }
    older = { byText: new Map(), textOf: new Map() }
  }
}

function remember (text: string, cid: CID): void {
  if (!keepRecent) return
  if (recent.byText.size >= RECENT_CIDS) {
    older = recent
    recent = { byText: new Map(), textOf: new Map() }
  }
  recent.byText.set(text, cid)
  recent.textOf.set(cid, text)
}

/**
 * Parses a CID string as Go's cid.Decode does. Throws InvalidCidError whose message is Go's
 * (the REST layer prefixes it with `error decoding Cid: `).
 */
export function parseCid (text: string): CID {
  const known = recent.byText.get(text) ?? older.byText.get(text)
  if (known !== undefined) return known
  if (text.length < 2) throw new InvalidCidError('invalid cid: cid too short')
  const canonical = canonicalCid(text)
  if (canonical !== undefined) {
    remember(text, canonical)
    return canonical
  }
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

/** 58^5: five base58 digits per division of the limbs. */
const BASE58_5 = 58 ** 5
const qmDigits = Buffer.allocUnsafe(50)

/**
 * The `Qm…` text of a v0 CID's 34 bytes: the 16-bit limbs divided by 58^5 at a time, several
 * times faster than the generic base58 encoder.
 */
function encodeQm (bytes: Uint8Array): string {
  const limbs = qmLimbs // big-endian here
  for (let j = 0; j < 17; j++) limbs[j] = ((bytes[2 * j] as number) << 8) | (bytes[2 * j + 1] as number)
  let n = qmDigits.length
  for (let pass = 0; pass < 10; pass++) {
    let rem = 0
    for (let j = 0; j < 17; j++) {
      const x = rem * 65536 + (limbs[j] as number) // < 58^5 · 2^16 < 2^46: exact in a double
      const q = Math.floor(x / BASE58_5)
      limbs[j] = q
      rem = x - q * BASE58_5 // not %: a double's remainder is a slow call
    }
    for (let k = 0; k < 5; k++) {
      const q = (rem / 58) | 0 // rem < 2^30
      qmDigits[--n] = BASE58_ASCII[rem - q * 58] as number
      rem = q
    }
  }
  // 50 digits hold 2^272 and more; a v0 CID (first byte 0x12) needs 46, the rest are zeros ('1').
  while (n < qmDigits.length && qmDigits[n] === 49) n++
  return qmDigits.toString('latin1', n)
}

/**
 * The canonical string of a CID (Go's String(), the same as `cid.toString()`): v0 base58btc, v1
 * base32. Encoded each time instead of through `cid.toString()`, whose cache adds a Map (~200
 * bytes) to every CID it prints, and a pinset keeps its CIDs for long.
 */
export function cidToString (cid: CID): string {
  const known = recent.textOf.get(cid) ?? older.textOf.get(cid)
  if (known !== undefined) return known
  if (cid.version === 1) return base32Lower(cid.bytes, 'b')
  return cid.bytes.length === 34 ? encodeQm(cid.bytes) : cid.toString()
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

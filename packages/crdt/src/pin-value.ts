/**
 * The value a pin has in the CRDT: Go's api.pb.Pin protobuf (ipfs-cluster api/types.go
 * ProtoMarshal / ProtoUnmarshal), byte for byte.
 */
import { reader as createReader, writer as createWriter } from 'protons-runtime'
import type { Reader, Writer } from 'protons-runtime'
import { multiaddr as toMultiaddr } from '@multiformats/multiaddr'
import { base58btc } from 'multiformats/bases/base58'
import {
  CID, Timestamp, parseMultiaddr, parsePeerId, peerIdToBytes, pinDepthToMode,
  type Multiaddr, type OffsetSpec, type PeerId, type Pin, type PinType
} from '@cluster/api'
import { compareBytes } from './block.ts'
import { expectWire, skip, subEnd } from './delta.ts'

// Go's enum value is the bit index of its PinType (1 << value on reading).
const TYPE_TO_ENUM: Readonly<Record<PinType, number>> = {
  'bad-type': 0, pin: 1, 'meta-pin': 2, 'clusterdag-pin': 3, 'shard-pin': 4
}
const ENUM_TO_TYPE: readonly PinType[] = ['bad-type', 'pin', 'meta-pin', 'clusterdag-pin', 'shard-pin']

const EPOCH = Timestamp.fromUnixNanos(0n)
const utf8 = new TextEncoder()

/** Unix seconds as Go stores a time: 0 for the zero time and the epoch, else uint64(t.Unix()). */
function timeToProto (t: Timestamp): bigint {
  if (t.isZero() || t.compare(EPOCH) === 0) return 0n
  return BigInt.asUintN(64, t.unixSeconds())
}

function timeFromProto (secs: bigint, offset: OffsetSpec): Timestamp {
  // Go reads back only values > 0; time.Unix takes them as signed.
  return secs > 0n ? Timestamp.fromUnixNanos(BigInt.asIntN(64, secs) * 1_000_000_000n, offset) : Timestamp.ZERO
}

/** Encodes a pin as Go IPFS Cluster stores it in the CRDT (and in its state export). */
export function encodePinValue (pin: Pin): Uint8Array {
  const w = createWriter()
  w.uint32(10).bytes(pin.cid.bytes)
  const type = TYPE_TO_ENUM[pin.type]
  if (type !== 0) w.uint32(16).int32(type)
  for (const p of pin.allocations ?? []) w.uint32(26).bytes(peerIdToBytes(p))
  if (pin.maxDepth !== 0) w.uint32(32).sint32(pin.maxDepth)
  if (pin.reference !== undefined) w.uint32(42).bytes(pin.reference.bytes)
  w.uint32(50).fork()
  writeOptions(w, pin)
  w.ldelim()
  const ts = timeToProto(pin.timestamp)
  if (ts !== 0n) w.uint32(56).uint64(ts)
  return w.finish()
}

function writeOptions (w: Writer, pin: Pin): void {
  if (pin.replicationFactorMin !== 0) w.uint32(8).sint32(pin.replicationFactorMin)
  if (pin.replicationFactorMax !== 0) w.uint32(16).sint32(pin.replicationFactorMax)
  if (pin.name !== '') w.uint32(26).string(pin.name)
  if (pin.shardSize !== 0) w.uint32(32).uint64Number(pin.shardSize)
  if (pin.pinUpdate !== undefined) w.uint32(58).bytes(pin.pinUpdate.bytes)
  const expire = timeToProto(pin.expireAt)
  if (expire !== 0n) w.uint32(64).uint64(expire)
  for (const o of pin.origins ?? []) w.uint32(74).bytes(toMultiaddr(o).bytes)
  // Go sorts metadata keys with sort.Strings: byte order of the UTF-8 encoding.
  const meta = Object.entries(pin.metadata ?? {})
    .map(([k, v]) => ({ k, v, kb: utf8.encode(k) }))
    .sort((a, b) => compareBytes(a.kb, b.kb))
  for (const { k, v } of meta) {
    w.uint32(82).fork()
    if (k !== '') w.uint32(10).string(k)
    if (v !== '') w.uint32(18).string(v)
    w.ldelim()
  }
}

export interface DecodePinOptions {
  /** The CID of the state key, used when the value's own CID field does not parse (as Go's listing does). */
  keyCid?: CID
  /** Offset the times are shown in (Go: the local zone). */
  offset?: OffsetSpec
}

/** Decodes a pin value as Go does; throws where Go fails (invalid peer IDs or multiaddrs). */
export function decodePinValue (bytes: Uint8Array, opts: DecodePinOptions = {}): Pin {
  const offset = opts.offset ?? 'local'
  const r = createReader(bytes)
  let cid: CID | undefined
  let type = 0
  const allocations: PeerId[] = []
  let maxDepth = 0
  let reference: CID | undefined
  let timestamp = 0n
  let options: OptionsFields = emptyOptions()
  while (r.pos < r.len) {
    const tag = r.uint32()
    switch (tag >>> 3) {
      case 1: expectWire(tag, 2); cid = castCid(r.bytes()); break
      case 2: expectWire(tag, 0); type = r.int32(); break
      case 3: expectWire(tag, 2); allocations.push(peerIdFromBytes(r.bytes())); break
      case 4: expectWire(tag, 0); maxDepth = r.sint32(); break
      case 5: expectWire(tag, 2); reference = castCid(r.bytes()); break
      case 6: expectWire(tag, 2); options = readOptions(r, subEnd(r)); break
      case 7: expectWire(tag, 0); timestamp = r.uint64(); break
      default: skip(r, tag)
    }
  }
  const pinCid = cid ?? opts.keyCid
  if (pinCid === undefined) throw new Error('pin value has no valid CID')
  const metadata = options.metadata.size === 0 && !options.hadMetadata ? null : Object.fromEntries(options.metadata)
  return {
    replicationFactorMin: options.rmin,
    replicationFactorMax: options.rmax,
    name: options.name,
    mode: pinDepthToMode(maxDepth),
    shardSize: options.shardSize,
    userAllocations: null,
    expireAt: timeFromProto(options.expireAt, offset),
    metadata,
    pinUpdate: options.pinUpdate,
    origins: options.origins,
    cid: pinCid,
    type: ENUM_TO_TYPE[type] ?? 'bad-type',
    // An exact-size copy: the first push gave the array room for 17, and a pinset keeps it.
    allocations: allocations.slice(),
    maxDepth,
    reference,
    timestamp: timeFromProto(timestamp, offset)
  }
}

interface OptionsFields {
  rmin: number
  rmax: number
  name: string
  shardSize: number
  metadata: Map<string, string>
  hadMetadata: boolean
  pinUpdate: CID | undefined
  expireAt: bigint
  origins: Multiaddr[]
}

function emptyOptions (): OptionsFields {
  return { rmin: 0, rmax: 0, name: '', shardSize: 0, metadata: new Map(), hadMetadata: false, pinUpdate: undefined, expireAt: 0n, origins: [] }
}

function readOptions (r: Reader, end: number): OptionsFields {
  const o = emptyOptions()
  const sorted: Array<[string, string]> = []
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag >>> 3) {
      case 1: expectWire(tag, 0); o.rmin = r.sint32(); break
      case 2: expectWire(tag, 0); o.rmax = r.sint32(); break
      case 3: expectWire(tag, 2); o.name = r.string(); break
      case 4: expectWire(tag, 0); o.shardSize = r.uint64Number(); break
      case 6: expectWire(tag, 2); o.hadMetadata = true; o.metadata.set(...readPair(r, subEnd(r))); break
      case 7: expectWire(tag, 2); o.pinUpdate = castCid(r.bytes()); break
      case 8: expectWire(tag, 0); o.expireAt = r.uint64(); break
      case 9: expectWire(tag, 2); o.origins.push(multiaddrFromBytes(r.bytes())); break
      case 10: expectWire(tag, 2); sorted.push(readPair(r, subEnd(r))); break
      default: skip(r, tag)
    }
  }
  // Go starts from the deprecated map and overlays the sorted list.
  for (const [k, v] of sorted) { o.metadata.set(k, v); o.hadMetadata = true }
  return o
}

/** A map entry (key 1, value 2) or a Metadata message (Key 1, Value 2). */
function readPair (r: Reader, end: number): [string, string] {
  let k = ''
  let v = ''
  while (r.pos < end) {
    const tag = r.uint32()
    if (tag >>> 3 === 1) { expectWire(tag, 2); k = r.string() } else if (tag >>> 3 === 2) { expectWire(tag, 2); v = r.string() } else skip(r, tag)
  }
  return [k, v]
}

/**
 * go-cid's Cast: undefined for bytes that are not a CID (Go then leaves the field unset). The CID
 * gets its own copy of the bytes: a view would keep the whole delta block it was read from alive
 * for as long as the pin is (a queued pin operation held ~640 bytes of block for its 36-byte CID).
 */
function castCid (bytes: Uint8Array): CID | undefined {
  if (bytes.length === 0) return undefined
  try {
    const [cid, rest] = CID.decodeFirst(bytes.slice())
    return rest.length === 0 ? cid : undefined
  } catch {
    return undefined
  }
}

/** Peer IDs by their bytes (latin1): a pinset names a few peers many times; base58 is slow. */
const peerIds = new Map<string, PeerId>()
const PEER_IDS_MAX = 4096

function peerIdFromBytes (bytes: Uint8Array): PeerId {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  let id = peerIds.get(key)
  if (id === undefined) {
    id = parsePeerId(base58btc.baseEncode(bytes))
    if (peerIds.size >= PEER_IDS_MAX) peerIds.clear()
    peerIds.set(key, id)
  }
  return id
}

function multiaddrFromBytes (bytes: Uint8Array): Multiaddr {
  return parseMultiaddr(toMultiaddr(bytes).toString())
}

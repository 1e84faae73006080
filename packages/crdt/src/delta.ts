/**
 * go-ds-crdt's protobufs (pb/delta.proto, pb/bcast.proto), encoded as protobuf-go does: ascending
 * field numbers, proto3 zero values omitted. Written over protons-runtime's reader and writer
 * (see the README for why not generated code).
 */
import { reader as createReader, writer as createWriter } from 'protons-runtime'
import type { Reader, Writer } from 'protons-runtime'
import { CID } from 'multiformats/cid'

/** An element (add) or a tombstone (remove) of one key. */
export interface Element {
  /** State key, e.g. "/CIQ…". */
  key: string
  /** Tombstones: the removed element's ID ("/" + base32 block multihash). Empty in adds. */
  id: string
  /** Adds: the value (a Pin protobuf in IPFS Cluster). Empty in tombstones. */
  value: Uint8Array
}

export interface Delta {
  elements: Element[]
  tombstones: Element[]
  /** The height of the block carrying the delta. */
  priority: number
}

const WIRE_VARINT = 0
const WIRE_BYTES = 2

function writeElement (w: Writer, e: Element): void {
  if (e.key !== '') w.uint32(10).string(e.key)
  if (e.id !== '') w.uint32(18).string(e.id)
  if (e.value.length > 0) w.uint32(26).bytes(e.value)
}

function readElement (r: Reader, end: number): Element {
  const e: Element = { key: '', id: '', value: new Uint8Array(0) }
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag >>> 3) {
      case 1: expectWire(tag, WIRE_BYTES); e.key = r.string(); break
      case 2: expectWire(tag, WIRE_BYTES); e.id = r.string(); break
      case 3: expectWire(tag, WIRE_BYTES); e.value = r.bytes(); break
      default: skip(r, tag)
    }
  }
  return e
}

export function encodeDelta (d: Delta): Uint8Array {
  const w = createWriter()
  for (const e of d.elements) { w.uint32(10).fork(); writeElement(w, e); w.ldelim() }
  for (const t of d.tombstones) { w.uint32(18).fork(); writeElement(w, t); w.ldelim() }
  if (d.priority !== 0) w.uint32(24).uint64Number(d.priority)
  return w.finish()
}

export function decodeDelta (bytes: Uint8Array): Delta {
  const r = createReader(bytes)
  const d: Delta = { elements: [], tombstones: [], priority: 0 }
  while (r.pos < r.len) {
    const tag = r.uint32()
    switch (tag >>> 3) {
      case 1: expectWire(tag, WIRE_BYTES); d.elements.push(readElement(r, subEnd(r))); break
      case 2: expectWire(tag, WIRE_BYTES); d.tombstones.push(readElement(r, subEnd(r))); break
      case 3: expectWire(tag, WIRE_VARINT); d.priority = r.uint64Number(); break
      default: skip(r, tag)
    }
  }
  return d
}

/**
 * Field (not Go's) carrying blocks of the announced heads: `{1: cid, 2: bytes}`, repeated inside
 * the first Head entry. Go's decoder takes any unknown field at the top level of CRDTBroadcast for
 * the legacy bare-CID form and drops the whole message, but keeps unknown fields of a Head to
 * itself: so Go peers see a plain announcement, and our peers store the blocks (checked against
 * their CIDs) and walk without asking anyone over bitswap. Earlier versions of ours put them at the
 * top level; they are still read there.
 */
const CARRIED_BLOCK_FIELD = 100

/** A block sent along with an announcement. */
export interface CarriedBlock { cid: CID, bytes: Uint8Array }

/** The pubsub payload announcing heads (CRDTBroadcast{Heads: [Head{Cid}]}), with blocks carried along. */
export function encodeBroadcast (heads: readonly CID[], carried: readonly CarriedBlock[] = []): Uint8Array {
  const w = createWriter()
  for (const [i, h] of heads.entries()) {
    w.uint32(10).fork()
    w.uint32(10).bytes(h.bytes)
    if (i === 0) {
      for (const b of carried) {
        w.uint32((CARRIED_BLOCK_FIELD << 3) | WIRE_BYTES).fork()
        w.uint32(10).bytes(b.cid.bytes)
        w.uint32(18).bytes(b.bytes)
        w.ldelim()
      }
    }
    w.ldelim()
  }
  return w.finish()
}

/** The blocks carried along in a broadcast (none in Go's). Undecodable entries throw. */
export function decodeCarriedBlocks (bytes: Uint8Array): CarriedBlock[] {
  const r = createReader(bytes)
  const out: CarriedBlock[] = []
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag >>> 3 === 1) {
      // A Head: ours carry the blocks inside the first one.
      expectWire(tag, WIRE_BYTES)
      const end = subEnd(r)
      while (r.pos < end) {
        const t = r.uint32()
        if (t >>> 3 === CARRIED_BLOCK_FIELD) readCarried(r, t, out)
        else skip(r, t)
      }
    } else if (tag >>> 3 === CARRIED_BLOCK_FIELD) {
      readCarried(r, tag, out)
    } else {
      skip(r, tag)
    }
  }
  return out
}

function readCarried (r: Reader, tag: number, out: CarriedBlock[]): void {
  expectWire(tag, WIRE_BYTES)
  const end = subEnd(r)
  let cid: Uint8Array | undefined
  let data: Uint8Array | undefined
  while (r.pos < end) {
    const t = r.uint32()
    if (t >>> 3 === 1) { expectWire(t, WIRE_BYTES); cid = r.bytes() } else if (t >>> 3 === 2) { expectWire(t, WIRE_BYTES); data = r.bytes() } else skip(r, t)
  }
  if (cid === undefined || data === undefined) throw new Error('invalid broadcast: a carried block needs a cid and bytes')
  out.push({ cid: CID.decode(cid), bytes: data })
}

/**
 * Decodes a CRDTBroadcast. Like Go, a payload whose only content is an unknown field is taken as
 * the legacy bare-CID form (which in practice parses only for CIDv0).
 */
export function decodeBroadcast (bytes: Uint8Array): CID[] {
  const r = createReader(bytes)
  const heads: CID[] = []
  let unknown = false
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag >>> 3 === 0) throw new Error('invalid broadcast: field number 0')
    if (tag >>> 3 !== 1) { unknown = true; skip(r, tag); continue }
    expectWire(tag, WIRE_BYTES)
    const end = subEnd(r)
    let cid: Uint8Array = new Uint8Array(0)
    while (r.pos < end) {
      const t = r.uint32()
      if (t >>> 3 === 1) { expectWire(t, WIRE_BYTES); cid = r.bytes() } else skip(r, t)
    }
    heads.push(CID.decode(cid))
  }
  if (unknown && heads.length === 0) return [CID.decode(bytes)]
  return heads
}

/** The end offset of a length-delimited field whose tag was just read. */
export function subEnd (r: Reader): number {
  const len = r.uint32()
  const end = r.pos + len
  if (end > r.len) throw new Error('invalid protobuf: length beyond the end')
  return end
}

export function expectWire (tag: number, wire: number): void {
  if ((tag & 7) !== wire) throw new Error(`invalid protobuf: field ${tag >>> 3} has wire type ${tag & 7}`)
}

export function skip (r: Reader, tag: number): void {
  if (tag >>> 3 === 0) throw new Error('invalid protobuf: field number 0')
  r.skipType(tag & 7)
}

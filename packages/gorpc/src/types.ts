/**
 * Cluster types in Go's RPC form (`api/types.go` of Go IPFS Cluster v1.1.6 through ugorji): each
 * struct is a map keyed by its `codec` tags; CIDs, peer IDs and multiaddrs travel as their binary
 * form (Go's BinaryMarshaler), times as msgpack timestamps, statuses as their bit values.
 */
import { multiaddr as parseMa } from '@multiformats/multiaddr'
import { base58btc } from 'multiformats/bases/base58'
import {
  TRACKER_STATUS_BITS, Timestamp, castCid, parseMultiaddr, parsePeerId, peerIdToBytes,
  type CID, type Id, type IpfsId, type Metric, type Multiaddr, type PeerId, type PinInfo, type RepoGc,
  type TrackerStatus
} from '@cluster/api'
import { UgorjiWriter, writeStruct } from './ugorji.ts'

/** How a Go type is written and read. */
export interface GoCodec<T> {
  write: (w: UgorjiWriter, value: T) => void
  read: (value: unknown) => T
}

/** The bytes of one value. */
export function encodeGoValue<T> (codec: GoCodec<T>, value: T): Uint8Array {
  const w = new UgorjiWriter()
  codec.write(w, value)
  return w.bytes()
}

const fromUtf8 = new TextDecoder('utf-8', { fatal: false })

function fail (what: string, v: unknown): never {
  throw new TypeError(`${what}: unexpected ${v === null ? 'nil' : v instanceof Uint8Array ? 'bytes' : typeof v}`)
}

/** A Go struct read from a map: unknown keys are ignored and absent ones are zero, as in Go. */
function readStruct (v: unknown, what: string): Record<string, unknown> {
  if (v === null || v === undefined) return {}
  if (typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v)) fail(what, v)
  return v as Record<string, unknown>
}

function readText (v: unknown, what: string): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Uint8Array) return fromUtf8.decode(v)
  if (typeof v === 'string') return v
  fail(what, v)
}

function readBytes (v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return new TextEncoder().encode(v)
  fail(what, v)
}

function readInt (v: unknown, what: string): number {
  if (v === null || v === undefined) return 0
  if (typeof v === 'number' && Number.isInteger(v)) return v
  if (typeof v === 'bigint') return Number(v)
  fail(what, v)
}

function readInt64 (v: unknown, what: string): bigint {
  if (v === null || v === undefined) return 0n
  if (typeof v === 'bigint') {
    if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new RangeError(`${what} overflows int64`)
    return v
  }
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  fail(what, v)
}

function readUint64 (v: unknown, what: string): bigint {
  if (v === null || v === undefined) return 0n
  if (typeof v === 'bigint') return BigInt.asUintN(64, v)
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v)
  fail(what, v)
}

function readBool (v: unknown, what: string): boolean {
  if (v === null || v === undefined) return false
  if (typeof v === 'boolean') return v
  fail(what, v)
}

function readList<T> (v: unknown, what: string, item: (v: unknown) => T): T[] {
  if (v === null || v === undefined) return []
  if (!Array.isArray(v)) fail(what, v)
  return v.map(item)
}

export const cid: GoCodec<CID> = {
  write: (w, c) => { w.raw(c.bytes) },
  read: v => castCid(readBytes(v, 'cid'))
}

export const peerId: GoCodec<PeerId> = {
  write: (w, id) => { w.raw(peerIdToBytes(id)) },
  // parsePeerId checks the multihash, as Go's peer.IDFromBytes does.
  read: v => parsePeerId(base58btc.baseEncode(readBytes(v, 'peer ID')))
}

export const multiaddr: GoCodec<Multiaddr> = {
  write: (w, m) => { w.raw(parseMa(m).bytes) },
  read: v => parseMultiaddr(parseMa(readBytes(v, 'multiaddr')).toString())
}

/** A `time.Time`; Go's zero time travels as nil. */
export const time: GoCodec<Timestamp> = {
  write: (w, t) => { w.time(t.isZero() ? undefined : t.unixNanos) },
  read: v => {
    if (v === null || v === undefined) return Timestamp.ZERO
    const b = readBytes(v, 'time')
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
    if (b.length === 4) return Timestamp.fromUnixNanos(BigInt(view.getUint32(0)) * 1_000_000_000n)
    if (b.length === 8) {
      const data64 = view.getBigUint64(0)
      return Timestamp.fromUnixNanos((data64 & 0x3ffffffffn) * 1_000_000_000n + (data64 >> 34n))
    }
    if (b.length === 12) return Timestamp.fromUnixNanos(view.getBigInt64(4) * 1_000_000_000n + BigInt(view.getUint32(0)))
    throw new TypeError(`time: ${b.length} bytes is not a msgpack timestamp`)
  }
}

const STATUS_BY_BIT = new Map<number, TrackerStatus>(
  Object.entries(TRACKER_STATUS_BITS).filter(([name]) => name !== 'error' && name !== 'queued').map(([name, bit]) => [bit, name as TrackerStatus])
)

/** A TrackerStatus (a single status or a filter) as Go's bit value. */
export const statusFilter: GoCodec<number> = {
  write: (w, bits) => { w.int(bits) },
  read: v => readInt(v, 'status')
}

function readStatus (v: unknown): TrackerStatus {
  return STATUS_BY_BIT.get(readInt(v, 'status')) ?? 'undefined'
}

/** Go's `struct{}` (arguments and results of methods that take or give nothing). */
export const empty: GoCodec<undefined> = {
  write: w => { w.mapHeader(0) },
  read: () => undefined
}

const list = <T>(codec: GoCodec<T>) => (w: UgorjiWriter, items: readonly T[]): void => {
  w.arrayHeader(items.length)
  for (const item of items) codec.write(w, item)
}

type Field = readonly [string, (w: UgorjiWriter) => void] | undefined

const textField = (key: string, s: string): Field => s === '' ? undefined : [key, w => { w.str(s) }]
const listField = <T>(key: string, items: readonly T[] | null, codec: GoCodec<T>): Field =>
  items === null || items.length === 0 ? undefined : [key, w => { list(codec)(w, items) }]
const timeField = (key: string, t: Timestamp): Field => t.isZero() ? undefined : [key, w => { time.write(w, t) }]

function stringMapField (key: string, m: Record<string, string> | null): Field {
  if (m === null) return undefined
  const keys = Object.keys(m).sort()
  if (keys.length === 0) return undefined
  return [key, w => {
    w.mapHeader(keys.length)
    for (const k of keys) w.str(k).str(m[k] ?? '')
  }]
}

function readStringMap (v: unknown, what: string): Record<string, string> | null {
  if (v === null || v === undefined) return null
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [k, value] of Object.entries(readStruct(v, what))) out[k] = readText(value, what)
  return out
}

export const ipfsId: GoCodec<IpfsId> = {
  write: (w, i) => {
    writeStruct(w, [
      i.id === undefined ? undefined : ['i', w => { peerId.write(w, i.id as PeerId) }],
      listField('a', i.addresses, multiaddr),
      textField('e', i.error)
    ])
  },
  read: v => {
    const o = readStruct(v, 'IPFSID')
    return {
      id: o.i === undefined || o.i === null ? undefined : peerId.read(o.i),
      addresses: readList(o.a, 'IPFSID.Addresses', multiaddr.read),
      error: readText(o.e, 'IPFSID.Error')
    }
  }
}

/** api.ID: `Cluster.ID`, `Cluster.IDStream`, `Cluster.PeerAdd`. */
export const id: GoCodec<Id> = {
  write: (w, i) => {
    const ipfsEmpty = i.ipfs.id === undefined && (i.ipfs.addresses ?? []).length === 0 && i.ipfs.error === ''
    writeStruct(w, [
      ['i', w => { peerId.write(w, i.id) }],
      listField('a', i.addresses, multiaddr),
      listField('cp', i.clusterPeers, peerId),
      listField('cpa', i.clusterPeersAddresses, multiaddr),
      textField('v', i.version),
      textField('c', i.commit),
      textField('rv', i.rpcProtocolVersion),
      textField('e', i.error),
      ipfsEmpty ? undefined : ['ip', w => { ipfsId.write(w, i.ipfs) }],
      textField('pn', i.peername)
    ])
  },
  read: v => {
    const o = readStruct(v, 'ID')
    return {
      id: peerId.read(o.i),
      addresses: readList(o.a, 'ID.Addresses', multiaddr.read),
      clusterPeers: readList(o.cp, 'ID.ClusterPeers', peerId.read),
      clusterPeersAddresses: readList(o.cpa, 'ID.ClusterPeersAddresses', multiaddr.read),
      version: readText(o.v, 'ID.Version'),
      commit: readText(o.c, 'ID.Commit'),
      rpcProtocolVersion: readText(o.rv, 'ID.RPCProtocolVersion'),
      error: readText(o.e, 'ID.Error'),
      ipfs: ipfsId.read(o.ip),
      peername: readText(o.pn, 'ID.Peername')
    }
  }
}

/** api.PinInfo (PinInfoShort's fields inlined): `PinTracker.Status`, `.StatusAll`, `.Recover`. */
export const pinInfo: GoCodec<PinInfo> = {
  write: (w, p) => {
    writeStruct(w, [
      ['c', w => { cid.write(w, p.cid) }],
      textField('m', p.name),
      ['p', w => { peerId.write(w, p.peer) }],
      listField('o', p.allocations, peerId),
      listField('g', p.origins, multiaddr),
      timeField('t', p.created),
      stringMapField('md', p.metadata),
      textField('pn', p.peername),
      p.ipfsPeerId === undefined ? undefined : ['i', w => { peerId.write(w, p.ipfsPeerId as PeerId) }],
      listField('ia', p.ipfsPeerAddresses, multiaddr),
      p.status === 'undefined' ? undefined : ['st', w => { w.int(TRACKER_STATUS_BITS[p.status]) }],
      timeField('ts', p.timestamp),
      textField('e', p.error),
      p.attemptCount === 0 ? undefined : ['a', w => { w.int(p.attemptCount) }],
      p.priorityPin ? ['y', w => { w.bool(true) }] : undefined
    ])
  },
  read: v => {
    const o = readStruct(v, 'PinInfo')
    return {
      cid: cid.read(o.c),
      name: readText(o.m, 'PinInfo.Name'),
      peer: peerId.read(o.p),
      allocations: readList(o.o, 'PinInfo.Allocations', peerId.read),
      origins: readList(o.g, 'PinInfo.Origins', multiaddr.read),
      created: time.read(o.t),
      metadata: readStringMap(o.md, 'PinInfo.Metadata'),
      peername: readText(o.pn, 'PinInfo.PeerName'),
      ipfsPeerId: o.i === undefined || o.i === null ? undefined : peerId.read(o.i),
      ipfsPeerAddresses: readList(o.ia, 'PinInfo.IPFSAddresses', multiaddr.read),
      status: readStatus(o.st),
      timestamp: time.read(o.ts),
      error: readText(o.e, 'PinInfo.Error'),
      attemptCount: readInt(o.a, 'PinInfo.AttemptCount'),
      priorityPin: readBool(o.y, 'PinInfo.PriorityPin')
    }
  }
}

/** api.Version: `Cluster.Version`. */
export const version: GoCodec<string> = {
  write: (w, v) => { writeStruct(w, [['v', w => { w.str(v) }]]) },
  read: v => readText(readStruct(v, 'Version').v, 'Version.Version')
}

/** api.IPFSRepoStat (`IPFSConnector.RepoStat`): repo size and StorageMax in bytes. */
export const repoStat: GoCodec<{ repoSize: bigint, storageMax: bigint }> = {
  write: (w, s) => {
    // Go's tag for StorageMax is `codec:"s, omitempty"`: the space makes ugorji ignore the option.
    writeStruct(w, [
      s.repoSize === 0n ? undefined : ['r', w => { w.uint(s.repoSize) }],
      ['s', w => { w.uint(s.storageMax) }]
    ])
  },
  read: v => {
    const o = readStruct(v, 'IPFSRepoStat')
    return { repoSize: readUint64(o.r, 'IPFSRepoStat.RepoSize'), storageMax: readUint64(o.s, 'IPFSRepoStat.StorageMax') }
  }
}

/** api.RepoGC: `Cluster.RepoGCLocal`. */
export const repoGc: GoCodec<RepoGc> = {
  write: (w, r) => {
    writeStruct(w, [
      ['p', w => { peerId.write(w, r.peer) }],
      textField('pn', r.peername),
      ['k', w => {
        const keys = r.keys ?? []
        if (r.keys === null) {
          w.nil()
          return
        }
        w.arrayHeader(keys.length)
        for (const k of keys) {
          writeStruct(w, [
            k.key === undefined ? undefined : ['k', w => { cid.write(w, k.key as CID) }],
            textField('e', k.error)
          ])
        }
      }],
      textField('e', r.error)
    ])
  },
  read: v => {
    const o = readStruct(v, 'RepoGC')
    return {
      peer: peerId.read(o.p),
      peername: readText(o.pn, 'RepoGC.Peername'),
      keys: o.k === null || o.k === undefined
        ? null
        : readList(o.k, 'RepoGC.Keys', k => {
          const e = readStruct(k, 'IPFSRepoGC')
          return { key: e.k === undefined || e.k === null ? undefined : cid.read(e.k), error: readText(e.e, 'IPFSRepoGC.Error') }
        }),
      error: readText(o.e, 'RepoGC.Error')
    }
  }
}

/** `[]peer.ID`: `IPFSConnector.SwarmPeers`. */
export const peerIds: GoCodec<PeerId[]> = {
  write: (w, ids) => { list(peerId)(w, ids) },
  read: v => readList(v, '[]peer.ID', peerId.read)
}

/** api.NodeWithMeta: a block an adder streams to a peer (`IPFSConnector.BlockStream`). */
export const nodeWithMeta: GoCodec<{ cid: CID, bytes: Uint8Array }> = {
  write: (w, n) => {
    writeStruct(w, [
      n.bytes.length === 0 ? undefined : ['d', w => { w.raw(n.bytes) }],
      ['c', w => { cid.write(w, n.cid) }]
    ])
  },
  read: v => {
    const o = readStruct(v, 'NodeWithMeta')
    return { cid: cid.read(o.c), bytes: o.d === undefined || o.d === null ? new Uint8Array(0) : readBytes(o.d, 'NodeWithMeta.Data') }
  }
}

/**
 * api.Metric, as Go publishes it on the `monitor.metrics` topic (consensus-crdt.md §7): keys
 * `n p v e d w o t`, every field omitempty. The peer must be a valid binary peer ID (Go drops the
 * metric otherwise); a metric without one is refused.
 */
export const metric: GoCodec<Metric> = {
  write: (w, m) => {
    writeStruct(w, [
      textField('n', m.name),
      m.peer === '' ? undefined : ['p', w => { peerId.write(w, m.peer) }],
      textField('v', m.value),
      m.expire === 0n ? undefined : ['e', w => { w.int(m.expire) }],
      m.valid ? ['d', w => { w.bool(true) }] : undefined,
      m.weight === 0 ? undefined : ['w', w => { w.int(m.weight) }],
      m.partitionable ? ['o', w => { w.bool(true) }] : undefined,
      m.receivedAt === 0n ? undefined : ['t', w => { w.int(m.receivedAt) }]
    ])
  },
  read: v => {
    if (v === null || v === undefined || typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v)) throw new TypeError('metric: not a msgpack map')
    const o = v as Record<string, unknown>
    if (!(o.p instanceof Uint8Array) || o.p.length === 0) throw new TypeError('metric: no peer')
    return {
      name: readText(o.n, 'metric: n'),
      peer: peerId.read(o.p),
      value: readText(o.v, 'metric: v'),
      expire: readInt64(o.e, 'metric: e'),
      valid: readBool(o.d, 'metric: d'),
      weight: Number(readInt64(o.w, 'metric: w')),
      partitionable: readBool(o.o, 'metric: o'),
      receivedAt: readInt64(o.t, 'metric: t')
    }
  }
}

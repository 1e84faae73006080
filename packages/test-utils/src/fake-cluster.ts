/**
 * An in-memory ClusterApi for API-layer tests (REST server and client, ctl golden tests):
 * a pinset map, three peers (P1 is "this" peer, P3 can be made unreachable), metrics, alerts,
 * and failure injection per method. Timestamps are fixed except metric expiries (relative to now).
 */
import {
  CID, parseCid, PinNotFoundError, Timestamp, trackerStatusMatches, pinTypeMatches, pinModeToDepth, newRecord
} from '@cluster/api'
import type {
  AddedOutput, AddParams, AddUpload, Alert, BandwidthByProtocol, ClusterApi, ConnectGraph, GlobalPinInfo, GlobalRepoGc, Id, LocalOption, StatusAllOptions, Metric,
  Pin, PinInfoShort, PinOptions, PinTypeFilter, PeerId, RequestOptions, TrackerStatus, TrackerStatusFilter, Version
} from '@cluster/api'
import { C2, I3, P1, P2, PEERS, T0, ma, type FakePeer } from './fixtures.ts'

type Method = keyof ClusterApi

/** A node the fake's adder produced (the shape of @cluster/adder's outputs). */
export interface FakeAddedNode { name: string, cid: CID | undefined, bytes: number, size: number }
/** Builds the DAG of an upload; tests plug @cluster/adder's `addUpload` in (with any block sink). */
export type FakeAdder = (upload: AddUpload, params: AddParams, signal?: AbortSignal) => AsyncIterable<FakeAddedNode>

/** Thrown by methods told to fail (`fake.failures`): answered as HTTP 500. */
export class FakeFailure extends Error {
  override readonly name = 'FakeFailure'
}

export class FakeCluster implements ClusterApi {
  readonly pins = new Map<string, Pin>()
  /** Per CID, per peer status overrides (e.g. pin_error) used by status/recover. */
  readonly statuses = new Map<string, Map<string, TrackerStatus>>()
  /** Methods that throw FakeFailure with this message. */
  readonly failures = new Map<string, string>()
  /** Streams that fail after yielding this many items (method → [count, message]). */
  readonly failAfter = new Map<Method, [number, string]>()
  /** IPNS names and sub-paths the fake "IPFS" resolves. */
  readonly resolve = new Map<string, string>()
  /** Peer IDs that are members of the peerset. */
  peerset: PeerId[] = [P1, P2]
  /** Peers that do not answer (listed with an error). */
  readonly down = new Set<string>()
  readonly removedPeers: PeerId[] = []
  /** What `add` chunks uploads with; unset, `add` fails with a 500 as a cluster without IPFS would. */
  adder: FakeAdder | undefined
  now: () => Timestamp = () => T0
  /** Reception time of every metric (fixed per fake, so two ctl runs see the same values). */
  metricBase = BigInt(Date.now()) * 1_000_000n

  #check (m: Method): void {
    const msg = this.failures.get(m)
    if (msg !== undefined) throw new FakeFailure(msg)
  }

  async * #stream<T> (m: Method, items: Iterable<T>): AsyncGenerator<T> {
    this.#check(m)
    const after = this.failAfter.get(m)
    let n = 0
    for (const item of items) {
      if (after !== undefined && n === after[0]) throw new FakeFailure(after[1])
      yield item
      n++
    }
    if (after !== undefined && n <= after[0]) throw new FakeFailure(after[1])
  }

  #peer (id: PeerId): FakePeer {
    return PEERS.find((p) => p.id === id) ?? { id, name: '', ipfs: I3, host: '203.0.113.9' }
  }

  idOf (id: PeerId): Id {
    const p = this.#peer(id)
    if (this.down.has(id)) {
      return {
        id, addresses: null, clusterPeers: null, clusterPeersAddresses: null, version: '', commit: '',
        rpcProtocolVersion: '', error: 'dial backoff', ipfs: { id: undefined, addresses: null, error: '' }, peername: ''
      }
    }
    return {
      id,
      addresses: [ma(`/ip4/127.0.0.1/tcp/9096/p2p/${id}`), ma(`/ip4/${p.host}/tcp/9096/p2p/${id}`)],
      clusterPeers: [...this.peerset],
      clusterPeersAddresses: this.peerset.filter((x) => x !== id).map((x) => ma(`/ip4/${this.#peer(x).host}/tcp/9096/p2p/${x}`)),
      version: '1.1.6',
      commit: '',
      rpcProtocolVersion: '/ipfscluster/1.0/rpc',
      error: '',
      ipfs: { id: p.ipfs, addresses: [ma(`/ip4/127.0.0.1/tcp/4001/p2p/${p.ipfs}`), ma(`/ip4/${p.host}/tcp/4001/p2p/${p.ipfs}`)], error: '' },
      peername: p.name
    }
  }

  async id (): Promise<Id> { this.#check('id'); return this.idOf(P1) }
  async version (): Promise<Version> { this.#check('version'); return { version: '1.1.6' } }

  peers (): AsyncIterable<Id> {
    return this.#stream('peers', this.peerset.map((p) => this.idOf(p)))
  }

  async peerAdd (peer: PeerId): Promise<Id> {
    this.#check('peerAdd')
    if (!this.peerset.includes(peer)) this.peerset.push(peer)
    return this.idOf(peer)
  }

  async peerRemove (peer: PeerId): Promise<void> {
    this.#check('peerRemove')
    if (!this.peerset.includes(peer)) throw new Error(`${peer} is not a peer`)
    this.peerset = this.peerset.filter((p) => p !== peer)
    this.removedPeers.push(peer)
  }

  allocations (filter: PinTypeFilter): AsyncIterable<Pin> {
    return this.#stream('allocations', [...this.pins.values()].filter((p) => pinTypeMatches(p.type, filter)))
  }

  async allocation (cid: CID): Promise<Pin> {
    this.#check('allocation')
    const pin = this.pins.get(cid.toString())
    if (pin === undefined) throw new PinNotFoundError()
    return pin
  }

  #short (peer: PeerId, status: TrackerStatus): PinInfoShort {
    const p = this.#peer(peer)
    const remote = status === 'remote'
    return {
      peername: p.name,
      ipfsPeerId: remote ? undefined : p.ipfs,
      ipfsPeerAddresses: remote ? [] : [ma(`/ip4/${p.host}/tcp/4001/p2p/${p.ipfs}`)],
      status,
      timestamp: this.now(),
      error: status === 'pin_error' ? 'context deadline exceeded' : '',
      attemptCount: status === 'pin_error' ? 3 : 0,
      priorityPin: false
    }
  }

  statusOf (cid: CID, local: boolean, filter: TrackerStatusFilter = 0): GlobalPinInfo | undefined {
    const key = cid.toString()
    const pin = this.pins.get(key)
    const overrides = this.statuses.get(key)
    const peerMap = newRecord<PinInfoShort>()
    for (const peer of local ? [P1] : this.peerset) {
      let status: TrackerStatus
      if (this.down.has(peer)) status = 'cluster_error'
      else if (pin === undefined) status = 'unpinned'
      else if (pin.allocations === null || pin.allocations.length === 0 || pin.allocations.includes(peer)) status = 'pinned'
      else status = 'remote'
      status = overrides?.get(peer) ?? status
      if (!trackerStatusMatches(status, filter)) continue
      peerMap[peer] = this.#short(peer, status)
      if (status === 'cluster_error') peerMap[peer].error = 'dial backoff'
    }
    if (Object.keys(peerMap).length === 0) return undefined
    return {
      cid,
      name: pin?.name ?? '',
      allocations: pin?.allocations ?? [],
      origins: pin === undefined ? null : pin.origins ?? [],
      created: pin?.timestamp ?? this.now(),
      metadata: pin?.metadata ?? null,
      peerMap
    }
  }

  async status (cid: CID, opts: LocalOption = {}): Promise<GlobalPinInfo> {
    this.#check('status')
    const failing = this.failures.get(`status:${cid.toString()}`)
    if (failing !== undefined) throw new FakeFailure(failing)
    return this.statusOf(cid, opts.local === true)!
  }

  statusAll (filter: TrackerStatusFilter, opts: StatusAllOptions = {}): AsyncIterable<GlobalPinInfo> {
    const out: GlobalPinInfo[] = []
    const pins = opts.within !== undefined
      ? opts.within.map(key => this.pins.get(key)).filter(p => p !== undefined)
      : this.pins.values()
    for (const pin of pins) {
      const gpi = this.statusOf(pin.cid, opts.local === true, filter)
      if (gpi !== undefined) out.push(gpi)
    }
    return this.#stream('statusAll', out)
  }

  #requeue (cid: CID, local: boolean): boolean {
    const overrides = this.statuses.get(cid.toString())
    let changed = false
    for (const [peer, st] of overrides ?? []) {
      if (local && peer !== P1) continue
      if (st === 'pin_error' || st === 'unexpectedly_unpinned') { overrides!.set(peer, 'pin_queued'); changed = true }
      if (st === 'unpin_error') { overrides!.set(peer, 'unpin_queued'); changed = true }
    }
    return changed
  }

  async recover (cid: CID, opts: LocalOption = {}): Promise<GlobalPinInfo> {
    this.#check('recover')
    if (opts.local === true && !this.pins.has(cid.toString())) throw new PinNotFoundError()
    this.#requeue(cid, opts.local === true)
    return this.statusOf(cid, opts.local === true)!
  }

  recoverAll (opts: LocalOption = {}): AsyncIterable<GlobalPinInfo> {
    const out: GlobalPinInfo[] = []
    for (const pin of this.pins.values()) {
      if (this.#requeue(pin.cid, opts.local === true)) out.push(this.statusOf(pin.cid, opts.local === true)!)
    }
    return this.#stream('recoverAll', out)
  }

  async pin (cid: CID, options: PinOptions): Promise<Pin> {
    this.#check('pin')
    let min = options.replicationFactorMin === 0 ? -1 : options.replicationFactorMin
    let max = options.replicationFactorMax === 0 ? -1 : options.replicationFactorMax
    let allocations: PeerId[] | null = null
    if (options.pinUpdate !== undefined) {
      const from = this.pins.get(options.pinUpdate.toString())
      if (from === undefined) throw new PinNotFoundError()
      allocations = from.allocations
      min = from.replicationFactorMin
      max = from.replicationFactorMax
    }
    if ((min === -1) !== (max === -1)) throw new Error('cluster.replication_factor_min and max must be -1 when one of them is')
    if (max !== -1 && min > max) throw new Error('cluster.replication_factor_min is larger than max')
    if (!options.expireAt.isZero() && options.expireAt.isBefore(this.now())) throw new Error('pin.ExpireAt set before current time')
    if (min > this.peerset.length) {
      throw new Error(`not enough peers to allocate CID. Needed at least: ${min}. Wanted at most: ${max}. Available candidates: ${this.peerset.length}. See logs for more info.`)
    }
    if (allocations === null) {
      const user = options.userAllocations ?? []
      allocations = min === -1 ? [] : [...user, ...this.peerset.filter((p) => !user.includes(p))].slice(0, Math.min(max, this.peerset.length))
    }
    const pin: Pin = {
      ...options,
      replicationFactorMin: min,
      replicationFactorMax: max,
      metadata: options.metadata ?? {},
      cid,
      type: 'pin',
      allocations,
      maxDepth: pinModeToDepth(options.mode),
      reference: undefined,
      timestamp: this.now()
    }
    this.pins.set(cid.toString(), pin)
    return pin
  }

  /** Runs the plugged-in adder, then pins the last node (the root) unless `noPin`. */
  async * add (upload: AddUpload, params: AddParams, opts: RequestOptions = {}): AsyncIterable<AddedOutput> {
    this.#check('add')
    if (this.adder === undefined) throw new FakeFailure('this fake cluster has no adder')
    // As Go's BlockAllocate: "everywhere" sends the blocks to every peer.
    const allocations = params.pinOptions.replicationFactorMin === -1 ? [...this.peerset] : this.peerset.slice(0, 2)
    let root: CID | undefined
    for await (const node of this.adder(upload, params, opts.signal)) {
      if (node.cid !== undefined) root = node.cid
      yield { ...node, allocations: node.cid === undefined ? [] : allocations }
    }
    if (root !== undefined && !params.noPin) await this.pin(root, params.pinOptions)
  }

  resolvePath (path: string): CID {
    const known = this.resolve.get(path)
    if (known !== undefined) return parseCid(known)
    const m = /^\/(?:ipfs|ipld)\/([^/]+)\/?$/.exec(path)
    if (m !== null) return parseCid(m[1]!)
    throw new Error(`could not resolve ${path}`)
  }

  async pinPath (path: string, options: PinOptions): Promise<Pin> {
    this.#check('pinPath')
    return await this.pin(this.resolvePath(path), options)
  }

  async unpin (cid: CID): Promise<Pin> {
    this.#check('unpin')
    const pin = this.pins.get(cid.toString())
    if (pin === undefined) throw new PinNotFoundError()
    this.pins.delete(cid.toString())
    return pin
  }

  async unpinPath (path: string): Promise<Pin> {
    this.#check('unpinPath')
    return await this.unpin(this.resolvePath(path))
  }

  async repoGc (opts: LocalOption = {}): Promise<GlobalRepoGc> {
    this.#check('repoGc')
    const peerMap = newRecord<GlobalRepoGc['peerMap'] extends Record<string, infer V> | null ? V : never>()
    for (const peer of opts.local === true ? [P1] : this.peerset) {
      const p = this.#peer(peer)
      peerMap[peer] = this.down.has(peer)
        ? { peer, peername: p.name, keys: [], error: 'dial backoff' }
        : { peer, peername: p.name, keys: [{ key: parseCid(C2), error: '' }, { key: undefined, error: 'could not remove block' }], error: '' }
    }
    return { peerMap }
  }

  async connectGraph (): Promise<ConnectGraph> {
    this.#check('connectGraph')
    const live = this.peerset.filter((p) => !this.down.has(p))
    const rec = <V>(f: (p: PeerId) => V, list = live): Record<string, V> => {
      const r = newRecord<V>()
      for (const p of list) r[p] = f(p)
      return r
    }
    return {
      clusterId: P1,
      idToPeername: rec((p) => this.#peer(p).name, this.peerset),
      ipfsLinks: Object.fromEntries(live.map((p) => [this.#peer(p).ipfs, live.filter((q) => q !== p).map((q) => this.#peer(q).ipfs)])),
      clusterLinks: rec((p) => live.includes(p) ? live.filter((q) => q !== p) : [], this.peerset),
      clusterTrustLinks: rec(() => true, this.peerset),
      clusterToIpfs: rec((p) => this.#peer(p).ipfs)
    }
  }

  metricOf (name: string, peer: PeerId): Metric {
    const base = this.metricBase
    const values: Record<string, [string, number]> = {
      freespace: ['52044009472', 52044009472],
      ping: [JSON.stringify({ peer_name: this.#peer(peer).name }), 0],
      pinqueue: ['0', 0],
      'tag:group': ['default', 0]
    }
    const [value, weight] = values[name] ?? ['1', 1]
    return { name, peer, value, expire: base + 30_000_000_000n, valid: true, weight, partitionable: false, receivedAt: base }
  }

  async alerts (): Promise<Alert[]> {
    this.#check('alerts')
    const m = this.metricOf('ping', P2)
    return [{ ...m, expire: m.receivedAt - 120_000_000_000n, valid: false, triggeredAt: Timestamp.fromUnixNanos(m.receivedAt - 90_000_000_000n) }]
  }

  async bandwidth (): Promise<BandwidthByProtocol> {
    this.#check('bandwidth')
    return { '/ipfscluster/1.0/rpc': { totalIn: 482113, totalOut: 990871, rateIn: 120.5, rateOut: 310.25 } }
  }

  async metrics (name: string, _opts?: RequestOptions): Promise<Metric[]> {
    this.#check('metrics')
    if (!['freespace', 'ping', 'pinqueue', 'tag:group'].includes(name)) return []
    return this.peerset.filter((p) => !this.down.has(p)).map((p) => this.metricOf(name, p))
  }

  async metricNames (): Promise<string[]> {
    this.#check('metricNames')
    return ['freespace', 'ping', 'pinqueue', 'tag:group']
  }
}

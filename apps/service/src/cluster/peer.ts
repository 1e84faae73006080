import {
  PinNotFoundError, Timestamp, pinTypeMatches,
  type AddedOutput, type AddParams, type BatchItem, type BatchItemResult, type AddUpload, type Alert, type BandwidthByProtocol, type CID, type ClusterApi, type ConnectGraph, type GlobalPinInfo,
  type GlobalRepoGc, type Id, type LocalOption, type LogLevel, type StatusAllOptions, type Metric, type Multiaddr, type PeerId, type Pin, type PinInfo,
  type PinOptions, type PinTypeFilter, type RebalanceEvent, type RebalanceRequest, type TrackerStatusFilter, type Version
} from '@cluster/api'
import { CrdtConsensus, type ClusterConsensus } from '@cluster/consensus'
import { IpfsConnector } from '@cluster/ipfs-connector'
import { isExpired, PubsubMonitor } from '@cluster/monitor'
import { StatelessTracker } from '@cluster/pintracker'
import type { Libp2pTransport } from '@cluster/raft/libp2p'
import { RpcClient, RpcError, RpcServer } from '@cluster/rpc'
import type { PeerCard } from './aggregate.ts'
import { ClusterStoppedError, FollowerModeError } from './errors.ts'
import { createHost, rememberPeer, type ClusterHost } from './host.ts'
import { joinError } from './join-error.ts'
import { metricCodec, readPingValue } from './metrics.ts'
import { withDefaults, type ClusterPeerOptions, type PEER_DEFAULTS } from './options.ts'
import { setupPin, updatedPin } from './pin-setup.ts'
import { Rpc } from './rpc-methods.ts'
import { FANOUT_TIMEOUT_MS, connectGraphOf, repoGcAll, unreachableId } from './fanout.ts'
import { clusterRecoverAll, clusterRecover, clusterStatus, clusterStatusAll } from './statuses.ts'
import { trackerIpfsOf } from './adapters.ts'
import { serveRpc } from './rpc-server.ts'
import { createConsensus } from './consensus-setup.ts'
import { pinsAllocatedTo, repinFrom, type RepinContext } from './repin.ts'
import { AlertLog } from './alerts.ts'
import { allocateFor, allocateOnceHeard, blockAllocation } from './allocation.ts'
import { addContent } from './add.ts'
import { startLoops, type IpfsIdentity } from './loops.ts'
import { identityOf, memberAddresses } from './identity.ts'
import { localDestination, remoteDestination } from './block-destinations.ts'
import { keepMeshed } from './mesh.ts'
import { pinBatch } from './batch.ts'
import { rebalancerFor, type Rebalancer } from './rebalance/index.ts'
import { VERSION } from './version.ts'

const RPC_PROTOCOL_VERSION = '/ipfscluster/1.0/rpc'

/**
 * One cluster peer: the libp2p host, consensus (Raft or CRDT) over the shared pinset, the pin tracker
 * driving the local Kubo, the monitor and allocator, and peer RPC. Implements ClusterApi, which
 * the REST API and the proxy serve.
 */
export class ClusterPeer implements ClusterApi {
  readonly peerId: PeerId
  readonly host: ClusterHost
  readonly consensus: ClusterConsensus
  readonly tracker: StatelessTracker
  readonly connector: IpfsConnector
  readonly monitor: PubsubMonitor<Metric>
  readonly rpc: RpcClient
  readonly options: ClusterPeerOptions & typeof PEER_DEFAULTS
  private readonly rpcServer: RpcServer
  private readonly alertLog: AlertLog
  private readonly stops: Array<() => void> = []
  private rebalancer: Rebalancer | undefined
  /** What this peer last learned of its Kubo (updated by the ping loop). */
  ipfs: IpfsIdentity = { addresses: [], published: [], error: 'not contacted yet' }
  private stopped = false
  private readonly startedAt = Date.now()

  /**
   * Until when (ms since the epoch) an allocation may wait for the other members' metrics: just
   * after a start this peer has heard only its own (at most one informer round, 20 s at most).
   */
  get metricsGraceUntil (): number {
    return this.startedAt + Math.min(this.options.informerTtlMs / 2 + 2_000, 20_000)
  }

  private constructor (host: ClusterHost, options: ClusterPeerOptions & typeof PEER_DEFAULTS, transport: Libp2pTransport | undefined, rpcServer: RpcServer) {
    this.host = host
    this.options = options
    this.peerId = host.peerId.toString() as PeerId
    this.rpcServer = rpcServer
    const metrics = options.metrics
    this.rpc = new RpcClient(host, rpcServer, metrics?.rpcCall === undefined ? {} : { onCall: sample => { metrics.rpcCall?.(sample) } })
    this.alertLog = new AlertLog({
      options,
      rpc: this.rpc,
      repinContext: () => this.repinContext(),
      stillDown: peer => { const ping = this.monitor.store.latestForPeer('ping', peer); return ping !== undefined && isExpired(ping, BigInt(Date.now()) * 1_000_000n) },
      log: (level, m) => { this.log(level, m) }
    })
    this.connector = new IpfsConnector({ config: options.ipfs, logger: (level, message) => { this.log(level, message, 'ipfshttp') } })
    this.monitor = new PubsubMonitor<Metric>({
      pubsub: host.services.pubsub,
      codec: metricCodec,
      // CRDT: membership comes from these metrics, so every sender is watched (Go: no filter).
      peerset: () => new Set(options.consensus === 'crdt' ? [this.peerId, ...this.monitor.store.senders()] : this.peerset()),
      checkIntervalMs: options.checkIntervalMs,
      onAlert: alert => { void this.alertLog.handle(alert) }
    })
    this.tracker = new StatelessTracker({
      ipfs: trackerIpfsOf(this.connector),
      pinset: { get: cid => this.consensus.state.get(cid), list: () => this.consensus.state.list() },
      peerId: this.peerId,
      peerName: options.peername,
      identity: () => ({ ipfsPeerId: this.ipfs.id as PeerId | undefined, ipfsPeerAddresses: this.ipfs.published as PinInfo['ipfsPeerAddresses'] }),
      config: options.tracker,
      logger: (level, m) => { this.log(level, m, 'pintracker') }
    })
    this.consensus = createConsensus(this, transport)
  }

  static async start (opts: ClusterPeerOptions): Promise<ClusterPeer> {
    const options = withDefaults(opts)
    const host = await createHost({ privateKey: options.privateKey, listen: options.listen, secret: options.secret, peers: [...(options.peerAddresses ?? []), ...(options.bootstrap ?? [])], metricsRegistry: options.metrics?.registry, statfsLocation: options.dataDir })
    let peer: ClusterPeer | undefined
    // Trusted RPC (cluster-behaviour.md §14.1): with CRDT only trusted peers may call it.
    const rpcServer = new RpcServer({ self: host.peerId.toString(), isTrusted: caller => peer?.consensus.isTrusted(caller) ?? false })
    try {
      const transport = options.consensus === 'crdt' ? undefined : await (await import('@cluster/raft/libp2p')).Libp2pTransport.create(host)
      peer = new ClusterPeer(host, options, transport, rpcServer)
      await peer.consensus.start()
    } catch (err) {
      // E.g. a data folder it cannot use: nothing else was started yet.
      await peer?.consensus.shutdown().catch(() => {})
      await host.stop()
      throw err
    }
    serveRpc(peer, rpcServer)
    await rpcServer.listen(host)
    peer.monitor.start()
    peer.stops.push(...startLoops(peer), keepMeshed(peer))
    peer.rebalancer = rebalancerFor(peer)
    try {
      for (const addr of options.bootstrap ?? []) await peer.join(addr)
    } catch (err) {
      await peer.stop()
      throw err
    }
    peer.rebalancer.resume()
    return peer
  }

  /**
   * Join (cluster-behaviour.md §11.2): asks the peer at `addr` to add us, waits for a leader
   * (Raft), then re-checks every pin (what pins the existing pinset here). With CRDT the peer
   * joined is trusted (Go's bootstrap peers, unless --no-trust) and the pinset comes from its heads.
   */
  async join (addr: string): Promise<void> {
    const remote = await rememberPeer(this.host, addr)
    if (remote === this.peerId) return
    if (this.consensus instanceof CrdtConsensus) this.consensus.trust(remote)
    await this.rpc.call(remote, Rpc.peerAdd, this.peerId, { timeoutMs: 15_000 }).catch((err: unknown) => { throw joinError(addr, err) })
    if (this.consensus.kind === 'raft') await this.consensus.waitForLeader()
    void this.recoverAllLocal()
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const stop of this.stops) stop()
    await this.rebalancer?.stop()
    this.monitor.stop()
    this.alertLog.stop()
    await this.tracker.close()
    await this.consensus.shutdown()
    await this.rpcServer.close()
    this.connector.shutdown()
    await this.host.stop()
  }

  /** The shared pinset (this peer's copy). */
  get state (): ClusterConsensus['state'] {
    return this.consensus.state
  }

  // --- ClusterApi --------------------------------------------------------------------------

  async id (): Promise<Id> { return await this.identity() }

  async version (): Promise<Version> { return { version: VERSION } }

  async * peers (): AsyncIterable<Id> {
    const members = this.peerset()
    const results = await this.rpc.callMany(members, Rpc.id, undefined, { timeoutMs: FANOUT_TIMEOUT_MS })
    for (const member of members) {
      const r = results.get(member)
      if (r instanceof RpcError) {
        if (r.type === 'authorization') continue
        yield unreachableId(member, r.message)
      } else if (r !== undefined) yield r
    }
  }

  async peerAdd (peer: PeerId): Promise<Id> {
    this.assertRunning()
    await this.consensus.addPeer(peer)
    try {
      return await this.rpc.call(peer, Rpc.id, undefined, { timeoutMs: FANOUT_TIMEOUT_MS })
    } catch (err) {
      return unreachableId(peer, (err as Error).message)
    }
  }

  async peerRemove (peer: PeerId): Promise<void> {
    this.assertRunning()
    if (!this.options.disableRepinning) {
      // As Go's vacatePeer: pins that cannot move are logged; the removal goes on.
      const report = await repinFrom(this.repinContext(), peer, false)
      if (report.failed > 0) {
        this.log('error', `could not move ${report.failed} pins away from ${peer} (first: ${report.firstError?.cid ?? ''}: ${report.firstError?.error ?? ''})` +
          (report.stopped ? '; the others were not tried' : ''))
      }
    }
    await this.consensus.rmPeer(peer)
  }

  async * allocations (filter: PinTypeFilter): AsyncIterable<Pin> {
    for (const pin of this.consensus.state.list()) if (pinTypeMatches(pin.type, filter)) yield pin
  }

  async * allocationsJson (filter: PinTypeFilter): AsyncIterable<string> {
    yield * this.consensus.state.listJson(type => pinTypeMatches(type as Pin['type'], filter))
  }

  /** The pinset's search index (search filters of the REST API). */
  get pinSearch (): ClusterConsensus['state'] { return this.consensus.state }

  async allocation (cid: CID): Promise<Pin> {
    const pin = this.consensus.state.get(cid)
    if (pin === undefined) throw new PinNotFoundError()
    return pin
  }

  async pin (cid: CID, options: PinOptions): Promise<Pin> {
    if (options.pinUpdate !== undefined && !options.pinUpdate.equals(cid)) return await this.pinUpdate(options.pinUpdate, cid, options)
    return await this.pinWith({ ...options, cid, type: 'pin', allocations: [], maxDepth: options.mode === 'direct' ? 0 : -1, reference: undefined, timestamp: Timestamp.ZERO }, [])
  }

  /**
   * PinUpdate (cluster-behaviour.md §3.4): the new CID takes the old pin's allocations, factors,
   * mode and metadata (no allocation runs); the name and a future expiry may be replaced; the old
   * pin stays. Allocated peers pin the new CID with Kubo's `pin/update` when they can.
   */
  async pinUpdate (from: CID, to: CID, options: PinOptions): Promise<Pin> {
    this.assertWritable()
    const pin = updatedPin(await this.allocation(from), from, to, options, Timestamp.now())
    await this.consensus.logPin(pin)
    return pin
  }

  /** Known addresses of the other members (`/…/p2p/<id>`), for the peerstore file. */
  async peerAddresses (): Promise<string[]> {
    return await memberAddresses(this.host, this.peerset().filter(p => p !== this.peerId))
  }

  /** Every member's Kubo repository sizes (the proxy's `repo/stat` sums them). */
  async repoStats (opts: { signal?: AbortSignal } = {}): Promise<Array<{ repoSize: bigint, storageMax: bigint } | Error>> {
    const results = await this.rpc.callMany(this.peerset(), Rpc.ipfsRepoStat, undefined, { timeoutMs: FANOUT_TIMEOUT_MS, ...(opts.signal === undefined ? {} : { signal: opts.signal }) })
    return [...results.values()].map(r => r instanceof Error ? r : { repoSize: BigInt(r[0] ?? '0'), storageMax: BigInt(r[1] ?? '0') })
  }

  async pinPath (path: string, options: PinOptions): Promise<Pin> {
    this.assertWritable()
    return await this.pin(await this.connector.resolve(path), options)
  }

  add (upload: AddUpload, params: AddParams, opts: { signal?: AbortSignal } = {}): AsyncIterable<AddedOutput> {
    return addContent({
      self: this.peerId,
      blockAllocate: async p => await this.blockAllocate(p),
      destination: peer => peer === this.peerId ? localDestination(this.peerId, this.connector, opts.signal) : remoteDestination(peer, this.rpc, opts.signal),
      // setupPin clears the preset allocations again when the pin is "everywhere".
      pinRoot: async (root, p, allocations) => {
        await this.pinWith({ ...p.pinOptions, cid: root, type: 'pin', allocations: allocations as PeerId[], maxDepth: -1, reference: undefined, timestamp: Timestamp.ZERO }, [])
      }
    }, upload, params, opts.signal)
  }

  async unpin (cid: CID): Promise<Pin> {
    this.assertWritable()
    const pin = await this.allocation(cid)
    if (pin.type === 'shard-pin') throw new Error('cannot unpin a shard directly. Unpin content root CID instead')
    if (pin.type === 'clusterdag-pin') throw new Error('cannot unpin a Cluster DAG directly. Unpin content root CID instead')
    await this.consensus.logUnpin(pin)
    return pin
  }

  /** Many pins and unpins in few consensus entries (batch.ts). */
  pinBatch (items: BatchItem[]): AsyncIterable<BatchItemResult> {
    this.assertWritable()
    return pinBatch(this, items)
  }

  /** Moves pins to the allocation they would get now (rebalance/). */
  rebalance (request: RebalanceRequest): AsyncIterable<RebalanceEvent> {
    this.assertWritable()
    return (this.rebalancer as Rebalancer).start(request)
  }

  async unpinPath (path: string): Promise<Pin> {
    this.assertWritable()
    return await this.unpin(await this.connector.resolve(path))
  }

  async status (cid: CID, opts: LocalOption = {}): Promise<GlobalPinInfo> { return await clusterStatus(this, cid, opts) }

  statusAll (filter: TrackerStatusFilter, opts: StatusAllOptions = {}): AsyncIterable<GlobalPinInfo> { return clusterStatusAll(this, filter, opts) }

  async recover (cid: CID, opts: LocalOption = {}): Promise<GlobalPinInfo> { return await clusterRecover(this, cid, opts) }

  recoverAll (opts: LocalOption = {}): AsyncIterable<GlobalPinInfo> { return clusterRecoverAll(this, opts) }

  async repoGc (opts: LocalOption = {}): Promise<GlobalRepoGc> {
    return await repoGcAll(this, opts.local === true ? [this.peerId] : this.peerset())
  }

  async connectGraph (): Promise<ConnectGraph> {
    return await connectGraphOf(this, this.peerId)
  }

  async alerts (): Promise<Alert[]> { return this.alertLog.all() }
  async bandwidth (): Promise<BandwidthByProtocol> { return null }
  async metrics (name: string): Promise<Metric[]> { return this.monitor.latest(name) }
  async metricNames (): Promise<string[]> { return this.monitor.store.names() }
  ipfsAddressesOf (peer: PeerId): Multiaddr[] { return this.card(peer).ipfsAddresses as Multiaddr[] }

  // --- internals ---------------------------------------------------------------------------

  /** This peer's ID object (cluster-behaviour.md §10). */
  async identity (): Promise<Id> {
    return await identityOf(this.host, this.peerId, this.peerset(), { version: VERSION, rpcProtocolVersion: RPC_PROTOCOL_VERSION, peername: this.options.peername, ipfs: this.ipfs })
  }

  peerset (): string[] {
    try {
      return this.consensus.peers()
    } catch {
      return [this.peerId]
    }
  }

  /** The pin flow of cluster-behaviour.md §3.1. */
  private async pinWith (pin: Pin, blacklist: string[]): Promise<Pin> {
    this.assertWritable()
    const existing = this.consensus.state.get(pin.cid)
    const now = Timestamp.now()
    const ready = setupPin(pin, existing, this.options, now)
    ready.timestamp = now
    if (ready.type !== 'meta-pin' && (ready.allocations ?? []).length === 0 && !(ready.replicationFactorMin === -1 && ready.replicationFactorMax === -1)) {
      const everywhere = existing !== undefined && existing.replicationFactorMin === -1 && existing.replicationFactorMax === -1
      ready.allocations = await allocateOnceHeard(() => allocateFor(this.monitor, this.options.allocateBy, ready, everywhere ? [] : existing?.allocations ?? [], blacklist), this.metricsGraceUntil)
    }
    await this.consensus.logPin(ready)
    return ready
  }

  /** BlockAllocate (cluster-behaviour.md §4.4): where an add sends its blocks. */
  async blockAllocate (params: AddParams): Promise<string[]> {
    this.assertWritable()
    return blockAllocation(this.monitor, this.options, new Set(this.peerset()), params)
  }

  /** Peername and IPFS identity of a peer from its last ping metric (ourselves: live values). */
  card (peer: string): PeerCard {
    if (peer === this.peerId) return { peername: this.options.peername, ...(this.ipfs.id === undefined ? {} : { ipfsPeerId: this.ipfs.id }), ipfsAddresses: this.ipfs.published }
    const ping = readPingValue(this.monitor.store.latestForPeer('ping', peer))
    return { peername: ping.peername, ...(ping.ipfsId === undefined ? {} : { ipfsPeerId: ping.ipfsId }), ipfsAddresses: ping.ipfsAddresses }
  }

  /** RecoverAllLocal: re-queue what this peer should pin but does not (errors are logged). */
  async recoverAllLocal (): Promise<void> {
    try {
      for await (const _ of this.tracker.recoverAll()) { /* re-queued */ }
    } catch (err) {
      if (!this.stopped) this.log('warn', `recover: ${(err as Error).message}`)
    }
  }

  repinContext (): RepinContext {
    return {
      self: this.peerId,
      peerset: () => this.peerset(),
      allocatedTo: peer => pinsAllocatedTo(this.consensus.state, peer),
      repin: async (pin, blacklist) => { await this.pinWith(pin, blacklist) }
    }
  }

  private assertRunning (): void {
    if (this.stopped) throw new ClusterStoppedError()
  }

  /** Running and not in follower mode. */
  private assertWritable (): void {
    this.assertRunning()
    if (this.options.followerMode) throw new FollowerModeError()
  }

  /** This peer's ID in follower mode (the fan-outs then only involve it). */
  get followerOf (): string | undefined {
    return this.options.followerMode ? this.peerId : undefined
  }

  log (level: LogLevel, message: string, facility?: string): void {
    this.options.logger?.(level, message, facility)
  }
}

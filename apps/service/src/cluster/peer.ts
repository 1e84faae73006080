import {
  pinTypeMatches, Timestamp,
  type AddedOutput, type AddParams, type BatchItem, type BatchItemResult, type AddUpload, type Alert, type BandwidthByProtocol, type CID, type ClusterApi, type ConnectGraph, type GlobalPinInfo,
  type GlobalRepoGc, type Id, type LocalOption, type LogLevel, type StatusAllOptions, type Metric, type Multiaddr, type PeerId, type Pin, type PinInfo,
  type PinOptions, type PinTypeFilter, type RebalanceEvent, type RebalanceRequest, type TrackerStatusFilter, type Version
} from '@cluster/api'
import type { ClusterConsensus } from '@cluster/consensus'
import { IpfsConnector } from '@cluster/ipfs-connector'
import { isExpired, PubsubMonitor } from '@cluster/monitor'
import { StatelessTracker } from '@cluster/pintracker'
import type { Libp2pTransport } from '@cluster/raft/libp2p'
import { RpcClient, RpcServer } from '@cluster/rpc'
import type { PeerCard } from './aggregate.ts'
import { ClusterStoppedError, FollowerModeError } from './errors.ts'
import { createHost, type ClusterHost } from './host.ts'
import { metricCodec } from './metrics.ts'
import { withDefaults, type ClusterPeerOptions, type PEER_DEFAULTS } from './options.ts'
import { draftPin, PinWriter } from './pins.ts'
import { Membership } from './membership.ts'
import { Rpc } from './rpc-methods.ts'
import { FANOUT_TIMEOUT_MS, connectGraphOf, repoGcAll } from './fanout.ts'
import { clusterRecoverAll, clusterRecover, clusterStatus, clusterStatusAll } from './statuses.ts'
import { trackerIpfsOf } from './adapters.ts'
import { serveRpc } from './rpc-server.ts'
import { createConsensus } from './consensus-setup.ts'
import { coalesced, pinsAllocatedTo, type RepinContext } from './repin.ts'
import { AlertLog } from './alerts.ts'
import { blockAllocation } from './allocation.ts'
import { addContent } from './add.ts'
import { startLoops } from './loops.ts'
import type { IpfsIdentity } from './ping.ts'
import { localDestination, remoteDestination } from './block-destinations.ts'
import { keepMeshed } from './mesh.ts'
import { pinBatch } from './batch.ts'
import { rebalancerFor, type Rebalancer } from './rebalance/index.ts'
import { VERSION } from './version.ts'
import { goRpcServer, goRpcWire } from './go-rpc.ts'

/**
 * One cluster peer: the libp2p host, consensus (Raft or CRDT) over the shared pinset, the pin tracker
 * driving the local Kubo, the monitor and allocator, and peer RPC. Implements ClusterApi, which
 * the REST API and the proxy serve. The components are built in the constructor and started in
 * `start()`, in one place; pin writes are `pins` (pins.ts), membership is `members`
 * (membership.ts), status fan-outs are statuses.ts, committed pins reach the tracker in
 * consensus-setup.ts.
 */
export class ClusterPeer implements ClusterApi {
  readonly peerId: PeerId
  readonly host: ClusterHost
  readonly consensus: ClusterConsensus
  readonly tracker: StatelessTracker
  readonly connector: IpfsConnector
  readonly monitor: PubsubMonitor<Metric>
  readonly rpc: RpcClient
  /** Pin, update and unpin (pins.ts). */
  readonly pins: PinWriter
  /** Peerset, identities, join, add and remove (membership.ts). */
  readonly members: Membership
  readonly options: ClusterPeerOptions & typeof PEER_DEFAULTS
  private readonly alertLog: AlertLog
  /** Every started component's stop, run in reverse order by stop(). */
  private readonly running: AsyncDisposableStack
  private rebalancer: Rebalancer | undefined
  /** What this peer last learned of its Kubo (updated by the ping loop). */
  ipfs: IpfsIdentity = { addresses: [], published: [], error: 'not contacted yet' }
  private stopped = false
  /** Set once the periodic tasks run (startLoops). */
  private loopsRunning = false
  private readonly startedAt = Date.now()

  /**
   * Until when (ms since the epoch) an allocation may wait for the other members' metrics: just
   * after a start this peer has heard only its own (at most one informer round, 20 s at most).
   */
  get metricsGraceUntil (): number {
    return this.startedAt + Math.min(this.options.informerTtlMs / 2 + 2_000, 20_000)
  }

  private constructor (host: ClusterHost, options: ClusterPeerOptions & typeof PEER_DEFAULTS, transport: Libp2pTransport | undefined, rpcServer: RpcServer, running: AsyncDisposableStack) {
    this.host = host
    this.options = options
    this.peerId = host.peerId.toString() as PeerId
    this.running = running
    const metrics = options.metrics
    this.rpc = new RpcClient(host, rpcServer, { alternate: goRpcWire(host), ...(metrics?.rpcCall === undefined ? {} : { onCall: sample => { metrics.rpcCall?.(sample) } }) })
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
    this.pins = new PinWriter(this)
    this.members = new Membership(this)
  }

  /**
   * Starts every component in order; each one started is put on the peer's one disposable
   * stack, so `stop()` — and a start that fails half-way — stops them in reverse order.
   */
  static async start (opts: ClusterPeerOptions): Promise<ClusterPeer> {
    const options = withDefaults(opts)
    const running = new AsyncDisposableStack()
    let peer: ClusterPeer | undefined
    try {
      const host = await createHost({ privateKey: options.privateKey, listen: options.listen, secret: options.secret, peers: options.peerAddresses ?? [], metricsRegistry: options.metrics?.registry, statfsLocation: options.dataDir, onWarning: message => { options.logger?.('warn', message, 'cluster') } })
      running.defer(async () => { await host.stop() })
      // Trusted RPC (cluster-behaviour.md §14.1): with CRDT only trusted peers may call it.
      const rpcServer = new RpcServer({
        self: host.peerId.toString(),
        isTrusted: caller => peer?.consensus.isTrusted(caller) ?? false,
        ...(options.closedRpcMethods === undefined ? {} : { closed: new Set(options.closedRpcMethods) })
      })
      const transport = options.consensus === 'crdt' ? undefined : await (await import('@cluster/raft/libp2p')).Libp2pTransport.create(host)
      const started = new ClusterPeer(host, options, transport, rpcServer, running)
      peer = started
      running.defer(() => { started.connector.shutdown() })
      running.defer(async () => { await rpcServer.close() })
      running.defer(async () => { await started.consensus.shutdown() })
      running.defer(async () => { await started.tracker.close() })
      await started.consensus.start()
      serveRpc(started, rpcServer)
      await rpcServer.listen(host)
      // Go peers of a mixed CRDT cluster call the same handlers over Go's protocol.
      const goRpc = goRpcServer(rpcServer, started)
      await goRpc.listen(host)
      running.defer(async () => { await goRpc.close() })
      running.defer(() => { started.alertLog.stop() })
      started.monitor.start()
      running.defer(() => { started.monitor.stop() })
      for (const stop of [...startLoops(started), keepMeshed(started)]) running.defer(stop)
      started.loopsRunning = true
      const rebalancer = started.rebalancer = rebalancerFor(started)
      running.defer(async () => { await rebalancer.stop() })
      for (const addr of options.bootstrap ?? []) await started.join(addr)
      rebalancer.resume()
      return started
    } catch (err) {
      // E.g. a data folder it cannot use, or a bootstrap peer that refused us.
      if (peer !== undefined) peer.stopped = true
      await running.disposeAsync().catch(() => {})
      throw err
    }
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.running.disposeAsync()
  }

  /** The shared pinset (this peer's copy). */
  get state (): ClusterConsensus['state'] {
    return this.consensus.state
  }

  // --- ClusterApi --------------------------------------------------------------------------

  async id (): Promise<Id> { return await this.identity() }

  async version (): Promise<Version> { return { version: VERSION } }

  // Membership: membership.ts.
  peers (): AsyncIterable<Id> { return this.members.peers() }
  async peerAdd (peer: PeerId): Promise<Id> { return await this.members.peerAdd(peer) }
  async peerRemove (peer: PeerId): Promise<void> { await this.members.peerRemove(peer) }
  async join (addr: string): Promise<void> { await this.members.join(addr) }
  async identity (): Promise<Id> { return await this.members.identity() }
  peerset (): string[] { return this.members.peerset() }
  card (peer: string): PeerCard { return this.members.card(peer) }
  async peerAddresses (): Promise<string[]> { return await this.members.peerAddresses() }

  async * allocations (filter: PinTypeFilter): AsyncIterable<Pin> {
    for (const pin of this.consensus.state.list()) if (pinTypeMatches(pin.type, filter)) yield pin
  }

  async * allocationsJson (filter: PinTypeFilter): AsyncIterable<string> {
    yield * this.consensus.state.listJson(type => pinTypeMatches(type as Pin['type'], filter))
  }

  /** The pinset's search index (search filters of the REST API). */
  get pinSearch (): ClusterConsensus['state'] { return this.consensus.state }

  // Pin writes: pins.ts.
  async allocation (cid: CID): Promise<Pin> { return this.pins.allocation(cid) }
  async pin (cid: CID, options: PinOptions): Promise<Pin> { return await this.pins.pin(cid, options) }
  async pinUpdate (from: CID, to: CID, options: PinOptions): Promise<Pin> { return await this.pins.pinUpdate(from, to, options) }
  async pinPath (path: string, options: PinOptions): Promise<Pin> { return await this.pins.pinPath(path, options) }
  async unpin (cid: CID): Promise<Pin> { return await this.pins.unpin(cid) }
  async unpinPath (path: string): Promise<Pin> { return await this.pins.unpinPath(path) }

  /** Every member's Kubo repository sizes (the proxy's `repo/stat` sums them). */
  async repoStats (opts: { signal?: AbortSignal } = {}): Promise<Array<{ repoSize: bigint, storageMax: bigint } | Error>> {
    const results = await this.rpc.callMany(this.peerset(), Rpc.ipfsRepoStat, undefined, { timeoutMs: FANOUT_TIMEOUT_MS, ...(opts.signal === undefined ? {} : { signal: opts.signal }) })
    return [...results.values()].map(r => r instanceof Error ? r : { repoSize: BigInt(r[0] ?? '0'), storageMax: BigInt(r[1] ?? '0') })
  }

  add (upload: AddUpload, params: AddParams, opts: { signal?: AbortSignal } = {}): AsyncIterable<AddedOutput> {
    return addContent({
      self: this.peerId,
      blockAllocate: async p => await this.blockAllocate(p),
      destination: peer => peer === this.peerId ? localDestination(this.peerId, this.connector, opts.signal) : remoteDestination(peer, this.rpc, opts.signal),
      // setupPin clears the preset allocations again when the pin is "everywhere".
      pinRoot: async (root, p, allocations) => {
        await this.pins.pinWith({ ...draftPin(root, p.pinOptions, allocations), maxDepth: -1 }, [])
      }
    }, upload, params, opts.signal)
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

  /** BlockAllocate (cluster-behaviour.md §4.4): where an add sends its blocks. */
  async blockAllocate (params: AddParams): Promise<string[]> {
    this.assertWritable()
    return blockAllocation(this.monitor, this.options, new Set(this.peerset()), params)
  }

  /** Recover-all runs started since the peer started. */
  recoverRuns = 0

  /**
   * RecoverAllLocal: re-queue what this peer should pin but does not (errors are logged). One
   * run at a time: a call during a run makes one more run after it.
   */
  readonly recoverAllLocal: () => Promise<void> = coalesced(async () => {
    this.recoverRuns++
    try {
      for await (const _ of this.tracker.recoverAll()) { /* re-queued */ }
    } catch (err) {
      if (!this.stopped) this.log('warn', `recover: ${(err as Error).message}`)
    }
  })

  /**
   * The whole pinset changed at once (a snapshot restored or installed): every pin is checked
   * against Kubo again. Not for a restore during the start (a pinset rebuilt from the snapshot):
   * the first periodic run, a second later, covers it, and one pass is a second of CPU at 100k pins.
   */
  pinsetRestored (): void {
    if (this.loopsRunning) setImmediate(() => { void this.recoverAllLocal() })
  }

  repinContext (): RepinContext {
    return {
      self: this.peerId,
      peerset: () => this.peerset(),
      allocatedTo: peer => pinsAllocatedTo(this.consensus.state, peer),
      prepare: async (pin, blacklist) => {
        this.assertWritable()
        return await this.pins.preparePin(pin, blacklist, Timestamp.now())
      },
      commit: pins => this.commitRepins(pins)
    }
  }

  private async * commitRepins (pins: Pin[]): AsyncGenerator<{ pins: Pin[], error?: Error }> {
    for await (const group of this.consensus.logBatch(pins.map(pin => ({ type: 'pin' as const, pin })))) {
      yield { pins: group.ops.map(op => op.pin), ...(group.error === undefined ? {} : { error: group.error }) }
    }
  }

  assertRunning (): void {
    if (this.stopped) throw new ClusterStoppedError()
  }

  /** Throws unless running and not in follower mode. */
  assertWritable (): void {
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

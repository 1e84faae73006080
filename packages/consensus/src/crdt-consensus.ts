import { silentLogger, type Logger, type Pin } from '@cluster/api'
import { BlockExchange, HeadsBroadcaster, type SqliteBlockstore } from '@cluster/blockstore'
import { blockLinks, Pinset, Replica, type BlockAccess, decodePinValue, encodePinValue, pinsetHooks, rebroadcastDelay, stateKey, type SqliteStore } from '@cluster/crdt'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { ClusterConsensus } from './consensus-api.ts'
import { batchingEnabled, resolveCrdtConfig, type CrdtConsensusConfig } from './crdt-config.ts'
import { WriteBatcher, addWrites, type BatchedWrite } from './crdt-batching.ts'
import type { BatchJournal } from './batch-journal.ts'
import { CRDT_JOURNAL_FILE, VIEW_CLEAN, closeCrdtFolder, openCrdtFolder } from './crdt-folder.ts'
import { RepairBackoff } from './crdt-repair-backoff.ts'
import { ViewWriter } from './crdt-view-writer.ts'
import { CommitError, ConsensusShutdownError, NoLeaderError, StorageUnavailableError, isStorageFailure } from './errors.ts'
import type { LogOp } from './ops.ts'
import { CommitTraces } from './commit-trace.ts'
import type { ApplyHooks, PinsetState } from './state.ts'

/** Block bytes an announcement carries at most. */
const CARRY_BLOCK_BYTES = 256 * 1024
/** Received deltas merged within this long share one store commit and one view update (else a peer
 *  taking a write every few ms from another commits twice per delta); they show here this much later at most. */
const MERGE_COMMIT_DELAY_MS = 10
/** Our writes are announced at most this often (see Announcer): the others see them this much later at most. */
const ANNOUNCE_INTERVAL_MS = 20
/** A peer that subscribes to the CRDT topic gets our heads this long after (see announceHeadsSoon). */
const JOIN_ANNOUNCE_MS = 500
/** Writes per delta when a journal is replayed with batching now off. */
const REPLAY_BATCH_SIZE = 1000

export interface CrdtConsensusInit {
  /** This peer's ID. */
  id: string
  /** The CRDT data folder (crdt.sqlite, blocks.sqlite, pinset.sqlite). */
  dataDir: string
  /** The cluster host (gossipsub as `services.pubsub`, identify). Absent: offline (state commands). */
  libp2p?: Libp2p<{ pubsub: GossipSub }>
  config?: Partial<CrdtConsensusConfig>
  hooks?: ApplyHooks
  /** Peers whose latest `peerset_metric` is valid now (Go's CRDT peerset, self not needed). */
  members?: () => string[]
  /** After each pin/unpin write, with its duration (metrics). */
  onCommit?: (op: 'pin' | 'unpin', seconds: number, ok: boolean) => void
  /** What consensus does that an operator should see (repairs, undecodable broadcasts). */
  log?: Logger
}

/**
 * The cluster's shared pinset as a Merkle-CRDT, wire-compatible with Go IPFS Cluster's CRDT
 * consensus (go-ds-crdt): every peer writes (no leader), deltas are dag-pb blocks exchanged over
 * bitswap, heads are announced on the cluster's gossipsub topic and accepted from trusted peers
 * only. The pinset the rest of the peer reads (listings, search) is a SQLite view kept from the
 * CRDT's put and delete hooks, rebuilt from the CRDT after a crash.
 */
export class CrdtConsensus implements ClusterConsensus {
  readonly kind = 'crdt'
  readonly id: string
  readonly state: PinsetState
  readonly replica: Replica
  readonly config: CrdtConsensusConfig
  private readonly traces = new CommitTraces('crdt')
  private readonly pinset: Pinset
  private readonly store: SqliteStore
  private readonly blockstore: SqliteBlockstore
  private readonly exchange?: BlockExchange
  private readonly heads?: HeadsBroadcaster
  private readonly batcher?: WriteBatcher
  private readonly journal?: BatchJournal
  private readonly trusted: Set<string>
  private readonly trustAll: boolean
  private readonly init: CrdtConsensusInit
  private readonly log: Logger
  private readonly closing = new AbortController()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly view: ViewWriter
  private readonly repairs: RepairBackoff
  private headsAnnouncement: ReturnType<typeof setTimeout> | undefined
  private lastHeadsAnnouncement = 0
  private stopped = false
  /** The journal's replay at start: writes wait for it, so they go out after what it holds. */
  private replaying: Promise<void> = Promise.resolve()

  constructor (init: CrdtConsensusInit) {
    this.init = init
    this.id = init.id
    this.config = resolveCrdtConfig(init.config)
    this.log = init.log ?? silentLogger
    this.trustAll = this.config.trustedPeers.includes('*')
    this.trusted = new Set(this.config.trustedPeers.filter(p => p !== '*'))
    const folder = openCrdtFolder(init.dataDir, this.traces.wrap(init.hooks), { batching: batchingEnabled(this.config) })
    for (const repair of folder.repairs) this.log('warn', repair)
    this.store = folder.store
    this.blockstore = folder.blockstore
    this.state = folder.view
    this.view = new ViewWriter(folder.view, this.log)
    // Whatever the dirty bit says: on a full disk, setting it may have failed too.
    this.repairs = new RepairBackoff(() => { if (!this.stopped) void this.repair() }, this.config.repairIntervalMs)
    this.journal = folder.journal
    if (init.libp2p !== undefined) {
      this.exchange = new BlockExchange({ libp2p: init.libp2p, blockstore: this.blockstore, linksOf: blockLinks })
      this.heads = new HeadsBroadcaster({
        pubsub: init.libp2p.services.pubsub,
        self: init.libp2p.peerId,
        clusterName: this.config.clusterName,
        isTrusted: peer => this.isTrusted(peer.toString()),
        onPeerSubscribed: () => { this.announceHeadsSoon() }
      })
    }
    // Offline (state commands): the local blocks only, as Go's offline ipfs-lite.
    const blocks: BlockAccess = this.exchange ?? {
      getBlock: async (cid) => this.blockstore.getBytes(cid),
      putBlock: async (cid, bytes) => { await this.blockstore.put(cid, bytes) }
    }
    const replica: Replica = new Replica({
      store: this.store,
      blocks,
      ...(this.heads === undefined ? {} : { broadcast: (payload: Uint8Array) => { this.heads?.broadcastSoon(payload, (err) => { if (!this.stopped) this.log('warn', `announcing new heads: ${err.message}`) }) } }),
      ...pinsetHooks(() => replica, {
        track: pin => { this.view.queue({ type: 'pin', pin }) },
        untrack: cid => {
          // A pin merged in this same turn (a catch-up walk meets an add and its delete together)
          // is still queued, not yet in the view: the delete must follow it there.
          const queued = this.view.queued(cid)
          const pin = queued === undefined ? this.state.get(cid) : queued.type === 'pin' ? queued.pin : undefined
          if (pin !== undefined) this.view.queue({ type: 'unpin', pin })
        },
        onBadValue: (key, err) => { this.log('warn', `skipping a pin value that does not decode (${key}): ${String(err)}`) }
      }),
      // Pins that arrive while one is being written go out together as one block (never with
      // configured batching, which gathers them itself): far fewer blocks to make, fetch and merge.
      coalesceWrites: !batchingEnabled(this.config),
      // Our peers get new blocks with the announcement instead of a bitswap exchange per block
      // (Go peers ignore them and fetch as before); under gossipsub's 1 MiB message limit.
      carryBlockBytes: CARRY_BLOCK_BYTES,
      mergeCommitDelayMs: MERGE_COMMIT_DELAY_MS,
      announceIntervalMs: ANNOUNCE_INTERVAL_MS,
      log: this.log
    })
    this.replica = replica
    this.pinset = new Pinset(replica, (key, err) => { this.log('warn', `undecodable pin value at ${key}: ${String(err)}`) })
    if (batchingEnabled(this.config)) {
      this.batcher = new WriteBatcher({
        openBatch: () => this.replica.batch(),
        maxBatchSize: this.config.maxBatchSize,
        maxBatchAgeMs: this.config.maxBatchAgeMs,
        maxQueueSize: this.config.maxQueueSize,
        ...(this.journal === undefined ? {} : { journal: this.journal }),
        onError: err => { this.log('warn', `a batch of pins could not be committed (retried; its writes are kept): ${err.message}`) }
      })
    }
    if (folder.viewStale) this.rebuildView()
  }

  /**
   * Starts bitswap, the head announcements and their handling, rebroadcasts and repairs, then
   * commits the batched writes a crash left in the journal (offline too: state export sees them).
   */
  async start (): Promise<void> {
    if (this.exchange !== undefined && this.heads !== undefined) {
      await this.exchange.start()
      this.heads.start()
      void this.receiveLoop(this.heads)
      this.schedule(() => rebroadcastDelay(this.config.rebroadcastIntervalMs), async () => { await this.replica.rebroadcast() })
      if (this.config.repairIntervalMs > 0) {
        if (this.replica.isDirty()) void this.repair()
        this.schedule(() => this.config.repairIntervalMs, async () => { if (this.replica.isDirty()) await this.repair() })
      }
    }
    this.replaying = this.replayJournal()
    await this.replaying
  }

  /** Commits, in queue order, the writes batching had answered before the peer stopped uncleanly. */
  private async replayJournal (): Promise<void> {
    const left = this.journal?.pending() ?? []
    if (left.length === 0) return
    this.log('warn', `committing ${left.length} batched pin writes answered before an unclean stop`)
    const size = this.config.maxBatchSize > 0 ? this.config.maxBatchSize : REPLAY_BATCH_SIZE
    try {
      for (let i = 0; i < left.length; i += size) {
        const part = left.slice(i, i + size)
        const batch = this.replica.batch()
        await addWrites(batch, part.map(j => j.write))
        await batch.commit()
        this.journal?.committed(part.at(-1)?.seq as number)
      }
    } catch (err) {
      throw new CommitError(`committing the batched writes of ${CRDT_JOURNAL_FILE} failed (they are kept; moving the file away starts without them): ${(err as Error).message}`, { cause: err })
    }
    this.view.flush()
  }

  // --- writes -------------------------------------------------------------------------------

  async logPin (pin: Pin): Promise<void> {
    const value = encodePinValue(pin)
    decodePinValue(value)
    await this.write('pin', pin, async () => {
      if (this.batcher !== undefined) await this.batcher.write({ key: stateKey(pin.cid), value })
      else await this.pinset.add(pin)
    })
  }

  async logUnpin (pin: Pin): Promise<void> {
    await this.write('unpin', pin, async () => {
      if (this.batcher !== undefined) await this.batcher.write({ key: stateKey(pin.cid) })
      else await this.pinset.rm(pin.cid)
    })
  }

  /** Every operation in one CRDT batch: one delta (more past 1 MiB each), one announcement. */
  async * logBatch (ops: readonly LogOp[]): AsyncGenerator<{ ops: LogOp[], error?: Error }> {
    let error: Error | undefined
    try {
      await this.inOneBatch(ops.map(op => ({ key: stateKey(op.pin.cid), ...(op.type === 'pin' ? { value: encodePinValue(op.pin) } : {}) })))
    } catch (err) {
      error = err as Error
    }
    yield error === undefined ? { ops: [...ops] } : { ops: [...ops], error }
  }

  /**
   * Puts and deletes in one batch (logBatch; `state import`, with pins already encoded, as Go's
   * import). Each full delta goes to the view at once: nothing here yields to the event loop.
   */
  async inOneBatch (writes: Iterable<BatchedWrite>): Promise<void> {
    this.assertRunning()
    const batch = this.replica.batch()
    await addWrites(batch, writes, () => { this.view.flush() })
    await batch.commit()
    this.view.flush()
  }

  private async write (op: 'pin' | 'unpin', pin: Pin, fn: () => Promise<void>): Promise<void> {
    this.assertRunning()
    const started = performance.now()
    try {
      await this.replaying
      await this.traces.commit(op, pin, fn)
    } catch (err) {
      this.init.onCommit?.(op, (performance.now() - started) / 1000, false)
      if (isStorageFailure(err)) throw new StorageUnavailableError(`crdt ${op}: this peer cannot write to its disk: ${(err as Error).message}`, { cause: err })
      throw err instanceof CommitError ? err : new CommitError(`crdt ${op}: ${(err as Error).message}`, { cause: err })
    }
    this.view.flush()
    this.init.onCommit?.(op, (performance.now() - started) / 1000, true)
  }

  /** The pins as the CRDT holds them (state export), a page at a time. */
  pins (): Generator<Pin> {
    return this.pinset.list()
  }

  // --- peerset and trust (consensus-crdt.md §5.3, §5.4) ---------------------------------------

  leader (): string { throw new NoLeaderError('crdt consensus component does not provide a leader') }

  isLeader (): boolean { return false }

  async waitForLeader (): Promise<string> { throw new NoLeaderError('crdt consensus component does not provide a leader') }

  /** Holders of a valid peerset metric and this peer, sorted by peer-ID bytes as Go. */
  peers (): string[] {
    this.assertRunning()
    const ids = new Set([this.id, ...(this.init.members?.() ?? [])])
    return [...ids].map(id => ({ id, bytes: idBytes(id) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes)).map(p => p.id)
  }

  /** A no-op, as in Go: membership comes from metrics. */
  async addPeer (_id: string): Promise<void> {}

  async rmPeer (_id: string): Promise<void> { throw new CommitError('crdt consensus component cannot remove peers') }

  /** Nothing to wait for: writes resolve once merged here (batched ones once journaled; they show when their batch commits, as in Go). */
  async readBarrier (): Promise<void> {}

  isTrusted (id: string): boolean {
    return this.trustAll || id === this.id || this.trusted.has(id)
  }

  /** Trusts `id` from now on (bootstrap peers; runtime only, as Go's Trust). */
  trust (id: string): void { this.trusted.add(id) }

  distrust (id: string): void { this.trusted.delete(id) }

  // --- lifecycle ----------------------------------------------------------------------------

  async shutdown (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.closing.abort()
    for (const t of this.timers) clearTimeout(t)
    clearTimeout(this.headsAnnouncement)
    this.repairs.stop()
    await this.batcher?.close().catch(() => {})
    this.journal?.close()
    await this.replica.announcer.flush().catch(() => {})
    await this.heads?.flush()
    this.heads?.stop()
    await this.replica.close()
    await this.exchange?.stop()
    this.view.flush()
    this.view.stop()
    // A view behind the store (its disk was full) stays marked unclean: rebuilt at the next start.
    if (this.view.caughtUp) {
      this.state.syncToDisk()
      this.state.setAppliedIndex(VIEW_CLEAN)
    }
    closeCrdtFolder(this.init.dataDir, { view: this.state, store: this.store, blockstore: this.blockstore })
  }

  // --- internals ----------------------------------------------------------------------------

  private async receiveLoop (heads: HeadsBroadcaster): Promise<void> {
    while (!this.stopped) {
      let payload: Uint8Array
      try {
        payload = await heads.next({ signal: this.closing.signal })
      } catch {
        return
      }
      this.replica.receive(payload).then(result => {
        this.view.flush()
        if (result.failed.length === 0) return
        this.log('warn', `could not fetch the DAG of ${result.failed.length} head(s) (${result.failed.map(String).join(', ')}); the store is dirty and will be repaired`)
        this.repairs.request()
      }, (err: Error) => {
        if (this.stopped) return
        // Not merged: its heads come again with the next broadcast or rebroadcast.
        if (isStorageFailure(err)) this.log('error', `could not merge a broadcast: this peer cannot write to its disk (${err.message})`)
        else this.log('warn', `ignoring a broadcast that does not decode: ${err.message}`)
      })
    }
  }

  private async repair (): Promise<void> {
    this.log('info', 'repairing the crdt store (it was not shut down cleanly or missed blocks)')
    const ok = await this.replica.repair().catch((err: Error) => { this.log('warn', `crdt repair: ${err.message}`); return false })
    this.view.flush()
    if (!ok) {
      if (!this.stopped) this.repairs.request()
      return
    }
    this.repairs.succeeded()
    this.log('info', 'crdt store repaired')
  }

  /**
   * A peer that (re)joins would otherwise learn the heads from the next write or rebroadcast (a
   * minute by default): it gets ours shortly after it subscribes. One announcement covers every
   * peer that subscribed before it goes out, and they go out a second apart at most (a peer
   * resubscribing in a loop costs one small message a second).
   */
  private announceHeadsSoon (): void {
    if (this.headsAnnouncement !== undefined || this.stopped) return
    const at = Math.max(Date.now() + JOIN_ANNOUNCE_MS, this.lastHeadsAnnouncement + 2 * JOIN_ANNOUNCE_MS)
    this.headsAnnouncement = setTimeout(() => {
      this.headsAnnouncement = undefined
      this.lastHeadsAnnouncement = Date.now()
      const payload = this.replica.announcer.headsPayload()
      if (payload === undefined || this.stopped) return
      this.heads?.broadcast(payload).catch((err: Error) => { if (!this.stopped) this.log('warn', `announcing the heads to a new peer: ${err.message}`) })
    }, at - Date.now())
    this.headsAnnouncement.unref()
  }

  /** Runs `task` after `delay()` ms, again and again, until shutdown. */
  private schedule (delay: () => number, task: () => Promise<void>): void {
    const run = (): void => {
      const t = setTimeout(() => {
        this.timers.splice(this.timers.indexOf(t), 1)
        task().catch((err: Error) => { if (!this.stopped) this.log('warn', err.message) }).finally(() => { if (!this.stopped) run() })
      }, delay())
      t.unref()
      this.timers.push(t)
    }
    run()
  }

  /** The view made again from the CRDT (after a crash or a damaged view file). */
  private rebuildView (): void {
    this.state.replaceAll(this.pinset.list(), 0)
    if (this.state.count() > 0) this.log('info', `pinset view rebuilt from the crdt store (${this.state.count()} pins)`)
  }

  private assertRunning (): void {
    if (this.stopped) throw new ConsensusShutdownError()
  }
}

function idBytes (id: string): Uint8Array {
  try {
    return peerIdFromString(id).toMultihash().bytes
  } catch {
    return new TextEncoder().encode(id)
  }
}

import { decodeConfChange } from './confchange.ts'
import { proposalId, unwrap } from './envelope.ts'
import type { ConfChange, Entry, Message, NodeId } from './messages.ts'
import { isEmptySnapshot } from './messages.ts'
import type { RaftNodeOptions } from './node-options.ts'
import { NodeSnapshots } from './node-snapshots.ts'
import { PendingProposals } from './proposals.ts'
import { ReadBarriers } from './read-barriers.ts'
import { RawNode, type Ready } from './rawnode.ts'
import { SeededRng } from './rng.ts'
import { SyncPersistPolicy } from './sync-persist.ts'
import { committedAndDurable, persistUpdate } from './ready-writes.ts'
import { bootstrapSnapshot } from './storage.ts'
import { ForeignMessageError, NodeStalledError, NodeStoppedError } from './transport-errors.ts'

export type { PersistUpdate, RaftNodeOptions, SnapshotEvent, SnapshotFetcher, StateMachine, WritableStorage } from './node-options.ts'

type Input = { kind: 'tick' } | { kind: 'message', message: Message } | { kind: 'unreachable', peer: NodeId }

/**
 * Drives a {@link RawNode} with real time, durable storage and a transport (etcd's node loop):
 * ticks from a timer; each Ready is handled in order — leader messages go out first, then the
 * entries and hard state are persisted (synced), then the remaining messages are sent, committed
 * entries are applied, and the Ready is acknowledged. An entry is acknowledged to peers only after
 * it is durable; a proposal resolves only after it is committed and applied here.
 */
export class RaftNode<R = unknown> {
  readonly id: NodeId
  private readonly rawNode: RawNode
  private readonly opts: RaftNodeOptions<R>
  private readonly inbox: Input[] = []
  private readonly proposals: PendingProposals<R>
  private readonly reads: ReadBarriers
  private proposalBatch: Array<{ seq: number, data: Uint8Array }> = []
  private readonly snapshots: NodeSnapshots
  private applied: number
  private leader: NodeId | null = null
  private timer?: NodeJS.Timeout
  private scheduled = false
  private processing = false
  private stopped = false
  /** A Ready whose write failed and is tried again (retryFailedWrite): the node stands still. */
  private stall: { ready: Ready, error: Error, due: boolean, timer: NodeJS.Timeout } | undefined
  /** The last configuration change given to the core (a retried group must not give it twice). */
  private confApplied = 0
  private readonly syncPersist: SyncPersistPolicy

  constructor (id: NodeId, opts: RaftNodeOptions<R>) {
    this.id = id
    this.opts = opts
    this.syncPersist = new SyncPersistPolicy(opts.syncPersistMaxEntries ?? 0)
    this.proposals = new PendingProposals(id)
    this.reads = new ReadBarriers(id, () => this.timeoutMs)
    const { storage, stateMachine } = opts
    if (opts.bootstrap !== undefined && storage.lastIndex() === 0 && isEmptySnapshot(storage.snapshot())) {
      // A new group starts from the empty state (empty snapshot data).
      storage.applySnapshot(bootstrapSnapshot(opts.bootstrap))
    }
    const snap = storage.snapshot()
    const durable = stateMachine.appliedIndex?.()
    if (durable !== undefined && durable >= snap.metadata.index) {
      this.applied = durable
    } else {
      if (!isEmptySnapshot(snap)) stateMachine.restore(snap.data, snap.metadata.index)
      this.applied = snap.metadata.index
    }
    this.rawNode = new RawNode({
      ...opts,
      id,
      storage,
      applied: this.applied,
      rng: new SeededRng(opts.seed ?? Math.floor(Math.random() * 2 ** 32))
    })
    this.snapshots = new NodeSnapshots(opts as RaftNodeOptions<unknown>, snap.metadata.index, {
      applied: () => this.applied,
      confState: () => this.rawNode.status().confState,
      stopped: () => this.stopped,
      step: message => { this.enqueue({ kind: 'message', message }) }
    })
    opts.transport.onMessage(message => { this.enqueue({ kind: 'message', message }) })
    opts.transport.onUnreachable(peer => { this.enqueue({ kind: 'unreachable', peer }) })
  }

  start (): void {
    this.timer = setInterval(() => { this.enqueue({ kind: 'tick' }) }, this.opts.tickMs ?? 100)
    this.schedule()
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearInterval(this.timer)
    clearTimeout(this.stall?.timer)
    const err = new NodeStoppedError('raft node stopped')
    this.proposals.rejectAll(err)
    this.reads.rejectAll(err)
    await this.opts.transport.close()
  }

  get leaderId (): NodeId | null { return this.leader }
  get isLeader (): boolean { return this.leader === this.id }
  get appliedIndex (): number { return this.applied }
  status (): ReturnType<RawNode['status']> { return this.rawNode.status() }

  /**
   * Takes a snapshot at the next opportunity, whatever `snapshotEvery` says (e.g. the stored
   * snapshot's contents are missing here, or are in an old in-message form).
   */
  requestSnapshot (): void {
    this.snapshots.request()
    this.schedule()
  }

  /** Starts an election now (tests, and a clean hand-over at start-up). */
  campaign (): void {
    this.rawNode.campaign()
    this.schedule()
  }

  /**
   * Replicates `payload`; resolves with the state machine's result once committed and applied
   * here. Followers forward to the leader; when the leader changes before the entry is applied,
   * it is sent again to the new one (see {@link StateMachine.apply} on duplicates). Rejects with
   * TimeoutError (outcome unknown: the entry may still commit) or ProposalDroppedError (no
   * leader: nothing was written).
   */
  async propose (payload: Uint8Array): Promise<R> {
    if (this.stopped) throw new NodeStoppedError('raft node stopped')
    this.assertNotStalled()
    const { seq, entry, result } = this.proposals.add(payload, this.timeoutMs, 'proposal', true)
    // Proposals made in the same event-loop turn enter the log as one batch (one append).
    this.proposalBatch.push({ seq, data: entry })
    this.schedule()
    return await result
  }

  /** Linearizable read barrier: resolves when this node has applied everything committed before the call. */
  async readBarrier (): Promise<void> {
    if (this.stopped) throw new NodeStoppedError('raft node stopped')
    const { context, passed } = this.reads.begin()
    this.rawNode.readIndex(context)
    this.schedule()
    return await passed
  }

  /** Adds (or promotes) a voter; resolves once the change is applied here. */
  async addVoter (id: NodeId): Promise<void> {
    await this.changeMembership({ type: 'addNode', nodeId: id })
  }

  async addLearner (id: NodeId): Promise<void> {
    await this.changeMembership({ type: 'addLearner', nodeId: id })
  }

  async removeMember (id: NodeId): Promise<void> {
    await this.changeMembership({ type: 'removeNode', nodeId: id })
  }

  transferLeadership (to: NodeId): void {
    this.rawNode.transferLeadership(to)
    this.schedule()
  }

  private async changeMembership (cc: ConfChange): Promise<void> {
    if (this.stopped) throw new NodeStoppedError('raft node stopped')
    this.assertNotStalled()
    const { seq, entry, result } = this.proposals.add(new Uint8Array(0), this.timeoutMs, 'membership change', false)
    try {
      this.rawNode.proposeConfChange({ ...cc, context: entry })
    } catch (err) {
      this.proposals.fail(seq, err as Error)
    }
    this.schedule()
    await result
  }

  private get timeoutMs (): number { return this.opts.requestTimeoutMs ?? 10_000 }

  private enqueue (input: Input): void {
    // A stalled node stands still: what arrives meanwhile is lost (Raft copes), nothing piles up.
    if (this.stopped || this.stall !== undefined) return
    this.inbox.push(input)
    this.schedule()
  }

  private schedule (): void {
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      void this.process()
    })
  }

  private async process (): Promise<void> {
    if (this.processing || this.stopped || (this.stall !== undefined && !this.stall.due)) return
    this.processing = true
    let rd: Ready | undefined
    try {
      if (this.stall !== undefined) {
        // The same Ready again: its messages may go twice (Raft takes duplicates), what it
        // applied before failing is skipped, and it is acknowledged to the core only now.
        rd = this.stall.ready
        await this.handleReady(rd)
        this.stall = undefined
        this.opts.onStall?.(undefined)
      }
      this.drainInbox()
      while (this.rawNode.hasReady() && !this.stopped) {
        rd = this.rawNode.ready()
        await this.handleReady(rd)
        this.drainInbox()
      }
      rd = undefined
      if (this.snapshots.requested && !this.stopped) this.snapshots.maybeTake()
    } catch (err) {
      if (rd !== undefined && !this.stopped && this.opts.retryFailedWrite?.(err as Error) === true) {
        this.stallOn(rd, err as Error)
      } else {
        // Storage or state machine failed mid-Ready: continuing could violate safety.
        this.opts.onFatal?.(err as Error)
        void this.stop()
      }
    } finally {
      this.processing = false
    }
    if (this.inbox.length > 0) this.schedule()
  }

  /** The Ready `ready` could not be written: nothing moves until it is, tried every stallRetryMs. */
  private stallOn (ready: Ready, error: Error): void {
    const first = this.stall === undefined
    this.stall = { ready, error, due: false, timer: setTimeout(() => { if (this.stall !== undefined) { this.stall.due = true; this.schedule() } }, this.opts.stallRetryMs ?? 1000) }
    this.inbox.length = 0
    if (!first) return
    this.opts.onStall?.(error)
    // Their callers hear it now rather than at their timeout (as with a timeout, an entry that
    // was in the stalled write still commits once it goes through).
    this.proposals.rejectAll(new NodeStalledError(`raft node cannot write: ${error.message}`, { cause: error }))
  }

  private assertNotStalled (): void {
    if (this.stall !== undefined) throw new NodeStalledError(`raft node cannot write: ${this.stall.error.message}`, { cause: this.stall.error })
  }

  private drainInbox (): void {
    for (const input of this.inbox.splice(0)) {
      if (input.kind === 'tick') this.rawNode.tick()
      else if (input.kind === 'unreachable') this.rawNode.reportUnreachable(input.peer)
      else this.stepMessage(input.message)
    }
    if (this.proposalBatch.length > 0) {
      const batch = this.proposalBatch
      this.proposalBatch = []
      try {
        this.rawNode.proposeBatch(batch.map(p => p.data))
      } catch (err) {
        for (const { seq } of batch) this.proposals.fail(seq, err as Error)
      }
    }
  }

  /**
   * A new leader: the proposals still waiting may have been lost with the old one (forwarded to
   * a leader that died or froze), so they go to the new one now instead of waiting for their
   * timeout. One that did reach the log may commit twice; the state machine sees the same id.
   */
  private resendPending (): void {
    const pending = this.proposals.resendable()
    if (pending.length === 0) return
    try {
      this.rawNode.proposeBatch(pending.map(p => p.entry))
    } catch {
      // No leader after all (or a transfer): they stay pending and go with the next change.
    }
  }

  /**
   * Steps a network message. Once this node knows its group, messages from non-members (a removed
   * peer, a stranger) are refused; a fresh node with no configuration yet accepts the leader that
   * is adding it. A message the core refuses is reported and dropped, never fatal.
   */
  private stepMessage (m: Message): void {
    if (m.to !== this.id || (this.rawNode.hasConfiguration() && !this.rawNode.isMember(m.from))) {
      this.opts.onRejectedMessage?.(new ForeignMessageError(`message ${m.type} from ${m.from} to ${m.to} refused: not a member of this group`), m)
      return
    }
    if (this.snapshots.holds(m)) return
    // A member acknowledging entries we never had is lying or confused: it must not move commit.
    if ((m.type === 'appResp' || m.type === 'heartbeatResp') && !m.reject && m.index > this.rawNode.lastIndex()) {
      this.opts.onRejectedMessage?.(new ForeignMessageError(`${m.type} from ${m.from} acknowledges index ${m.index} beyond the last index ${this.rawNode.lastIndex()}`), m)
      return
    }
    if (m.type === 'prop' && this.opts.onForwardedProposals !== undefined && this.isLeader) this.reportForwarded(m)
    try {
      this.rawNode.step(m)
    } catch (err) {
      this.opts.onRejectedMessage?.(err as Error, m)
    }
  }

  private reportForwarded (m: Message): void {
    const payloads: Uint8Array[] = []
    for (const e of m.entries) {
      const env = e.type === 'normal' ? unwrap(e.data) : undefined
      if (env !== undefined) payloads.push(env.payload)
    }
    if (payloads.length > 0) this.opts.onForwardedProposals?.(m.from, payloads)
  }

  private async handleReady (rd: Ready): Promise<void> {
    const { storage, transport } = this.opts
    let newLeader = false
    if (rd.softState !== undefined && rd.softState.leader !== this.leader) {
      this.leader = rd.softState.leader
      newLeader = this.leader !== null
      this.opts.onLeaderChange?.(this.leader)
    }
    // The leader's appends leave before its own disk write: replication overlaps the fsync.
    if (rd.messagesNow.length > 0) transport.send(rd.messagesNow)
    const update = { hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot, mustSync: rd.mustSync }
    let committed = rd.committedEntries
    const nothingToWrite = rd.entries.length === 0 && rd.hardState === undefined && rd.snapshot === undefined
    const onLoop = storage.persist !== undefined && this.syncPersist.choose(rd.entries.length, rd.snapshot !== undefined)
    if (storage.persistAsync !== undefined && !nothingToWrite && !onLoop) {
      const durableLast = storage.lastIndex() // every entry written by earlier Readys is synced
      const written = storage.persistAsync(update)
      written.catch(() => {}) // awaited below; an apply failure first must not leave it unhandled
      if (rd.snapshot === undefined) {
        const early = committedAndDurable(rd, durableLast)
        this.applyEntries(committed.slice(0, early))
        committed = committed.slice(early)
      }
      // Meanwhile the event loop is free: inputs queue up and go into the next Ready together.
      await written
      if (this.stopped) return
    } else {
      if (rd.messagesNow.length > 0 && rd.entries.length > 0) await new Promise(resolve => setImmediate(resolve))
      if (onLoop) this.syncPersist.timed(() => { persistUpdate(storage, update) })
      else persistUpdate(storage, update)
    }
    if (rd.snapshot !== undefined) {
      const started = Date.now()
      this.opts.stateMachine.restore(rd.snapshot.data, rd.snapshot.metadata.index)
      this.applied = rd.snapshot.metadata.index
      this.snapshots.index = rd.snapshot.metadata.index
      this.opts.onSnapshotEvent?.({ type: 'restored', index: this.applied, ms: Date.now() - started })
    }
    transport.send(rd.messagesAfterPersist)
    this.applyEntries(committed)
    this.reads.confirm(rd.readStates)
    this.rawNode.advance(rd)
    // Transports are fire-and-forget: a snapshot handed over counts as sent; if it was lost, the
    // follower rejects the next append and the leader sends it again.
    for (const m of [...rd.messagesNow, ...rd.messagesAfterPersist]) {
      if (m.type === 'snap') this.rawNode.reportSnapshot(m.to, true)
    }
    this.reads.release(this.applied)
    this.snapshots.maybeTake()
    if (newLeader) this.resendPending()
  }

  /** Entries committed together, applied as one group when the state machine takes groups. */
  private applyEntries (given: readonly Entry[]): void {
    // A retried Ready (see stallOn) skips what its failed attempt applied.
    const entries = (given[0]?.index ?? Infinity) <= this.applied ? given.filter(e => e.index > this.applied) : given
    const applyAll = (): void => { for (const entry of entries) this.applyEntry(entry) }
    if (entries.length <= 1 || this.opts.stateMachine.applyGroup === undefined) {
      applyAll()
      return
    }
    const before = this.applied
    try {
      this.opts.stateMachine.applyGroup(applyAll)
    } catch (err) {
      // The group is one transaction: rolled back whole, it is applied again whole.
      this.applied = before
      throw err
    }
  }

  private applyEntry (entry: Entry): void {
    if (entry.type === 'confChange') {
      this.applied = entry.index
      const cc = decodeConfChange(entry.data)
      if (entry.index > this.confApplied) this.rawNode.applyConfChange(cc)
      this.confApplied = entry.index
      const env = cc.context === undefined ? undefined : unwrap(cc.context)
      if (env !== undefined && this.proposals.isOwn(env)) this.proposals.settle(env.seq, undefined as R)
      if (cc.type === 'removeNode' && cc.nodeId === this.id) this.opts.onRemoved?.()
      return
    }
    const env = unwrap(entry.data)
    if (env !== undefined) {
      const result = this.opts.stateMachine.apply(env.payload, entry.index, proposalId(env))
      if (this.proposals.isOwn(env)) this.proposals.settle(env.seq, result)
    }
    this.applied = entry.index
  }
}

import type { RaftConfig } from './config.ts'
import { encodeConfChange } from './confchange.ts'
import { ReadyProtocolError, StepLocalMessageError, StepPeerNotFoundError } from './errors.ts'
import { LOCAL_MESSAGES, RESPONSE_MESSAGES, isHardStateEqual, message, payloadSize } from './messages.ts'
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, ReadState, Snapshot, SoftState } from './messages.ts'
import type { ProgressState } from './progress.ts'
import { Raft } from './raft.ts'
import { onPersisted, reduceUncommittedSize } from './replication.ts'

/**
 * One batch of work for the application. Process it in this order, then call
 * {@link RawNode.advance}:
 * 1. send `messagesNow` (may go out before anything is written);
 * 2. durably write `snapshot`, then `entries` (delete every stored entry with index ≥
 *    `entries[0].index` first), then `hardState` — ideally in one transaction;
 * 3. send `messagesAfterPersist`;
 * 4. restore `snapshot` into the state machine, then apply `committedEntries` in order
 *    (calling `applyConfChange` for `confChange` entries); serve `readStates` once applied.
 */
export interface Ready {
  softState?: SoftState
  hardState?: HardState
  entries: Entry[]
  snapshot?: Snapshot
  messagesNow: Message[]
  messagesAfterPersist: Message[]
  committedEntries: Entry[]
  readStates: ReadState[]
  /** Whether the write of step 2 must be fsynced (term, vote or entries changed). */
  mustSync: boolean
}

export interface ProgressStatus {
  match: number
  next: number
  state: ProgressState
  isLearner: boolean
  recentActive: boolean
  inflight: number
}

export interface Status {
  id: NodeId
  hardState: HardState
  softState: SoftState
  applied: number
  lastIndex: number
  firstIndex: number
  leadTransferee: NodeId | null
  confState: ConfState
  /** Only on the leader. */
  progress: Map<NodeId, ProgressStatus>
}

let raftOfNode: (node: RawNode) => Raft

/**
 * The core's state machine inside a RawNode, for white-box tests and the simulator only: it is
 * not exported from the package (its fields are internals that may change any time).
 */
export function raftOf (node: RawNode): Raft {
  return raftOfNode(node)
}

const SENDABLE_EARLY = new Set(['app', 'heartbeat', 'snap'])

/**
 * The thread-safe-by-construction API of the core (etcd's RawNode): feed it ticks, messages
 * and proposals; take a {@link Ready}; acknowledge it with {@link advance}.
 */
export class RawNode {
  /** The state machine itself: private (white-box tests reach it through {@link raftOf}). */
  readonly #raft: Raft
  private prevSoftState: SoftState
  private prevHardState: HardState
  private outstanding: Ready | undefined

  static {
    raftOfNode = (node) => node.#raft
  }

  constructor (config: RaftConfig) {
    this.#raft = new Raft(config)
    this.prevSoftState = this.#raft.softState()
    this.prevHardState = this.#raft.hardState()
  }

  get id (): NodeId {
    return this.#raft.id
  }

  /** Whether `id` is in the configuration this node knows (voter or learner). */
  isMember (id: NodeId): boolean {
    return this.#raft.trk.progress.has(id)
  }

  /** Whether this node knows a configuration at all (a node waiting to be added knows none). */
  hasConfiguration (): boolean {
    return this.#raft.trk.progress.size > 0
  }

  /** The index of the last entry of the log (stable or not). */
  lastIndex (): number {
    return this.#raft.log.lastIndex()
  }

  /** One logical clock tick (the driver calls it every tick interval). */
  tick (): void {
    this.#raft.tick()
  }

  /** Starts an election now (subject to pre-vote). */
  campaign (): void {
    this.#raft.step(message({ type: 'hup', from: this.#raft.id }))
  }

  /** Proposes data; throws ProposalDroppedError if it cannot be accepted now. */
  propose (data: Uint8Array): void {
    this.proposeEntries([{ term: 0, index: 0, type: 'normal', data }])
  }

  /** Proposes several entries at once (one append). */
  proposeBatch (items: readonly Uint8Array[]): void {
    if (items.length === 0) return
    this.proposeEntries(items.map((data) => ({ term: 0, index: 0, type: 'normal' as const, data })))
  }

  /**
   * Proposes a membership change. If another change is still pending (or the leader has
   * not applied its first entry yet) the change is turned into an empty normal entry.
   */
  proposeConfChange (cc: ConfChange): void {
    this.proposeEntries([{ term: 0, index: 0, type: 'confChange', data: encodeConfChange(cc) }])
  }

  private proposeEntries (entries: Entry[]): void {
    this.#raft.step(message({ type: 'prop', from: this.#raft.id, entries }))
  }

  /** Feeds a message received from a peer. */
  step (m: Message): void {
    if (LOCAL_MESSAGES.has(m.type)) throw new StepLocalMessageError(`${m.type} is a local message`)
    if (RESPONSE_MESSAGES.has(m.type) && !this.isMember(m.from)) {
      throw new StepPeerNotFoundError(`response from unknown peer ${m.from}`)
    }
    this.#raft.step(m)
  }

  /**
   * Requests a linearizable read; a ReadState with `context` appears in a later Ready.
   * Silently dropped when there is no leader: retry after a timeout.
   */
  readIndex (context: Uint8Array): void {
    this.#raft.step(message({ type: 'readIndex', from: this.#raft.id, context }))
  }

  /** Asks the leader to hand leadership over to `to`. */
  transferLeadership (to: NodeId): void {
    this.#raft.step(message({ type: 'transferLeader', from: to }))
  }

  /** The transport could not reach `id`. */
  reportUnreachable (id: NodeId): void {
    this.#raft.step(message({ type: 'unreachable', from: id }))
  }

  /** The transport finished (or failed) sending a snapshot to `id`. */
  reportSnapshot (id: NodeId, ok: boolean): void {
    this.#raft.step(message({ type: 'snapStatus', from: id, reject: !ok }))
  }

  /** Applies a committed configuration change (call it when its entry is applied). */
  applyConfChange (cc: ConfChange): ConfState {
    return this.#raft.applyConfChange(cc)
  }

  hasReady (): boolean {
    const r = this.#raft
    if (!softEqual(r.softState(), this.prevSoftState)) return true
    if (!isHardStateEqual(r.hardState(), this.prevHardState)) return true
    if (r.log.hasPendingSnapshot()) return true
    if (r.msgs.length > 0 || r.log.unstable.entries.length > 0 || r.readStates.length > 0) return true
    return r.log.hasNextCommittedEntries()
  }

  /** The pending work. Call {@link advance} before asking for the next one. */
  ready (): Ready {
    if (this.outstanding !== undefined) throw new ReadyProtocolError('ready() called again before advance()')
    const r = this.#raft
    const rd: Ready = {
      entries: r.log.unstableEntries(),
      committedEntries: r.log.nextCommittedEntries(),
      messagesNow: [],
      messagesAfterPersist: [],
      readStates: r.readStates,
      mustSync: false
    }
    const ss = r.softState()
    if (!softEqual(ss, this.prevSoftState)) {
      rd.softState = ss
      this.prevSoftState = ss
    }
    const hs = r.hardState()
    if (!isHardStateEqual(hs, this.prevHardState)) rd.hardState = hs
    const snap = r.log.unstable.snapshot
    if (snap !== undefined) rd.snapshot = snap
    // leader traffic may leave before the local write, if its term is already durable
    const durableTerm = this.prevHardState.term
    for (const m of r.msgs) {
      if (SENDABLE_EARLY.has(m.type) && m.term <= durableTerm) rd.messagesNow.push(m)
      else rd.messagesAfterPersist.push(m)
    }
    rd.mustSync = rd.entries.length > 0 || rd.snapshot !== undefined ||
      (rd.hardState !== undefined && (hs.term !== this.prevHardState.term || hs.vote !== this.prevHardState.vote))
    r.msgs = []
    r.readStates = []
    this.outstanding = rd
    return rd
  }

  /** The Ready has been persisted, sent and applied. */
  advance (rd: Ready): void {
    if (this.outstanding !== rd) throw new ReadyProtocolError('advance() with a Ready that is not the outstanding one')
    this.outstanding = undefined
    const r = this.#raft
    if (rd.hardState !== undefined) this.prevHardState = rd.hardState
    if (rd.snapshot !== undefined) r.log.stableSnapTo(rd.snapshot.metadata.index)
    const last = rd.entries[rd.entries.length - 1]
    if (last !== undefined) onPersisted(r, last.index, last.term)
    reduceUncommittedSize(r, payloadSize(rd.committedEntries))
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1]
    if (lastApplied !== undefined) r.log.appliedTo(lastApplied.index)
    else if (rd.snapshot !== undefined) r.log.appliedTo(rd.snapshot.metadata.index)
  }

  /** Whether a Ready was handed out and not yet advanced. */
  hasOutstandingReady (): boolean {
    return this.outstanding !== undefined
  }

  status (): Status {
    const r = this.#raft
    const progress = new Map<NodeId, ProgressStatus>()
    if (r.role === 'leader') {
      for (const [id, pr] of r.trk.progress) {
        progress.set(id, {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          isLearner: pr.isLearner,
          recentActive: pr.recentActive,
          inflight: pr.inflights.count()
        })
      }
    }
    return {
      id: r.id,
      hardState: r.hardState(),
      softState: r.softState(),
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      firstIndex: r.log.firstIndex(),
      leadTransferee: r.leadTransferee,
      confState: r.trk.confState(),
      progress
    }
  }
}

function softEqual (a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role
}

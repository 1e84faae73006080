import { resolveConfig } from './config.ts'
import type { RaftConfig, ResolvedConfig } from './config.ts'
import { applySimpleChange, restoreConfState } from './confchange.ts'
import type { ChangeResult } from './confchange.ts'
import { RaftInvariantError } from './errors.ts'
import { stepCandidate, stepFollower } from './follower.ts'
import { stepLeader } from './leader.ts'
import { RaftLog } from './log.ts'
import { isEmptyHardState, message } from './messages.ts'
import type { ConfChange, ConfState, HardState, Message, MessageType, NodeId, ReadState, Role, SoftState } from './messages.ts'
import { describeConfState, describeMessage } from './describe.ts'
import type { RaftLogger } from './logger.ts'
import { ReadOnly } from './read-only.ts'
import { appendEntry, bcastAppend, maybeCommit, maybeSendAppend, releasePendingReadIndexMessages } from './replication.ts'
import { ProgressTracker } from './tracker.ts'

export type CampaignType = 'preElection' | 'election' | 'transfer'

const VOTE_TYPES: ReadonlySet<MessageType> = new Set(['vote', 'voteResp', 'preVote', 'preVoteResp'])

/**
 * The Raft state machine of one node (etcd's `raft` struct): roles, terms, elections and
 * message dispatch. Replication lives in replication.ts, role handlers in leader.ts and
 * follower.ts. Use it through {@link RawNode}.
 */
export class Raft {
  readonly id: NodeId
  readonly cfg: ResolvedConfig
  readonly log: RaftLog
  /** The trace logger, if any (see {@link RaftLogger}); call it as `r.logger?.debug(...)`. */
  readonly logger: RaftLogger | undefined
  term = 0
  vote: NodeId | null = null
  role: Role = 'follower'
  lead: NodeId | null = null
  isLearner = false
  trk: ProgressTracker
  /** Outgoing messages, drained by each Ready. */
  msgs: Message[] = []
  readStates: ReadState[] = []
  leadTransferee: NodeId | null = null
  /** Index of the latest configuration change on the log (leader): no new one until it is applied. */
  pendingConfIndex = 0
  uncommittedSize = 0
  readOnly: ReadOnly
  /** Read requests received before the leader committed an entry of its term. */
  pendingReadIndexMessages: Message[] = []
  electionElapsed = 0
  heartbeatElapsed = 0
  randomizedElectionTimeout = 0

  constructor (config: RaftConfig) {
    this.cfg = resolveConfig(config)
    this.id = this.cfg.id
    this.logger = this.cfg.logger
    this.log = new RaftLog(this.cfg.storage, this.cfg.maxCommittedBytesPerReady)
    this.readOnly = new ReadOnly(this.cfg.readOnlyMode)
    this.trk = new ProgressTracker(this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes)
    const { hardState, confState } = this.cfg.storage.initialState()
    this.switchToConfig(restoreConfState(this.trk, confState, this.log.lastIndex()))
    if (!isEmptyHardState(hardState)) this.loadState(hardState)
    if (this.cfg.applied > 0) this.log.appliedTo(this.cfg.applied)
    this.becomeFollower(this.term, null)
  }

  private loadState (hs: HardState): void {
    if (hs.commit > this.log.lastIndex()) {
      throw new RaftInvariantError(`stored commit ${hs.commit} is beyond the last index ${this.log.lastIndex()}`)
    }
    this.log.committed = Math.max(this.log.committed, hs.commit)
    this.term = hs.term
    this.vote = hs.vote
  }

  hardState (): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed }
  }

  softState (): SoftState {
    return { leader: this.lead, role: this.role }
  }

  /** Queues a message; fills `from` and the term (proposals and read requests keep term 0). */
  send (m: Message): void {
    m.from = this.id
    if (VOTE_TYPES.has(m.type)) {
      if (m.term === 0) throw new RaftInvariantError(`term should be set when sending ${m.type}`)
    } else if (m.type === 'prop' || m.type === 'readIndex') {
      m.term = 0
    } else {
      m.term = this.term
    }
    this.msgs.push(m)
  }

  // ---------------------------------------------------------------- roles

  private reset (term: number): void {
    if (this.term !== term) {
      this.term = term
      this.vote = null
    }
    this.lead = null
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.resetRandomizedElectionTimeout()
    this.abortLeaderTransfer()
    this.trk.resetVotes()
    const last = this.log.lastIndex()
    for (const [id, pr] of this.trk.progress) {
      pr.match = 0
      pr.next = last + 1
      pr.state = 'probe'
      pr.pendingSnapshot = 0
      pr.recentActive = false
      pr.msgAppFlowPaused = false
      pr.inflights.reset()
      if (id === this.id) pr.match = this.log.stableIndex()
    }
    this.pendingConfIndex = 0
    this.uncommittedSize = 0
    this.readOnly = new ReadOnly(this.cfg.readOnlyMode)
    this.pendingReadIndexMessages = []
  }

  private resetRandomizedElectionTimeout (): void {
    const e = this.cfg.electionTicks
    this.randomizedElectionTimeout = e + this.cfg.rng.intn(e)
  }

  becomeFollower (term: number, lead: NodeId | null): void {
    this.reset(term)
    this.lead = lead
    this.role = 'follower'
    this.logger?.debug(`${this.id} became follower at term ${this.term}`)
  }

  becomeCandidate (): void {
    if (this.role === 'leader') throw new RaftInvariantError('invalid transition leader -> candidate')
    this.reset(this.term + 1)
    this.vote = this.id
    this.role = 'candidate'
    this.logger?.debug(`${this.id} became candidate at term ${this.term}`)
  }

  becomePreCandidate (): void {
    if (this.role === 'leader') throw new RaftInvariantError('invalid transition leader -> pre-candidate')
    // the term and vote do not change; only the vote tally and the role
    this.trk.resetVotes()
    this.lead = null
    this.role = 'preCandidate'
    this.logger?.debug(`${this.id} became pre-candidate at term ${this.term}`)
  }

  becomeLeader (): void {
    if (this.role === 'follower') throw new RaftInvariantError('invalid transition follower -> leader')
    this.reset(this.term)
    this.lead = this.id
    this.role = 'leader'
    this.logger?.debug(`${this.id} became leader at term ${this.term}`)
    const self = this.trk.progress.get(this.id)
    if (self !== undefined) {
      const match = self.match
      self.becomeReplicate()
      self.match = match
      self.recentActive = true
    }
    // no configuration change until the empty entry of this term is applied (B.6 rule 2)
    this.pendingConfIndex = this.log.lastIndex() + 1
    appendEntry(this, [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }])
  }

  abortLeaderTransfer (): void {
    this.leadTransferee = null
  }

  /** A voter that is not waiting for a snapshot may campaign. */
  promotable (): boolean {
    const pr = this.trk.progress.get(this.id)
    return pr !== undefined && !pr.isLearner && !this.log.hasPendingSnapshot()
  }

  pastElectionTimeout (): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout
  }

  // ---------------------------------------------------------------- ticks

  tick (): void {
    if (this.role === 'leader') this.tickHeartbeat()
    else this.tickElection()
  }

  private tickElection (): void {
    this.electionElapsed++
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0
      this.step(message({ type: 'hup', from: this.id }))
    }
  }

  private tickHeartbeat (): void {
    this.heartbeatElapsed++
    this.electionElapsed++
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0
      if (this.cfg.checkQuorum) this.step(message({ type: 'checkQuorum', from: this.id }))
      // a transfer that did not complete within an election timeout is abandoned
      if (this.role === 'leader' && this.leadTransferee !== null) this.abortLeaderTransfer()
    }
    if (this.role !== 'leader') return
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0
      this.step(message({ type: 'beat', from: this.id }))
    }
  }

  // ---------------------------------------------------------------- elections

  hup (t: CampaignType): void {
    if (this.role === 'leader') {
      this.logger?.debug(`${this.id} ignoring hup: already leader`)
      return
    }
    if (!this.promotable()) {
      this.logger?.debug(`${this.id} is unable to campaign: not a voter, or a snapshot is pending`)
      return
    }
    if (this.hasUnappliedConfChanges()) {
      this.logger?.debug(`${this.id} cannot campaign at term ${this.term}: configuration changes are committed but not applied`)
      return
    }
    this.logger?.debug(`${this.id} is starting a new election at term ${this.term}`)
    this.campaign(t)
  }

  private hasUnappliedConfChanges (): boolean {
    if (this.log.applied >= this.log.committed) return false
    const ents = this.log.slice(this.log.applied + 1, this.log.committed + 1, Infinity)
    return ents.some((e) => e.type === 'confChange')
  }

  campaign (t: CampaignType): void {
    let term: number
    let voteType: 'vote' | 'preVote'
    if (t === 'preElection') {
      this.becomePreCandidate()
      voteType = 'preVote'
      term = this.term + 1
    } else {
      this.becomeCandidate()
      voteType = 'vote'
      term = this.term
    }
    const { result } = this.poll(this.id, true)
    if (result === 'won') {
      // single-voter group
      if (t === 'preElection') this.campaign('election')
      else this.becomeLeader()
      return
    }
    const lastIndex = this.log.lastIndex()
    const lastTerm = this.log.lastTerm()
    for (const id of this.trk.voterIds()) {
      if (id === this.id) continue
      const m = message({ type: voteType, to: id, term, index: lastIndex, logTerm: lastTerm })
      if (t === 'transfer') m.transfer = true
      this.logger?.debug(`${this.id} [logterm: ${lastTerm}, index: ${lastIndex}] sent ${voteType} request to ${id} at term ${this.term}`)
      this.send(m)
    }
  }

  poll (id: NodeId, granted: boolean): ReturnType<ProgressTracker['tallyVotes']> {
    this.trk.recordVote(id, granted)
    return this.trk.tallyVotes()
  }

  // ---------------------------------------------------------------- step

  /** Processes one message (local or from a peer). Throws ProposalDroppedError for refused proposals. */
  step (m: Message): void {
    this.logger?.trace?.(`${this.id} step ${describeMessage(m)}`)
    if (m.term === 0) {
      // local message, proposal or read request
    } else if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        const inLease = this.cfg.checkQuorum && this.lead !== null && this.electionElapsed < this.cfg.electionTicks
        if (m.transfer !== true && inLease) {
          // leader lease: ignore disruptive candidates
          this.logger?.debug(`${this.id} [logterm: ${this.log.lastTerm()}, index: ${this.log.lastIndex()}, vote: ${this.vote ?? 'none'}] ignored ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}: lease is not expired`)
          return
        }
      }
      if (m.type !== 'preVote' && !(m.type === 'preVoteResp' && !m.reject)) {
        this.logger?.debug(`${this.id} [term: ${this.term}] received a ${m.type} message with higher term from ${m.from} [term: ${m.term}]`)
      }
      if (m.type === 'preVote') {
        // never change the term because of a pre-vote request
      } else if (m.type === 'preVoteResp' && !m.reject) {
        // the term of a granted pre-vote is the one we would campaign in
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from)
      } else {
        this.becomeFollower(m.term, null)
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // tell a stale leader that it has been deposed
        this.send(message({ type: 'appResp', to: m.from }))
      } else if (m.type === 'preVote') {
        this.send(message({ type: 'preVoteResp', to: m.from, term: this.term, reject: true }))
      }
      this.logger?.debug(`${this.id} [term: ${this.term}] ignored a ${m.type} message with lower term from ${m.from} [term: ${m.term}]`)
      return
    }

    switch (m.type) {
      case 'hup':
        this.hup(this.cfg.preVote ? 'preElection' : 'election')
        return
      case 'vote':
      case 'preVote': {
        const canVote = this.vote === m.from ||
          (this.vote === null && this.lead === null) ||
          (m.type === 'preVote' && m.term > this.term)
        const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp'
        const granted = canVote && this.log.isUpToDate(m.index, m.logTerm)
        this.logger?.debug(`${this.id} [logterm: ${this.log.lastTerm()}, index: ${this.log.lastIndex()}, vote: ${this.vote ?? 'none'}] ${granted ? 'cast' : 'rejected'} ${m.type} ${granted ? 'for' : 'from'} ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`)
        if (granted) {
          // answer with the candidate's term: a pre-vote grant must not carry our (lower) term
          this.send(message({ type: respType, to: m.from, term: m.term }))
          if (m.type === 'vote') {
            this.electionElapsed = 0
            this.vote = m.from
          }
        } else {
          this.send(message({ type: respType, to: m.from, term: this.term, reject: true }))
        }
        return
      }
      default:
        switch (this.role) {
          case 'leader': stepLeader(this, m); break
          case 'follower': stepFollower(this, m); break
          default: stepCandidate(this, m)
        }
    }
  }

  // ---------------------------------------------------------------- membership

  /** Applies a committed configuration change; returns the new ConfState. */
  applyConfChange (cc: ConfChange): ConfState {
    return this.switchToConfig(applySimpleChange(this.trk, cc, this.log.lastIndex()))
  }

  /** Replaces the configuration (from a snapshot). */
  restoreConfig (cs: ConfState): ConfState {
    this.trk = new ProgressTracker(this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes)
    return this.switchToConfig(restoreConfState(this.trk, cs, this.log.lastIndex()))
  }

  private switchToConfig (res: ChangeResult): ConfState {
    this.trk.config = res.config
    this.trk.progress = res.progress
    const cs = this.trk.confState()
    this.logger?.debug(`${this.id} switched to configuration ${describeConfState(cs)}`)
    const pr = this.trk.progress.get(this.id)
    this.isLearner = pr?.isLearner === true
    if ((pr === undefined || this.isLearner) && this.role === 'leader') {
      // removed or demoted: step down (the rest of the group elects a new leader)
      if (this.cfg.stepDownOnRemoval) this.becomeFollower(this.term, null)
      return cs
    }
    if (this.role !== 'leader' || cs.voters.length === 0) return cs
    if (maybeCommit(this)) {
      releasePendingReadIndexMessages(this)
      bcastAppend(this)
    } else {
      for (const id of this.trk.ids()) if (id !== this.id) maybeSendAppend(this, id, false)
    }
    if (this.leadTransferee !== null && !this.trk.isVoter(this.leadTransferee)) this.abortLeaderTransfer()
    return cs
  }
}

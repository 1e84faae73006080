import type { ConfState, NodeId } from './messages.ts'
import { Progress } from './progress.ts'
import { jointCommitted, jointVoteResult } from './quorum.ts'
import type { JointVoters, VoteResult } from './quorum.ts'

/** Membership, joint-ready: `voters[1]` is only non-empty in a joint configuration. */
export interface TrackerConfig {
  voters: [Set<NodeId>, Set<NodeId>]
  learners: Set<NodeId>
  learnersNext: Set<NodeId>
  autoLeave: boolean
}

export function emptyTrackerConfig (): TrackerConfig {
  return { voters: [new Set(), new Set()], learners: new Set(), learnersNext: new Set(), autoLeave: false }
}

export function cloneTrackerConfig (c: TrackerConfig): TrackerConfig {
  return {
    voters: [new Set(c.voters[0]), new Set(c.voters[1])],
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
    autoLeave: c.autoLeave
  }
}

const sorted = (s: Iterable<NodeId>): NodeId[] => [...s].sort()

/** The leader's progress of every member, the votes of an election, and the configuration. */
export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig()
  progress = new Map<NodeId, Progress>()
  votes = new Map<NodeId, boolean>()
  readonly maxInflightMsgs: number
  readonly maxInflightBytes: number

  constructor (maxInflightMsgs: number, maxInflightBytes: number) {
    this.maxInflightMsgs = maxInflightMsgs
    this.maxInflightBytes = maxInflightBytes
  }

  confState (): ConfState {
    return {
      voters: sorted(this.config.voters[0]),
      votersOutgoing: sorted(this.config.voters[1]),
      learners: sorted(this.config.learners),
      learnersNext: sorted(this.config.learnersNext),
      autoLeave: this.config.autoLeave
    }
  }

  jointVoters (): JointVoters {
    return this.config.voters
  }

  isVoter (id: NodeId): boolean {
    return this.config.voters[0].has(id) || this.config.voters[1].has(id)
  }

  /** Voters of either half, sorted (deterministic iteration order). */
  voterIds (): NodeId[] {
    return sorted(new Set([...this.config.voters[0], ...this.config.voters[1]]))
  }

  /** Everyone with a progress, sorted. */
  ids (): NodeId[] {
    return sorted(this.progress.keys())
  }

  isSingleton (): boolean {
    return this.config.voters[0].size === 1 && this.config.voters[1].size === 0
  }

  /** Largest index replicated on a quorum (by `match`). */
  committed (): number {
    return jointCommitted(this.config.voters, (id) => this.progress.get(id)?.match)
  }

  /** Whether a quorum of voters has been recently active. */
  quorumActive (self: NodeId): boolean {
    const votes = new Map<NodeId, boolean>()
    for (const [id, pr] of this.progress) {
      if (pr.isLearner) continue
      votes.set(id, id === self || pr.recentActive)
    }
    return jointVoteResult(this.config.voters, votes) === 'won'
  }

  resetVotes (): void {
    this.votes = new Map()
  }

  recordVote (id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted)
  }

  tallyVotes (): { granted: number, rejected: number, result: VoteResult } {
    let granted = 0
    let rejected = 0
    for (const [id, pr] of this.progress) {
      if (pr.isLearner) continue
      const v = this.votes.get(id)
      if (v === undefined) continue
      if (v) granted++
      else rejected++
    }
    return { granted, rejected, result: jointVoteResult(this.config.voters, this.votes) }
  }

  voteResult (acks: ReadonlyMap<NodeId, boolean>): VoteResult {
    return jointVoteResult(this.config.voters, acks)
  }
}

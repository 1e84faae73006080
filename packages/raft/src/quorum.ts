import type { NodeId } from './messages.ts'

export type VoteResult = 'pending' | 'lost' | 'won'

/**
 * The largest index acknowledged by a majority of `voters` (Infinity for an empty set, so
 * that an empty half of a joint configuration does not constrain the result).
 */
export function majorityCommitted (voters: ReadonlySet<NodeId>, acked: (id: NodeId) => number | undefined): number {
  const n = voters.size
  if (n === 0) return Infinity
  const idx: number[] = []
  for (const id of voters) idx.push(acked(id) ?? 0)
  idx.sort((a, b) => b - a)
  return idx[Math.floor(n / 2)] as number
}

export function majorityVoteResult (voters: ReadonlySet<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.size === 0) return 'won'
  let yes = 0
  let missing = 0
  for (const id of voters) {
    const v = votes.get(id)
    if (v === undefined) missing++
    else if (v) yes++
  }
  const q = Math.floor(voters.size / 2) + 1
  if (yes >= q) return 'won'
  if (yes + missing >= q) return 'pending'
  return 'lost'
}

/** A (possibly joint) voter configuration: `[incoming, outgoing]`. */
export type JointVoters = readonly [ReadonlySet<NodeId>, ReadonlySet<NodeId>]

export function jointCommitted (voters: JointVoters, acked: (id: NodeId) => number | undefined): number {
  return Math.min(majorityCommitted(voters[0], acked), majorityCommitted(voters[1], acked))
}

export function jointVoteResult (voters: JointVoters, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const r1 = majorityVoteResult(voters[0], votes)
  const r2 = majorityVoteResult(voters[1], votes)
  if (r1 === r2) return r1
  if (r1 === 'lost' || r2 === 'lost') return 'lost'
  return 'pending'
}

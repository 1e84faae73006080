/**
 * The first election of a start, without waiting out the election timeout.
 *
 * A Raft member elects a leader only after an election timeout with no word from one: at a
 * cluster's start every peer waits 1–2 election timeouts (randomised) before anyone campaigns,
 * most of the time a restarted cluster needs before it takes a pin. Here one member, the one
 * whose ID sorts first among the voters, campaigns as soon as it reaches a quorum (its own vote
 * included). One member only: members campaigning together split the vote and wait again.
 * Pre-vote and check-quorum keep the campaign harmless where a leader is already there (a peer
 * restarted alone): members that hear from a leader ignore it, and it becomes a follower on the
 * leader's next heartbeat. Any other member, or this one when it reaches no quorum in time or its
 * campaign fails (its log is behind), goes on as before: its own election timer.
 */
import type { RaftNode } from '@cluster/raft/node'

export interface EarlyElectionInit {
  id: string
  node: RaftNode<void>
  /** Whether a member has a live connection to this peer now. */
  reachable: (id: string) => boolean
  /** How long to look for a quorum (peers may be started one by one) before leaving it to the election timer. */
  withinMs: number
  /** How often to look. */
  everyMs?: number
}

/** Starts watching; returns what stops it (called at shutdown). */
export function campaignEarly (init: EarlyElectionInit): () => void {
  const { id, node, reachable, withinMs, everyMs = 20 } = init
  const voters = node.status().confState.voters
  const first = [...voters].sort()[0]
  if (first !== id) return () => {}
  const quorum = Math.floor(voters.length / 2) + 1
  const deadline = Date.now() + withinMs
  let timer: NodeJS.Timeout | undefined
  const stop = (): void => { clearInterval(timer) }
  const look = (): void => {
    if (node.leaderId !== null || Date.now() > deadline) {
      stop()
    } else if (voters.filter(v => v === id || reachable(v)).length >= quorum) {
      stop()
      node.campaign()
    }
  }
  timer = setInterval(look, everyMs)
  // Keeps no process alive; and no wait for the first interval when a quorum is there already.
  timer.unref()
  look()
  return stop
}

import { ProposalDroppedError } from './errors.ts'
import { message } from './messages.ts'
import type { Message, Snapshot } from './messages.ts'
import type { Raft } from './raft.ts'
import { bcastAppend } from './replication.ts'

/** Message handling in the follower role. */
export function stepFollower (r: Raft, m: Message): void {
  switch (m.type) {
    case 'prop':
      if (r.lead === null) throw new ProposalDroppedError('no leader')
      if (r.cfg.disableProposalForwarding) throw new ProposalDroppedError('proposal forwarding is disabled')
      r.send({ ...m, to: r.lead })
      return
    case 'app':
      r.electionElapsed = 0
      r.lead = m.from
      handleAppendEntries(r, m)
      return
    case 'heartbeat':
      r.electionElapsed = 0
      r.lead = m.from
      handleHeartbeat(r, m)
      return
    case 'snap':
      r.electionElapsed = 0
      r.lead = m.from
      handleSnapshot(r, m)
      return
    case 'transferLeader':
      if (r.lead === null) return
      r.send({ ...m, to: r.lead, from: r.id })
      return
    case 'timeoutNow':
      // a transfer: campaign at once, without pre-vote and bypassing leases
      r.hup('transfer')
      return
    case 'readIndex':
      if (r.lead === null) return
      r.send({ ...m, to: r.lead })
      return
    case 'readIndexResp':
      r.readStates.push({ index: m.index, context: m.context ?? new Uint8Array(0) })
  }
}

/** Message handling in the candidate and pre-candidate roles. */
export function stepCandidate (r: Raft, m: Message): void {
  const myVoteResp = r.role === 'preCandidate' ? 'preVoteResp' : 'voteResp'
  switch (m.type) {
    case 'prop':
      throw new ProposalDroppedError('no leader (election in progress)')
    case 'app':
      r.becomeFollower(m.term, m.from)
      handleAppendEntries(r, m)
      return
    case 'heartbeat':
      r.becomeFollower(m.term, m.from)
      handleHeartbeat(r, m)
      return
    case 'snap':
      r.becomeFollower(m.term, m.from)
      handleSnapshot(r, m)
      return
    case myVoteResp: {
      const { granted, rejected, result } = r.poll(m.from, !m.reject)
      r.logger?.debug(`${r.id} received ${m.type}${m.reject ? ' rejection' : ''} from ${m.from} at term ${r.term}: ${granted} granted, ${rejected} rejected`)
      if (result === 'won') {
        if (r.role === 'preCandidate') {
          r.campaign('election')
        } else {
          r.becomeLeader()
          bcastAppend(r)
        }
      } else if (result === 'lost') {
        // a pre-vote rejected with a higher term made us follower already (Step)
        r.becomeFollower(r.term, null)
      }
    }
  }
}

export function handleAppendEntries (r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    r.send(message({ type: 'appResp', to: m.from, index: r.log.committed }))
    return
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries)
  if (lastNew !== undefined) {
    if (m.noAnswer !== true || m.entries.length > 0) r.send(message({ type: 'appResp', to: m.from, index: lastNew }))
    return
  }
  // fast back-tracking: our best guess of the largest index that may match
  const hint = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm)
  r.send(message({ type: 'appResp', to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }))
}

function handleHeartbeat (r: Raft, m: Message): void {
  r.log.commitTo(Math.min(m.commit, r.log.lastIndex()))
  const resp = message({ type: 'heartbeatResp', to: m.from })
  if (m.context !== undefined) resp.context = m.context
  r.send(resp)
}

function handleSnapshot (r: Raft, m: Message): void {
  if (m.snapshot === undefined) return
  if (restore(r, m.snapshot)) {
    r.send(message({ type: 'appResp', to: m.from, index: r.log.lastIndex() }))
  } else {
    r.send(message({ type: 'appResp', to: m.from, index: r.log.committed }))
  }
}

/** Installs a snapshot from the leader; false if it is stale or already covered by our log. */
function restore (r: Raft, s: Snapshot): boolean {
  const { index, term, confState } = s.metadata
  if (index <= r.log.committed) {
    r.logger?.debug(`${r.id} [commit: ${r.log.committed}] ignored snapshot [index: ${index}, term: ${term}]`)
    return false
  }
  if (r.role !== 'follower') {
    // only a follower may receive a snapshot; defensive
    r.becomeFollower(r.term + 1, null)
    return false
  }
  // A snapshot whose configuration does not contain us is still installed: a node that was
  // just added receives a snapshot taken before its addition, followed by the log entry
  // that adds it. (It cannot campaign until that entry is applied.)
  if (r.log.matchTerm(index, term)) {
    // our log already has the snapshot's last entry: just fast-forward the commit
    r.log.commitTo(index)
    r.logger?.debug(`${r.id} [commit: ${r.log.committed}] fast-forwarded commit to snapshot [index: ${index}, term: ${term}]`)
    return false
  }
  r.log.restore(s)
  r.logger?.debug(`${r.id} [commit: ${r.log.committed}] restored snapshot [index: ${index}, term: ${term}]`)
  r.restoreConfig(confState)
  return true
}

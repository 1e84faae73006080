import { ProposalDroppedError, RaftInvariantError } from './errors.ts'
import type { Message } from './messages.ts'
import type { Raft } from './raft.ts'
import {
  appendEntry, bcastAppend, bcastHeartbeat, committedEntryInCurrentTerm, maybeCommit, maybeSendAppend,
  releasePendingReadIndexMessages, responseToReadIndexReq, sendAppend, sendReadIndexResponse, sendTimeoutNow
} from './replication.ts'

/** Message handling in the leader role. */
export function stepLeader (r: Raft, m: Message): void {
  switch (m.type) {
    case 'beat':
      bcastHeartbeat(r)
      return
    case 'checkQuorum':
      if (!r.trk.quorumActive(r.id)) {
        r.logger?.debug(`${r.id} stepped down to follower since quorum is not active`)
        r.becomeFollower(r.term, null)
      }
      for (const [id, pr] of r.trk.progress) if (id !== r.id) pr.recentActive = false
      return
    case 'prop':
      handleProposal(r, m)
      return
    case 'readIndex':
      if (r.trk.isSingleton()) {
        responseToReadIndexReq(r, m, r.log.committed)
      } else if (!committedEntryInCurrentTerm(r)) {
        // the commit index of a new leader is not known to be current yet
        r.pendingReadIndexMessages.push(m)
      } else {
        sendReadIndexResponse(r, m)
      }
      return
  }

  const pr = r.trk.progress.get(m.from)
  if (pr === undefined) return
  switch (m.type) {
    case 'appResp': {
      pr.recentActive = true
      if (m.reject) {
        r.logger?.debug(`${r.id} received appResp rejection (hint: ${m.rejectHint}/${m.logTerm}) from ${m.from} for index ${m.index}`)
        if (m.rejectHint < pr.match) {
          // Its log ends before entries it acknowledged: it lost them (a damaged or truncated
          // disk). They no longer count for it, and replication restarts from where its log
          // ends (a snapshot if that is compacted here). Raft assumes durable logs; without this
          // the leader would probe at its old match forever.
          pr.match = m.rejectHint
          pr.becomeProbe()
          sendAppend(r, m.from)
          return
        }
        let nextProbe = m.rejectHint
        if (m.logTerm > 0) nextProbe = r.log.findConflictByTerm(m.rejectHint, m.logTerm).index
        if (pr.maybeDecrTo(m.index, nextProbe)) {
          if (pr.state === 'replicate') pr.becomeProbe()
          sendAppend(r, m.from)
        }
        return
      }
      const oldPaused = pr.isPaused()
      if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe')) {
        if (pr.state === 'probe') {
          pr.becomeReplicate()
        } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
          pr.becomeProbe()
          pr.becomeReplicate()
        } else if (pr.state === 'replicate') {
          pr.inflights.freeLE(m.index)
        }
        if (maybeCommit(r)) {
          releasePendingReadIndexMessages(r)
          bcastAppend(r)
        } else if (oldPaused) {
          sendAppend(r, m.from)
        }
        // the window may allow several messages now
        for (let i = 0; i < r.cfg.maxInflightMsgs && maybeSendAppend(r, m.from, false); i++) { /* keep sending */ }
        if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, m.from)
      }
      return
    }
    case 'heartbeatResp': {
      pr.recentActive = true
      pr.msgAppFlowPaused = false
      if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne()
      if (pr.match < r.log.lastIndex()) sendAppend(r, m.from)
      if (r.readOnly.mode !== 'safe' || m.context === undefined || m.context.length === 0) return
      const acks = r.readOnly.recvAck(m.from, m.context)
      if (acks === undefined || r.trk.voteResult(acks) !== 'won') return
      for (const rs of r.readOnly.advance(m.context)) responseToReadIndexReq(r, rs.req, rs.index)
      return
    }
    case 'snapStatus':
      if (pr.state !== 'snapshot') return
      r.logger?.debug(`${r.id} snapshot to ${m.from} ${m.reject ? 'failed' : 'sent'}, resumed sending replication messages to it`)
      if (m.reject) pr.pendingSnapshot = 0
      pr.becomeProbe()
      // wait for a heartbeat response (or an append response) before probing again
      pr.msgAppFlowPaused = true
      return
    case 'unreachable':
      if (pr.state === 'replicate') pr.becomeProbe()
      return
    case 'transferLeader': {
      if (pr.isLearner) return
      const transferee = m.from
      if (r.leadTransferee !== null) {
        if (r.leadTransferee === transferee) return
        r.abortLeaderTransfer()
      }
      if (transferee === r.id) return
      r.electionElapsed = 0
      r.leadTransferee = transferee
      r.logger?.debug(`${r.id} [term ${r.term}] starts to transfer leadership to ${transferee}`)
      if (pr.match === r.log.lastIndex()) sendTimeoutNow(r, transferee)
      else sendAppend(r, transferee)
    }
  }
}

function handleProposal (r: Raft, m: Message): void {
  if (m.entries.length === 0) throw new RaftInvariantError('empty proposal')
  if (!r.trk.progress.has(r.id)) throw new ProposalDroppedError('this leader is not part of the configuration')
  if (r.leadTransferee !== null) throw new ProposalDroppedError(`leadership transfer to ${r.leadTransferee} in progress`)
  const ents = m.entries.map((e) => {
    if (e.type !== 'confChange') return e
    // one configuration change at a time, and none before this term's first entry is applied
    if (r.pendingConfIndex > r.log.applied) return { ...e, type: 'normal' as const, data: new Uint8Array(0) }
    return e
  })
  const li = r.log.lastIndex()
  ents.forEach((e, i) => { if (e.type === 'confChange') r.pendingConfIndex = li + 1 + i })
  if (!appendEntry(r, ents)) throw new ProposalDroppedError('too many uncommitted bytes')
  bcastAppend(r)
}

import { CompactedError, RaftInvariantError, SnapshotTemporarilyUnavailableError, UnavailableError } from './errors.ts'
import { isEmptySnapshot, message, payloadSize } from './messages.ts'
import type { Entry, Message, NodeId } from './messages.ts'
import type { Raft } from './raft.ts'

/**
 * Leader-side replication: appending proposals, sending appends/snapshots/heartbeats within
 * each follower's flow-control window, and the commit rule.
 */

/** Stamps and appends entries to the leader's log; false if the uncommitted-bytes limit refuses them. */
export function appendEntry (r: Raft, ents: Entry[]): boolean {
  const li = r.log.lastIndex()
  const stamped = ents.map((e, i) => ({ ...e, term: r.term, index: li + 1 + i }))
  if (!increaseUncommittedSize(r, stamped)) return false
  r.log.append(stamped)
  // the leader's own match advances only once the entries are durable (onPersisted)
  return true
}

function increaseUncommittedSize (r: Raft, ents: readonly Entry[]): boolean {
  const s = payloadSize(ents)
  const max = r.cfg.maxUncommittedBytes
  if (max > 0 && r.uncommittedSize > 0 && s > 0 && r.uncommittedSize + s > max) return false
  r.uncommittedSize += s
  return true
}

export function reduceUncommittedSize (r: Raft, size: number): void {
  r.uncommittedSize = size > r.uncommittedSize ? 0 : r.uncommittedSize - size
}

/** Commit rule (§5.4.2): the quorum index, only if its entry is of the current term. */
export function maybeCommit (r: Raft): boolean {
  const idx = r.trk.committed()
  if (!Number.isFinite(idx)) return false
  return r.log.maybeCommit(idx, r.term)
}

/**
 * Sends an append (or a snapshot when the needed entries are compacted) to `to` if its
 * flow-control window allows. With `sendIfEmpty` false, nothing is sent when there are no
 * new entries.
 */
export function maybeSendAppend (r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.trk.progress.get(to)
  if (pr === undefined || pr.isPaused()) return false
  const prevIndex = pr.next - 1
  let prevTerm = 0
  let ents: Entry[] = []
  let needSnapshot = false
  try {
    prevTerm = r.log.term(prevIndex)
    ents = r.log.entries(pr.next, r.cfg.maxBytesPerMsg, r.cfg.maxEntriesPerMsg)
  } catch (err) {
    if (!(err instanceof CompactedError || err instanceof UnavailableError)) throw err
    needSnapshot = true
  }
  if (!needSnapshot && ents.length === 0 && !sendIfEmpty) return false
  if (needSnapshot) {
    if (!pr.recentActive) return false
    let snap
    try {
      snap = r.log.snapshot()
    } catch (err) {
      if (err instanceof SnapshotTemporarilyUnavailableError) return false
      throw err
    }
    if (isEmptySnapshot(snap)) throw new RaftInvariantError('need a non-empty snapshot')
    pr.becomeSnapshot(snap.metadata.index)
    r.logger?.debug(`${r.id} [firstindex: ${r.log.firstIndex()}, commit: ${r.log.committed}] sent snapshot [index: ${snap.metadata.index}, term: ${snap.metadata.term}] to ${to}`)
    r.send(message({ type: 'snap', to, snapshot: snap }))
    return true
  }
  // Nothing in flight and nothing new: the append only carries the commit index, and its answer
  // would change nothing here (a commit per entry at one client: 2 of 9 messages per proposal).
  const noAnswer = ents.length === 0 && pr.state === 'replicate' && prevIndex === pr.match
  pr.updateOnEntriesSend(ents.length, payloadSize(ents), pr.next)
  r.send(message({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: r.log.committed, ...(noAnswer ? { noAnswer } : {}) }))
  return true
}

export function sendAppend (r: Raft, to: NodeId): void {
  maybeSendAppend(r, to, true)
}

export function bcastAppend (r: Raft): void {
  for (const id of r.trk.ids()) if (id !== r.id) sendAppend(r, id)
}

export function sendHeartbeat (r: Raft, to: NodeId, ctx: Uint8Array | undefined): void {
  const pr = r.trk.progress.get(to)
  if (pr === undefined) return
  // never tell a follower to commit beyond what it is known to have
  const commit = Math.min(pr.match, r.log.committed)
  const m = message({ type: 'heartbeat', to, commit })
  if (ctx !== undefined) m.context = ctx
  r.send(m)
}

export function bcastHeartbeat (r: Raft): void {
  bcastHeartbeatWithContext(r, r.readOnly.lastPendingContext())
}

export function bcastHeartbeatWithContext (r: Raft, ctx: Uint8Array | undefined): void {
  for (const id of r.trk.ids()) if (id !== r.id) sendHeartbeat(r, id, ctx)
}

export function sendTimeoutNow (r: Raft, to: NodeId): void {
  r.send(message({ type: 'timeoutNow', to }))
}

export function committedEntryInCurrentTerm (r: Raft): boolean {
  return r.log.termOrZero(r.log.committed) === r.term
}

/** Answers a read request with `readIndex`: locally (a ReadState) or to the follower that asked. */
export function responseToReadIndexReq (r: Raft, req: Message, readIndex: number): void {
  if (req.from === '' || req.from === r.id) {
    r.readStates.push({ index: readIndex, context: req.context ?? new Uint8Array(0) })
    return
  }
  const resp = message({ type: 'readIndexResp', to: req.from, index: readIndex })
  if (req.context !== undefined) resp.context = req.context
  r.send(resp)
}

export function sendReadIndexResponse (r: Raft, m: Message): void {
  if (r.readOnly.mode === 'safe') {
    r.readOnly.addRequest(r.log.committed, m)
    r.readOnly.recvAck(r.id, m.context)
    bcastHeartbeatWithContext(r, m.context)
  } else {
    responseToReadIndexReq(r, m, r.log.committed)
  }
}

export function releasePendingReadIndexMessages (r: Raft): void {
  if (r.pendingReadIndexMessages.length === 0 || !committedEntryInCurrentTerm(r)) return
  const pending = r.pendingReadIndexMessages
  r.pendingReadIndexMessages = []
  for (const m of pending) sendReadIndexResponse(r, m)
}

/**
 * Entries up to `(index, term)` are durable locally. On the leader this is what advances its
 * own match (B.5: the leader counts itself only after its write).
 */
export function onPersisted (r: Raft, index: number, term: number): void {
  r.log.stableTo(index, term)
  if (r.role !== 'leader') return
  const pr = r.trk.progress.get(r.id)
  if (pr === undefined) return
  if (pr.maybeUpdate(r.log.stableIndex()) && maybeCommit(r)) {
    releasePendingReadIndexMessages(r)
    bcastAppend(r)
  }
}

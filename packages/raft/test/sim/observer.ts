/**
 * The simulator's global observer: checks the Raft safety properties as the run goes.
 * Every check throws a SimViolation describing what broke.
 */
import type { Entry, Message, NodeId, Ready } from '../../src/index.ts'
import type { Raft } from '../../src/raft.ts'
import type { MemoryStorage } from '../../src/index.ts'

export class SimViolation extends Error {
  override readonly name = 'SimViolation'
}

const dec = new TextDecoder()
const entryKey = (e: Entry): string => `${e.type}:${dec.decode(e.data)}`

interface LeaderMark {
  incarnation: number
  lastIndex: number
  lastTerm: number
}

export class Observer {
  /** Election Safety: the leader of each term. */
  private readonly leaders = new Map<number, NodeId>()
  /** Log Matching: for each (index, term) ever written, its content and the previous term. */
  private readonly entries = new Map<string, { key: string, prevTerm: number | undefined }>()
  /** State Machine Safety: what was applied at each index. */
  private readonly applied = new Map<number, string>()
  /**
   * Leader Completeness: for every committed index, the entry's term and the term in which
   * the commit was first observed (an upper bound of the term in which it was committed:
   * an old-term entry may only be committed later, indirectly, by a newer leader).
   */
  private readonly committed = new Map<number, { term: number, seenInTerm: number }>()
  private maxCommitted = 0
  /** Votes granted, per "node:term" (survives restarts). */
  private readonly votes = new Map<string, NodeId>()
  private readonly durableTerm = new Map<NodeId, number>()
  /** Per node incarnation: last apply index, last commit seen, last term seen. */
  private readonly cursor = new Map<NodeId, { applied: number, commit: number, term: number, incarnation: number }>()
  private readonly leaderMarks = new Map<string, LeaderMark>()
  private readonly completenessChecked = new Set<string>()

  get highestCommitted (): number {
    return this.maxCommitted
  }

  fail (msg: string): never {
    throw new SimViolation(msg)
  }

  onStart (id: NodeId, storage: MemoryStorage, incarnation: number): void {
    const hs = storage.initialState().hardState
    const snap = storage.snapshot().metadata
    this.cursor.set(id, { applied: snap.index, commit: Math.max(hs.commit, snap.index), term: hs.term, incarnation })
    const prev = this.durableTerm.get(id) ?? 0
    if (hs.term < prev) this.fail(`${id}: durable term went back from ${prev} to ${hs.term} across a restart`)
  }

  /** After a Ready's writes are durable. */
  onPersist (id: NodeId, rd: Ready, storage: MemoryStorage): void {
    if (rd.hardState !== undefined) {
      const hs = rd.hardState
      const prev = this.durableTerm.get(id) ?? 0
      if (hs.term < prev) this.fail(`${id}: durable term decreased ${prev} -> ${hs.term}`)
      this.durableTerm.set(id, hs.term)
      if (hs.vote !== null) this.recordVote(id, hs.term, hs.vote, 'persisted')
      if (hs.commit > storage.lastIndex()) this.fail(`${id}: persisted commit ${hs.commit} beyond durable last index ${storage.lastIndex()}`)
    }
    let prevTerm: number | undefined
    const first = rd.entries[0]
    if (first !== undefined) {
      try {
        prevTerm = storage.term(first.index - 1)
      } catch {
        prevTerm = undefined
      }
    }
    for (const e of rd.entries) {
      const k = `${e.index}:${e.term}`
      const key = entryKey(e)
      const seen = this.entries.get(k)
      if (seen === undefined) {
        this.entries.set(k, { key, prevTerm })
      } else {
        if (seen.key !== key) this.fail(`Log Matching: entry ${k} has two contents (${seen.key} vs ${key}) [${id}]`)
        if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm) {
          this.fail(`Log Matching: entry ${k} follows term ${seen.prevTerm} in one log and ${prevTerm} in another [${id}]`)
        }
        if (seen.prevTerm === undefined && prevTerm !== undefined) seen.prevTerm = prevTerm
      }
      prevTerm = e.term
    }
  }

  onSend (m: Message): void {
    if (m.type === 'voteResp' && !m.reject) this.recordVote(m.from, m.term, m.to, 'sent')
  }

  private recordVote (id: NodeId, term: number, candidate: NodeId, how: string): void {
    const k = `${id}:${term}`
    const prev = this.votes.get(k)
    if (prev !== undefined && prev !== candidate) this.fail(`${id} voted twice in term ${term}: ${prev} and ${candidate} (${how})`)
    this.votes.set(k, candidate)
  }

  onRestoreSnapshot (id: NodeId, index: number): void {
    const c = this.cursorOf(id)
    if (index < c.applied) this.fail(`${id}: restored snapshot ${index} behind applied ${c.applied}`)
    c.applied = index
  }

  onApply (id: NodeId, e: Entry): void {
    const c = this.cursorOf(id)
    if (e.index !== c.applied + 1) this.fail(`${id}: applied index ${e.index} after ${c.applied} (gap or reorder)`)
    c.applied = e.index
    const key = `${e.term}:${entryKey(e)}`
    const prev = this.applied.get(e.index)
    if (prev === undefined) this.applied.set(e.index, key)
    else if (prev !== key) this.fail(`State Machine Safety: index ${e.index} applied as ${prev} and as ${key} [${id}]`)
  }

  private cursorOf (id: NodeId): { applied: number, commit: number, term: number, incarnation: number } {
    const c = this.cursor.get(id)
    if (c === undefined) this.fail(`unknown node ${id}`)
    return c
  }

  /** Checks run after every simulator step (and on one node whenever it produces a Ready). */
  check (nodes: Iterable<{ id: NodeId, raft: Raft | undefined, incarnation: number }>): void {
    for (const { id, raft: r, incarnation } of nodes) {
      if (r === undefined) continue
      this.checkNode(id, r, incarnation)
    }
  }

  checkNode (id: NodeId, r: Raft, incarnation: number): void {
    {
      const c = this.cursorOf(id)
      const log = r.log
      if (r.term < c.term) this.fail(`${id}: term decreased ${c.term} -> ${r.term}`)
      c.term = r.term
      if (log.committed < c.commit) this.fail(`${id}: commit decreased ${c.commit} -> ${log.committed}`)
      if (!(log.applied <= log.committed && log.committed <= log.lastIndex())) {
        this.fail(`${id}: expected applied ${log.applied} <= commit ${log.committed} <= last ${log.lastIndex()}`)
      }
      for (let i = Math.max(c.commit + 1, log.firstIndex()); i <= log.committed; i++) this.recordCommitted(id, i, log.term(i), r.term)
      c.commit = log.committed
      if (r.role === 'leader') this.checkLeader(id, r, incarnation)
    }
  }

  private recordCommitted (id: NodeId, index: number, term: number, seenInTerm: number): void {
    const prev = this.committed.get(index)
    if (prev !== undefined) {
      if (prev.term !== term) this.fail(`index ${index} committed with term ${prev.term} and term ${term} [${id}]`)
      prev.seenInTerm = Math.min(prev.seenInTerm, seenInTerm)
    } else {
      this.committed.set(index, { term, seenInTerm })
    }
    if (index > this.maxCommitted) this.maxCommitted = index
  }

  private checkLeader (id: NodeId, r: Raft, incarnation: number): void {
    const other = this.leaders.get(r.term)
    if (other !== undefined && other !== id) this.fail(`Election Safety: ${other} and ${id} both leaders of term ${r.term}`)
    this.leaders.set(r.term, id)
    const log = r.log
    // Leader Append-Only
    const mk = `${id}:${r.term}`
    const mark = this.leaderMarks.get(mk)
    if (mark !== undefined && mark.incarnation === incarnation) {
      if (log.lastIndex() < mark.lastIndex) this.fail(`Leader Append-Only: ${id} log shrank ${mark.lastIndex} -> ${log.lastIndex()} in term ${r.term}`)
      if (mark.lastIndex >= log.firstIndex() && log.term(mark.lastIndex) !== mark.lastTerm) {
        this.fail(`Leader Append-Only: ${id} overwrote entry ${mark.lastIndex} in term ${r.term}`)
      }
    }
    this.leaderMarks.set(mk, { incarnation, lastIndex: log.lastIndex(), lastTerm: log.lastTerm() })
    // Leader Completeness (checked once per leader and term, and again at the end)
    if (!this.completenessChecked.has(mk)) {
      this.completenessChecked.add(mk)
      this.checkCompleteness(id, r)
    }
    // At most one configuration change pending on the leader's log
    if (log.lastIndex() - log.applied <= 2000) {
      const ents = log.slice(log.applied + 1, log.lastIndex() + 1, Infinity)
      if (ents.filter((e) => e.type === 'confChange').length > 1) this.fail(`${id}: more than one pending configuration change`)
    }
  }

  checkCompleteness (id: NodeId, r: Raft): void {
    const log = r.log
    const snapIndex = log.firstIndex() - 1
    for (const [index, { term, seenInTerm }] of this.committed) {
      // only entries committed in an earlier term (or this one) must be in this leader's log
      if (seenInTerm > r.term || index <= snapIndex) continue
      let t: number | undefined
      try {
        t = log.term(index)
      } catch {
        t = undefined
      }
      if (t !== term) this.fail(`Leader Completeness: leader ${id} of term ${r.term} lacks committed entry ${index}@${term} (has ${String(t)})`)
    }
  }
}

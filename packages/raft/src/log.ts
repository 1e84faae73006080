import { CompactedError, RaftInvariantError, UnavailableError } from './errors.ts'
import { limitSize } from './messages.ts'
import type { Entry, Snapshot } from './messages.ts'
import type { Storage } from './storage.ts'
import { Unstable } from './unstable.ts'

/**
 * The Raft log as the core sees it: the durable part (read through {@link Storage}) followed
 * by the unstable part. Tracks the commit and applied indexes.
 */
export class RaftLog {
  readonly storage: Storage
  readonly unstable: Unstable
  committed: number
  applied: number
  private readonly maxCommittedBytes: number

  constructor (storage: Storage, maxCommittedBytes: number) {
    this.storage = storage
    this.maxCommittedBytes = maxCommittedBytes
    const first = storage.firstIndex()
    const last = storage.lastIndex()
    this.unstable = new Unstable(last + 1)
    this.committed = first - 1
    this.applied = first - 1
  }

  firstIndex (): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex()
  }

  lastIndex (): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex()
  }

  /** The last index known to be durable (entries below the unstable part). */
  stableIndex (): number {
    if (this.unstable.snapshot !== undefined) return 0
    return Math.min(this.unstable.offset - 1, this.lastIndex())
  }

  lastTerm (): number {
    return this.term(this.lastIndex())
  }

  /** Term of entry `i`; throws CompactedError / UnavailableError outside `[firstIndex-1, lastIndex]`. */
  term (i: number): number {
    const t = this.unstable.maybeTerm(i)
    if (t !== undefined) return t
    if (i < this.firstIndex() - 1) throw new CompactedError()
    if (i > this.lastIndex()) throw new UnavailableError()
    return this.storage.term(i)
  }

  /**
   * Term of entry `i`, or undefined if it is compacted or beyond the log. Checks the range
   * first: this is on the append hot path, where throwing and catching would dominate.
   */
  private termIfKnown (i: number): number | undefined {
    const t = this.unstable.maybeTerm(i)
    if (t !== undefined) return t
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return undefined
    try {
      return this.storage.term(i)
    } catch (err) {
      if (err instanceof CompactedError || err instanceof UnavailableError) return undefined
      throw err
    }
  }

  /** Term of entry `i`, or 0 if it is compacted or beyond the log. */
  termOrZero (i: number): number {
    return this.termIfKnown(i) ?? 0
  }

  matchTerm (i: number, t: number): boolean {
    return this.termIfKnown(i) === t
  }

  isUpToDate (lastIndex: number, term: number): boolean {
    const myTerm = this.lastTerm()
    return term > myTerm || (term === myTerm && lastIndex >= this.lastIndex())
  }

  /**
   * Follower append: if the entry at `index` has `logTerm`, appends `ents` (truncating a
   * conflicting suffix) and advances commit. Returns the last new index, or undefined.
   */
  maybeAppend (index: number, logTerm: number, committed: number, ents: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined
    const lastNew = index + ents.length
    const ci = this.findConflict(ents)
    if (ci !== 0) {
      if (ci <= this.committed) {
        throw new RaftInvariantError(`entry ${ci} conflicts with committed entry (committed ${this.committed})`)
      }
      this.append(ents.slice(ci - (index + 1)))
    }
    this.commitTo(Math.min(committed, lastNew))
    return lastNew
  }

  append (ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex()
    const after = (ents[0] as Entry).index - 1
    if (after < this.committed) {
      throw new RaftInvariantError(`appending after ${after} would truncate committed index ${this.committed}`)
    }
    this.unstable.truncateAndAppend(ents)
    return this.lastIndex()
  }

  /** Index of the first entry of `ents` that is missing or differs in term, or 0. */
  findConflict (ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index
    }
    return 0
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term`, with that term (fast back-tracking).
   * Returns term 0 when the index is compacted.
   */
  findConflictByTerm (index: number, term: number): { index: number, term: number } {
    for (; index > 0; index--) {
      let t: number
      try {
        t = this.term(index)
      } catch (err) {
        if (err instanceof CompactedError || err instanceof UnavailableError) return { index, term: 0 }
        throw err
      }
      if (t <= term) return { index, term: t }
    }
    return { index: 0, term: 0 }
  }

  unstableEntries (): Entry[] {
    return [...this.unstable.entries]
  }

  hasPendingSnapshot (): boolean {
    return this.unstable.snapshot !== undefined
  }

  /** Committed entries not yet applied (bounded by size); none while a snapshot is pending. */
  nextCommittedEntries (): Entry[] {
    if (this.hasPendingSnapshot()) return []
    const lo = this.applied + 1
    const hi = this.committed + 1
    if (lo >= hi) return []
    return this.slice(lo, hi, this.maxCommittedBytes)
  }

  hasNextCommittedEntries (): boolean {
    return !this.hasPendingSnapshot() && this.committed > this.applied
  }

  snapshot (): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot()
  }

  commitTo (toCommit: number): void {
    if (this.committed < toCommit) {
      if (this.lastIndex() < toCommit) {
        throw new RaftInvariantError(`commit ${toCommit} is out of range [last index ${this.lastIndex()}]`)
      }
      this.committed = toCommit
    }
  }

  appliedTo (i: number): void {
    if (i === 0) return
    if (this.committed < i || i < this.applied) {
      throw new RaftInvariantError(`applied ${i} out of range [prev applied ${this.applied}, committed ${this.committed}]`)
    }
    this.applied = i
  }

  stableTo (i: number, t: number): void {
    this.unstable.stableTo(i, t)
  }

  stableSnapTo (i: number): void {
    this.unstable.stableSnapTo(i)
  }

  /** Commits `index` if it has term `term` (leader commit rule). */
  maybeCommit (index: number, term: number): boolean {
    if (index > this.committed && this.termOrZero(index) === term) {
      this.commitTo(index)
      return true
    }
    return false
  }

  restore (s: Snapshot): void {
    this.committed = s.metadata.index
    this.unstable.restore(s)
  }

  /** Entries from `i` to the end, bounded by size and count. */
  entries (i: number, maxSize: number, maxCount = Infinity): Entry[] {
    if (i > this.lastIndex()) return []
    return this.slice(i, this.lastIndex() + 1, maxSize, maxCount)
  }

  /** Entries in `[lo, hi)`, bounded by size (at least one) and count. Throws CompactedError. */
  slice (lo: number, hi: number, maxSize: number, maxCount = Infinity): Entry[] {
    if (lo > hi) throw new RaftInvariantError(`invalid slice ${lo} > ${hi}`)
    const fi = this.firstIndex()
    if (lo < fi) throw new CompactedError()
    if (hi > this.lastIndex() + 1) throw new RaftInvariantError(`slice [${lo},${hi}) out of bound [${fi},${this.lastIndex()}]`)
    if (lo === hi) return []
    hi = Math.min(hi, lo + maxCount)
    let ents: Entry[] = []
    const off = this.unstable.offset
    if (lo < off) {
      const stored = this.storage.entries(lo, Math.min(hi, off), maxSize)
      if (stored.length < Math.min(hi, off) - lo) return stored
      ents = stored
    }
    if (hi > off) {
      const u = this.unstable.slice(Math.max(lo, off), hi)
      ents = ents.length > 0 ? ents.concat(u) : u
    }
    return limitSize(ents, maxSize)
  }
}

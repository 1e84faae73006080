import { CompactedError, RaftInvariantError, SnapshotOutOfDateError, UnavailableError } from './errors.ts'
import { emptyConfState, emptySnapshot, limitSize } from './messages.ts'
import type { ConfState, Entry, HardState, Snapshot } from './messages.ts'

/**
 * The read side of the durable Raft log, consulted by the core. The application writes
 * to it while processing a Ready (hard state, entries, snapshot) and compacts it after
 * taking snapshots; the core never writes.
 *
 * Calls are synchronous: an implementation backed by a slow disk should keep the recent
 * tail of the log in memory.
 */
export interface Storage {
  /** The saved hard state and the configuration of the latest snapshot. */
  initialState: () => { hardState: HardState, confState: ConfState }
  /**
   * Entries in `[lo, hi)`, at least one if any, total size ≤ `maxSize` otherwise.
   * Throws {@link CompactedError} if `lo` is compacted, {@link UnavailableError} if beyond the log.
   */
  entries: (lo: number, hi: number, maxSize: number) => Entry[]
  /**
   * Term of entry `i`, for `i` in `[firstIndex() - 1, lastIndex()]` (the term of the entry at
   * `firstIndex() - 1` is kept for matching even though the entry is compacted).
   */
  term: (i: number) => number
  /** Index of the first entry still available (the snapshot index + 1 after compaction). */
  firstIndex: () => number
  lastIndex: () => number
  /** The most recent snapshot (may throw `SnapshotTemporarilyUnavailableError`). */
  snapshot: () => Snapshot
}

/**
 * An in-memory {@link Storage}, used by tests and the simulator and usable by applications
 * that rebuild everything from peers. `entries[0]` is a dummy entry holding the index and
 * term of the last compacted entry.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: null, commit: 0 }
  private snap: Snapshot = emptySnapshot()
  private ents: Entry[] = [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }]

  initialState (): { hardState: HardState, confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: cloneConfState(this.snap.metadata.confState) }
  }

  setHardState (hs: HardState): void {
    this.hardState = { ...hs }
  }

  entries (lo: number, hi: number, maxSize: number): Entry[] {
    const offset = this.dummy().index
    if (lo <= offset) throw new CompactedError()
    if (hi > this.lastIndex() + 1) throw new UnavailableError(`entries [${lo}, ${hi}) beyond last index ${this.lastIndex()}`)
    if (this.ents.length === 1) throw new UnavailableError()
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSize)
  }

  term (i: number): number {
    const offset = this.dummy().index
    if (i < offset) throw new CompactedError()
    const e = this.ents[i - offset]
    if (e === undefined) throw new UnavailableError()
    return e.term
  }

  firstIndex (): number {
    return this.dummy().index + 1
  }

  lastIndex (): number {
    return this.dummy().index + this.ents.length - 1
  }

  snapshot (): Snapshot {
    return this.snap
  }

  /** Replaces the whole log by a snapshot (from a Ready, or to bootstrap a group). */
  applySnapshot (s: Snapshot): void {
    if (this.snap.metadata.index >= s.metadata.index) throw new SnapshotOutOfDateError()
    this.snap = s
    this.ents = [{ term: s.metadata.term, index: s.metadata.index, type: 'normal', data: new Uint8Array(0) }]
  }

  /**
   * Bootstraps a new group: the initial configuration as a snapshot at index 1, term 1,
   * and a hard state at term 1 (see {@link bootstrapSnapshot}).
   */
  bootstrap (snapshot: Snapshot): void {
    this.applySnapshot(snapshot)
    this.setHardState({ term: snapshot.metadata.term, vote: null, commit: snapshot.metadata.index })
  }

  /**
   * Records a snapshot of the state machine at applied index `i` (the log is not
   * compacted: call {@link compact} afterwards).
   */
  createSnapshot (i: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (i <= this.snap.metadata.index) throw new SnapshotOutOfDateError()
    const offset = this.dummy().index
    if (i > this.lastIndex()) throw new RaftInvariantError(`snapshot index ${i} is beyond last index ${this.lastIndex()}`)
    const e = this.ents[i - offset] as Entry
    this.snap = { metadata: { index: i, term: e.term, confState: cloneConfState(confState) }, data }
    return this.snap
  }

  /** Discards entries up to and including `compactIndex` (must be ≤ the applied index). */
  compact (compactIndex: number): void {
    const offset = this.dummy().index
    if (compactIndex <= offset) throw new CompactedError()
    if (compactIndex > this.lastIndex()) throw new RaftInvariantError(`compact ${compactIndex} is beyond last index ${this.lastIndex()}`)
    const i = compactIndex - offset
    const e = this.ents[i] as Entry
    this.ents = [{ term: e.term, index: e.index, type: 'normal', data: new Uint8Array(0) }, ...this.ents.slice(i + 1)]
  }

  /** Appends entries, first deleting any existing entry at or after `entries[0].index`. */
  append (entries: readonly Entry[]): void {
    if (entries.length === 0) return
    const first = this.firstIndex()
    const e0 = entries[0] as Entry
    const last = e0.index + entries.length - 1
    if (last < first) return
    const ents = first > e0.index ? entries.slice(first - e0.index) : entries
    const offset = (ents[0] as Entry).index - this.dummy().index
    if (this.ents.length < offset) {
      throw new RaftInvariantError(`missing log entry: last ${this.lastIndex()}, appending at ${(ents[0] as Entry).index}`)
    }
    this.ents = this.ents.slice(0, offset).concat(ents)
  }

  private dummy (): Entry {
    return this.ents[0] as Entry
  }
}

export function cloneConfState (cs: ConfState): ConfState {
  return {
    voters: [...cs.voters],
    learners: [...cs.learners],
    votersOutgoing: [...cs.votersOutgoing],
    learnersNext: [...cs.learnersNext],
    autoLeave: cs.autoLeave
  }
}

/**
 * Writes the initial configuration of a new group as a snapshot at index 1, term 1, with
 * `data` as the (empty) state machine. Every initial voter must be bootstrapped with the
 * same voters; a node joining later starts with empty storage.
 */
export function bootstrapSnapshot (voters: readonly string[], data: Uint8Array = new Uint8Array(0), learners: readonly string[] = []): Snapshot {
  return {
    metadata: { index: 1, term: 1, confState: { ...emptyConfState(), voters: [...voters], learners: [...learners] } },
    data
  }
}

import Database from 'better-sqlite3'
import type { ConfState, Entry, HardState, Snapshot } from './messages.ts'
import { isEmptySnapshot } from './messages.ts'
import { SnapshotOutOfDateError } from './errors.ts'
import { MemoryStorage, cloneConfState, type Storage } from './storage.ts'
import { WalSync } from './wal-sync.ts'
import type { PersistUpdate } from './node-options.ts'

export interface SqliteStorageOptions {
  /**
   * `full` (default) fsyncs the write-ahead log before a persist returns (resolves), so a
   * persisted Ready survives a power loss; `normal` never fsyncs: it survives a process crash only.
   */
  synchronous?: 'full' | 'normal'
}


interface EntryRow { idx: number, term: number, type: number, data: Uint8Array }

/**
 * Durable {@link Storage} in one SQLite file (better-sqlite3, WAL mode). The log since the last
 * compaction is mirrored in memory (a {@link MemoryStorage}) so the core's synchronous reads never
 * touch the disk; every write goes to SQLite first, in one transaction, then to the mirror.
 * This is etcd's MemoryStorage + WAL arrangement with SQLite as the WAL.
 *
 * SQLite runs with `synchronous = NORMAL` and the WAL is fsynced by {@link WalSync}: blocking in
 * {@link persist}, on the thread pool in {@link persistAsync}, where the writes of every caller
 * that arrives during one fsync share the next.
 */
export class SqliteStorage implements Storage {
  private readonly db: Database.Database
  private readonly mem = new MemoryStorage()
  private readonly wal: WalSync | undefined
  private transactions = 0
  /**
   * Runs its argument in a transaction. Made once: better-sqlite3 builds four wrapper functions
   * and their properties at every `db.transaction(fn)` (8–11 µs, paid at every Ready).
   */
  private readonly inTransaction: (body: () => void) => void
  private readonly stmt: {
    putMeta: Database.Statement<[string, Uint8Array]>
    getMeta: Database.Statement<[string], { value: Uint8Array } | undefined>
    insertEntry: Database.Statement<[number, number, number, Uint8Array]>
    truncateFrom: Database.Statement<[number]>
    compactTo: Database.Statement<[number]>
    all: Database.Statement<[], EntryRow>
  }

  constructor (path: string, options: SqliteStorageOptions = {}) {
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS raft_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS raft_entries (idx INTEGER PRIMARY KEY, term INTEGER NOT NULL, type INTEGER NOT NULL, data BLOB NOT NULL);
    `)
    this.stmt = {
      putMeta: this.db.prepare('INSERT INTO raft_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      getMeta: this.db.prepare('SELECT value FROM raft_meta WHERE key = ?'),
      insertEntry: this.db.prepare('INSERT OR REPLACE INTO raft_entries (idx, term, type, data) VALUES (?, ?, ?, ?)'),
      truncateFrom: this.db.prepare('DELETE FROM raft_entries WHERE idx >= ?'),
      compactTo: this.db.prepare('DELETE FROM raft_entries WHERE idx <= ?'),
      all: this.db.prepare('SELECT idx, term, type, data FROM raft_entries ORDER BY idx')
    }
    this.inTransaction = this.db.transaction((body: () => void) => { body() })
    this.load()
    if ((options.synchronous ?? 'full') === 'full') this.wal = new WalSync(path)
  }

  /** Write transactions and log fsyncs so far (benchmarks and tests count them). */
  get stats (): { transactions: number, fsyncs: number } {
    return { transactions: this.transactions, fsyncs: this.wal?.fsyncs ?? 0 }
  }

  /** Reads the whole durable state back into the in-memory mirror (at open). */
  private load (): void {
    const snap = this.readJson<{ index: number, term: number, confState: ConfState }>('snapshot_meta')
    if (snap !== undefined) {
      const data = this.stmt.getMeta.get('snapshot_data')?.value ?? new Uint8Array(0)
      this.mem.applySnapshot({ metadata: snap, data: new Uint8Array(data) })
    }
    const hs = this.readJson<HardState>('hard_state')
    if (hs !== undefined) this.mem.setHardState(hs)
    const entries: Entry[] = []
    for (const row of this.stmt.all.iterate()) {
      if (row.idx <= (snap?.index ?? 0)) continue
      entries.push({ index: row.idx, term: row.term, type: row.type === 1 ? 'confChange' : 'normal', data: new Uint8Array(row.data) })
    }
    this.mem.append(entries)
  }

  /**
   * Makes a Ready's durable parts durable, atomically: snapshot first, then entries (replacing
   * any conflicting suffix), then the hard state. Returns once they are on disk; blocks the
   * event loop for the fsync (see {@link persistAsync}).
   */
  persist (update: PersistUpdate): void {
    this.write(update)
    if (update.mustSync !== false) this.wal?.syncNow()
  }

  /**
   * {@link persist} with the fsync off the event loop: the transaction is written (and visible to
   * the reads of the core) now, the promise resolves once it is on disk and rejects if the write
   * or the fsync failed (the storage is then unusable).
   */
  async persistAsync (update: PersistUpdate): Promise<void> {
    this.write(update)
    if (update.mustSync !== false) await this.wal?.sync()
  }

  private write (update: PersistUpdate): void {
    const { hardState, entries = [], snapshot } = update
    if (hardState === undefined && entries.length === 0 && snapshot === undefined) return
    if (snapshot !== undefined && !isEmptySnapshot(snapshot) && snapshot.metadata.index <= this.mem.snapshot().metadata.index) {
      throw new SnapshotOutOfDateError()
    }
    this.transactions++
    this.inTransaction(() => {
      if (snapshot !== undefined && !isEmptySnapshot(snapshot)) this.writeSnapshot(snapshot, true)
      const first = entries[0]
      if (first !== undefined) {
        this.stmt.truncateFrom.run(first.index)
        for (const e of entries) this.stmt.insertEntry.run(e.index, e.term, e.type === 'confChange' ? 1 : 0, e.data)
      }
      if (hardState !== undefined) this.writeJson('hard_state', hardState)
    })
    if (snapshot !== undefined && !isEmptySnapshot(snapshot)) this.mem.applySnapshot(snapshot)
    if (entries.length > 0) this.mem.append(entries)
    if (hardState !== undefined) this.mem.setHardState(hardState)
  }

  setHardState (hs: HardState): void { this.persist({ hardState: hs }) }
  append (entries: readonly Entry[]): void { this.persist({ entries }) }
  applySnapshot (snapshot: Snapshot): void { this.persist({ snapshot }) }

  /** Records a snapshot of the application state at applied index `i` (the log is kept). */
  createSnapshot (i: number, confState: ConfState, data: Uint8Array): Snapshot {
    const snap = this.mem.createSnapshot(i, confState, data)
    this.transactions++
    this.inTransaction(() => { this.writeSnapshot(snap, false) })
    this.wal?.syncNow()
    return snap
  }

  /**
   * Discards entries up to and including `compactIndex` (≤ the snapshot index). Not fsynced:
   * losing a compaction in a crash is harmless, and the WAL never keeps it without the snapshot
   * written before it.
   */
  compact (compactIndex: number): void {
    this.mem.compact(compactIndex)
    this.transactions++
    this.stmt.compactTo.run(compactIndex)
  }

  close (): void {
    this.wal?.close()
    this.db.close()
  }

  initialState (): { hardState: HardState, confState: ConfState } { return this.mem.initialState() }
  entries (lo: number, hi: number, maxSize: number): Entry[] { return this.mem.entries(lo, hi, maxSize) }
  term (i: number): number { return this.mem.term(i) }
  firstIndex (): number { return this.mem.firstIndex() }
  lastIndex (): number { return this.mem.lastIndex() }
  snapshot (): Snapshot { return this.mem.snapshot() }

  private writeSnapshot (s: Snapshot, replacesLog: boolean): void {
    const { index, term, confState } = s.metadata
    this.writeJson('snapshot_meta', { index, term, confState: cloneConfState(confState) })
    this.stmt.putMeta.run('snapshot_data', s.data)
    // A received snapshot replaces the whole log; a local one leaves it for compact().
    if (replacesLog) this.stmt.compactTo.run(Number.MAX_SAFE_INTEGER)
  }

  private writeJson (key: string, value: unknown): void {
    this.stmt.putMeta.run(key, Buffer.from(JSON.stringify(value)))
  }

  private readJson<T> (key: string): T | undefined {
    const row = this.stmt.getMeta.get(key)
    return row === undefined ? undefined : JSON.parse(Buffer.from(row.value).toString()) as T
  }
}


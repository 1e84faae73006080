/**
 * A CrdtStore in SQLite (better-sqlite3). Relational rather than Go's key/value layout: one row
 * per key (current value and priority), one row per element (key, adding block) carrying its
 * priority and value until it is tombstoned, heads, processed-block marks and a small meta table.
 * Every read is an indexed point or range lookup, so memory stays flat at millions of pins.
 */
import Database from 'better-sqlite3'
import type { CrdtStore, HeadRecord, LiveElement, ValueRecord } from './store.ts'

const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS crdt_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS crdt_values (key TEXT PRIMARY KEY, value BLOB NOT NULL, priority INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS crdt_elements (
  key TEXT NOT NULL, id TEXT NOT NULL, priority INTEGER NOT NULL,
  value BLOB, tombstoned INTEGER NOT NULL, PRIMARY KEY (key, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS crdt_heads (cid BLOB PRIMARY KEY, height INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS crdt_processed (multihash BLOB PRIMARY KEY) WITHOUT ROWID;
`

export interface SqliteStoreOptions {
  /** Share a database already open elsewhere (tables are prefixed `crdt_`). */
  database?: Database.Database
  /**
   * Keep the file locked while open (SQLite `locking_mode = EXCLUSIVE`): no other connection or
   * process can read it meanwhile, and each transaction saves its lock calls. Default false.
   */
  exclusive?: boolean
}

export class SqliteStore implements CrdtStore {
  readonly db: Database.Database
  private readonly ownsDb: boolean
  private readonly stmts
  /**
   * Runs its argument in a transaction. Made once: better-sqlite3 builds four wrapper functions
   * and their properties at every `db.transaction(fn)` (8–11 µs, paid at every CRDT commit).
   */
  private readonly inTransaction: (body: () => unknown) => unknown

  /** Opens (creating if needed) the store at `path` (":memory:" for a throwaway one). */
  constructor (path: string, opts: SqliteStoreOptions = {}) {
    this.ownsDb = opts.database === undefined
    this.db = opts.database ?? new Database(path)
    if (this.ownsDb) {
      // Before WAL is first used, so no shared-memory index is made: the store is this process's
      // alone, and a transaction then takes no file lock (a one-row commit 47 → 32 µs).
      if (opts.exclusive === true) this.db.pragma('locking_mode = EXCLUSIVE')
      this.db.pragma('journal_mode = WAL')
      this.db.pragma('synchronous = NORMAL')
    }
    this.db.exec(SCHEMA)
    const db = this.db
    this.stmts = {
      getValue: db.prepare<[string], { value: Buffer, priority: number }>('SELECT value, priority FROM crdt_values WHERE key = ?'),
      putValue: db.prepare('INSERT INTO crdt_values (key, value, priority) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, priority = excluded.priority'),
      deleteValue: db.prepare('DELETE FROM crdt_values WHERE key = ?'),
      putElement: db.prepare(`INSERT INTO crdt_elements (key, id, priority, value, tombstoned) VALUES (?, ?, ?, ?, 0)
        ON CONFLICT (key, id) DO UPDATE SET priority = excluded.priority,
          value = CASE WHEN tombstoned = 1 THEN NULL WHEN value IS NULL OR excluded.value > value THEN excluded.value ELSE value END`),
      putTombstone: db.prepare(`INSERT INTO crdt_elements (key, id, priority, value, tombstoned) VALUES (?, ?, 0, NULL, 1)
        ON CONFLICT (key, id) DO UPDATE SET tombstoned = 1, value = NULL`),
      isTombstoned: db.prepare<[string, string], { t: number }>('SELECT tombstoned AS t FROM crdt_elements WHERE key = ? AND id = ?'),
      liveElements: db.prepare<[string], { id: string, priority: number, value: Buffer }>(
        'SELECT id, priority, value FROM crdt_elements WHERE key = ? AND tombstoned = 0 AND value IS NOT NULL ORDER BY id'),
      listHeads: db.prepare<[], { cid: Buffer, height: number }>('SELECT cid, height FROM crdt_heads'),
      putHead: db.prepare('INSERT INTO crdt_heads (cid, height) VALUES (?, ?) ON CONFLICT (cid) DO UPDATE SET height = excluded.height'),
      deleteHead: db.prepare('DELETE FROM crdt_heads WHERE cid = ?'),
      isProcessed: db.prepare<[Uint8Array], { one: number }>('SELECT 1 AS one FROM crdt_processed WHERE multihash = ?'),
      markProcessed: db.prepare('INSERT OR IGNORE INTO crdt_processed (multihash) VALUES (?)'),
      getMeta: db.prepare<[string], { value: number }>('SELECT value FROM crdt_meta WHERE name = ?'),
      putMeta: db.prepare('INSERT INTO crdt_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      deleteMeta: db.prepare('DELETE FROM crdt_meta WHERE name = ?'),
      pageFirst: db.prepare<[number], { key: string, value: Buffer }>('SELECT key, value FROM crdt_values ORDER BY key LIMIT ?'),
      pageAfter: db.prepare<[string, number], { key: string, value: Buffer }>('SELECT key, value FROM crdt_values WHERE key > ? ORDER BY key LIMIT ?'),
      size: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM crdt_values'),
      elementRecords: db.prepare<[], { key: string, id: string, priority: number, tombstoned: number }>('SELECT key, id, priority, tombstoned FROM crdt_elements'),
      processedBlocks: db.prepare<[], { multihash: Buffer }>('SELECT multihash FROM crdt_processed')
    }
    this.inTransaction = db.transaction((body: () => unknown) => body())
    const version = this.stmts.getMeta.get('version')?.value
    if (version === undefined) this.stmts.putMeta.run('version', SCHEMA_VERSION)
    else if (version !== SCHEMA_VERSION) throw new Error(`unsupported crdt store version ${version}`)
  }

  getValue (key: string): ValueRecord | undefined {
    const row = this.stmts.getValue.get(key)
    return row === undefined ? undefined : { value: new Uint8Array(row.value), priority: row.priority }
  }

  putValue (key: string, value: Uint8Array, priority: number): void {
    this.stmts.putValue.run(key, value, priority)
  }

  deleteValue (key: string): void {
    this.stmts.deleteValue.run(key)
  }

  putElement (key: string, id: string, priority: number, value: Uint8Array): void {
    this.stmts.putElement.run(key, id, priority, value)
  }

  putTombstone (key: string, id: string): void {
    this.stmts.putTombstone.run(key, id)
  }

  isTombstoned (key: string, id: string): boolean {
    return this.stmts.isTombstoned.get(key, id)?.t === 1
  }

  liveElements (key: string): LiveElement[] {
    return this.stmts.liveElements.all(key).map((r) => ({ id: r.id, priority: r.priority, value: new Uint8Array(r.value) }))
  }

  listHeads (): HeadRecord[] {
    return this.stmts.listHeads.all().map((r) => ({ cid: new Uint8Array(r.cid), height: r.height }))
  }

  putHead (cid: Uint8Array, height: number): void {
    this.stmts.putHead.run(cid, height)
  }

  deleteHead (cid: Uint8Array): void {
    this.stmts.deleteHead.run(cid)
  }

  isProcessed (multihash: Uint8Array): boolean {
    return this.stmts.isProcessed.get(multihash) !== undefined
  }

  markProcessed (multihash: Uint8Array): void {
    this.stmts.markProcessed.run(multihash)
  }

  isDirty (): boolean {
    return this.stmts.getMeta.get('dirty') !== undefined
  }

  setDirty (dirty: boolean): void {
    if (dirty) this.stmts.putMeta.run('dirty', 1)
    else this.stmts.deleteMeta.run('dirty')
  }

  valuesPage (after: string | undefined, limit: number): Array<[string, Uint8Array]> {
    const rows = after === undefined ? this.stmts.pageFirst.all(limit) : this.stmts.pageAfter.all(after, limit)
    return rows.map((r) => [r.key, new Uint8Array(r.value)])
  }

  size (): number {
    return this.stmts.size.get()?.n ?? 0
  }

  /** Reads one row at a time; no write may run on this connection until the iteration ends. */
  * elementRecords (): Iterable<{ key: string, id: string, priority: number, tombstoned: boolean }> {
    for (const r of this.stmts.elementRecords.iterate()) yield { key: r.key, id: r.id, priority: r.priority, tombstoned: r.tombstoned === 1 }
  }

  * processedBlocks (): Iterable<Uint8Array> {
    for (const r of this.stmts.processedBlocks.iterate()) yield new Uint8Array(r.multihash)
  }

  transaction<T>(fn: () => T): T {
    // Nested calls join the outer transaction (better-sqlite3 uses savepoints).
    return this.inTransaction(fn) as T
  }

  begin (): void {
    this.db.exec('BEGIN')
  }

  commit (): void {
    if (this.db.inTransaction) this.db.exec('COMMIT')
  }

  clear (): void {
    this.db.exec('DELETE FROM crdt_values; DELETE FROM crdt_elements; DELETE FROM crdt_heads; DELETE FROM crdt_processed; DELETE FROM crdt_meta WHERE name = \'dirty\';')
  }

  close (): void {
    if (this.ownsDb) this.db.close()
  }
}

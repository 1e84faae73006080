/**
 * The pinset's SQLite file: its schema, its integrity check, and snapshots of it. A snapshot is
 * a copy of the file itself (same schema, same rows) made from a read transaction, so it is the
 * state at one applied index while entries go on being applied; a follower installs it by
 * copying the file into place, with no per-pin decoding.
 */
import { closeSync, copyFileSync, fsyncSync, openSync } from 'node:fs'
import { setImmediate as nextTurn } from 'node:timers/promises'
import Database from 'better-sqlite3'

/**
 * Schema versions (`PRAGMA user_version`): 0 = the first format (pins by CID and name, no
 * version set); 2 = the search index (pin timestamp and expiry columns, metadata and allocation
 * tables, each with an index by CID); 3 = the side tables without their CID indexes: a pin's side
 * rows are deleted by their keys, taken from the pin's stored JSON (the allocation index was a
 * fifth of the file: 24 MB of 120 at 100k pins, and a tenth of a `state import`'s time). A file
 * of an older version is migrated when opened.
 */
export const SCHEMA_VERSION = 3

const TABLES = `
  CREATE TABLE IF NOT EXISTS $.pins (cid TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL,
    ts INTEGER NOT NULL DEFAULT 0, expire INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS $.state_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS $.applied_proposals (id TEXT PRIMARY KEY, idx INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS $.pin_meta (key TEXT NOT NULL, value TEXT NOT NULL, cid TEXT NOT NULL, PRIMARY KEY (key, value, cid)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS $.pin_allocs (peer TEXT NOT NULL, cid TEXT NOT NULL, PRIMARY KEY (peer, cid)) WITHOUT ROWID;
`
/** Built after a bulk copy (cheaper than row by row). `expire` 0 = never: left out of its index. */
const INDEXES = `
  CREATE INDEX IF NOT EXISTS $.pins_by_name ON pins (name);
  CREATE INDEX IF NOT EXISTS $.pins_by_ts ON pins (ts);
  CREATE INDEX IF NOT EXISTS $.pins_by_expire ON pins (expire) WHERE expire > 0;
`

/** The indexes of INDEXES, dropped while a whole pinset is loaded. */
const INDEX_NAMES = ['pins_by_name', 'pins_by_ts', 'pins_by_expire']

/** Indexes of version 2 that version 3 no longer has. */
const DROPPED_IN_3 = ['pin_meta_by_cid', 'pin_allocs_by_cid']

/** The index rows of one pin: what the `ts`/`expire` columns and the side tables hold. */
export interface PinIndexRows {
  ts: number
  expire: number
  metadata: Array<[string, string]>
  allocations: string[]
}

/** The index rows of a stored pin's JSON; undefined when it does not decode. */
export type IndexRowsOfJson = (json: string) => PinIndexRows | undefined

/**
 * Tables of a pinset file (`schema` is `main` or an attached database's name), migrating a file
 * of an older version: `indexOf` gives the index rows of a stored pin's JSON (undefined when
 * it does not decode: such a row is left out of the index, as it is unreadable anyway).
 */
export function createSchema (db: Database.Database, indexOf: IndexRowsOfJson, schema = 'main'): void {
  const version = db.pragma(`${schema}.user_version`, { simple: true }) as number
  if (version > SCHEMA_VERSION) throw new Error(`pinset schema version ${version} is newer than this program's (${SCHEMA_VERSION})`)
  if (version === SCHEMA_VERSION) return
  if (version === 2) {
    db.transaction(() => {
      for (const name of DROPPED_IN_3) db.exec(`DROP INDEX IF EXISTS ${schema}.${name}`)
      db.pragma(`${schema}.user_version = ${SCHEMA_VERSION}`)
    })()
    return
  }
  const hasPins = db.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = 'pins'`).get() !== undefined
  db.transaction(() => {
    if (hasPins) {
      const columns = (db.pragma(`${schema}.table_info(pins)`) as Array<{ name: string }>).map(c => c.name)
      if (!columns.includes('ts')) db.exec(`ALTER TABLE ${schema}.pins ADD COLUMN ts INTEGER NOT NULL DEFAULT 0`)
      if (!columns.includes('expire')) db.exec(`ALTER TABLE ${schema}.pins ADD COLUMN expire INTEGER NOT NULL DEFAULT 0`)
    }
    db.exec(TABLES.replaceAll('$', schema))
    if (hasPins) indexExistingPins(db, schema, indexOf)
    createSearchIndexes(db, schema)
    db.pragma(`${schema}.user_version = ${SCHEMA_VERSION}`)
  })()
}

/** Rows indexed per page while migrating (the pins are read page by page, never all at once). */
const MIGRATE_PAGE = 5000

function indexExistingPins (db: Database.Database, schema: string, indexOf: IndexRowsOfJson): void {
  const page = db.prepare<[number, number], { rowid: number, cid: string, json: string }>(`SELECT rowid, cid, json FROM ${schema}.pins WHERE rowid > ? ORDER BY rowid LIMIT ?`)
  const writer = indexWriter(db, schema)
  let after = -1
  while (true) {
    const rows = page.all(after, MIGRATE_PAGE)
    for (const row of rows) {
      const index = indexOf(row.json)
      if (index !== undefined) writer.write(row.cid, index)
    }
    if (rows.length < MIGRATE_PAGE) return
    after = (rows[rows.length - 1] as { rowid: number }).rowid
  }
}

/** Adds a pin's rows to the side tables (metadata, allocations). */
function sideRowsWriter (db: Database.Database, schema: string): (cid: string, index: PinIndexRows) => void {
  const addMeta = db.prepare(`INSERT OR IGNORE INTO ${schema}.pin_meta (key, value, cid) VALUES (?, ?, ?)`)
  const addAlloc = db.prepare(`INSERT OR IGNORE INTO ${schema}.pin_allocs (peer, cid) VALUES (?, ?)`)
  return (cid, index) => {
    for (const [k, v] of index.metadata) addMeta.run(k, v, cid)
    for (const peer of index.allocations) addAlloc.run(peer, cid)
  }
}

/** The statements the pinset state runs, prepared once per open file. */
export interface PinsetStatements {
  put: Database.Statement<[string, string, string, string, number, number]>
  del: Database.Statement<[string]>
  get: Database.Statement<[string], { json: string } | undefined>
  all: Database.Statement<[], { json: string }>
  page: Database.Statement<[string, number], { cid: string, json: string }>
  pageTyped: Database.Statement<[string, number], { cid: string, type: string, json: string }>
  count: Database.Statement<[], { n: number }>
  setApplied: Database.Statement<[number]>
  getApplied: Database.Statement<[], { value: number } | undefined>
  clear: Database.Statement<[]>
  seen: Database.Statement<[string], { idx: number } | undefined>
  remember: Database.Statement<[string, number]>
  forget: Database.Statement<[number]>
}

export function prepareStatements (db: Database.Database): PinsetStatements {
  return {
    put: db.prepare('INSERT OR REPLACE INTO pins (cid, name, type, json, ts, expire) VALUES (?, ?, ?, ?, ?, ?)'),
    del: db.prepare('DELETE FROM pins WHERE cid = ?'),
    get: db.prepare('SELECT json FROM pins WHERE cid = ?'),
    all: db.prepare('SELECT json FROM pins ORDER BY cid'),
    page: db.prepare('SELECT cid, json FROM pins WHERE cid > ? ORDER BY cid LIMIT ?'),
    pageTyped: db.prepare('SELECT cid, type, json FROM pins WHERE cid > ? ORDER BY cid LIMIT ?'),
    count: db.prepare('SELECT count(*) AS n FROM pins'),
    setApplied: db.prepare("INSERT INTO state_meta (key, value) VALUES ('applied', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
    getApplied: db.prepare("SELECT value FROM state_meta WHERE key = 'applied'"),
    clear: db.prepare('DELETE FROM pins'),
    seen: db.prepare('SELECT idx FROM applied_proposals WHERE id = ?'),
    remember: db.prepare('INSERT OR REPLACE INTO applied_proposals (id, idx) VALUES (?, ?)'),
    forget: db.prepare('DELETE FROM applied_proposals WHERE idx < ?')
  }
}

/**
 * The side rows a CID had before a write: undefined when it had no row, `'unreadable'` when its
 * stored JSON does not decode (its rows are then found by scanning the side tables).
 */
export type PreviousSideRows = PinIndexRows | 'unreadable' | undefined

/**
 * Keeps the index rows of pins up to date (called inside the writer's transactions): `write`
 * sets them for a row stored without them (a migration, into empty side tables),
 * `replaceSideRows` follows a pin stored with its index columns and `remove` a deleted one. The
 * previous side rows are deleted by their keys (no index by CID: schema version 3).
 */
export function indexWriter (db: Database.Database, schema = 'main'): {
  write: (cid: string, index: PinIndexRows) => void
  replaceSideRows: (cid: string, index: PinIndexRows, previous: PreviousSideRows) => void
  remove: (cid: string, previous: PreviousSideRows) => void
  clear: () => void
} {
  const setColumns = db.prepare(`UPDATE ${schema}.pins SET ts = ?, expire = ? WHERE cid = ?`)
  const delMeta = db.prepare(`DELETE FROM ${schema}.pin_meta WHERE key = ? AND value = ? AND cid = ?`)
  const delAlloc = db.prepare(`DELETE FROM ${schema}.pin_allocs WHERE peer = ? AND cid = ?`)
  const scanDelMeta = db.prepare(`DELETE FROM ${schema}.pin_meta WHERE cid = ?`)
  const scanDelAllocs = db.prepare(`DELETE FROM ${schema}.pin_allocs WHERE cid = ?`)
  const addSideRows = sideRowsWriter(db, schema)
  const remove = (cid: string, previous: PreviousSideRows): void => {
    if (previous === undefined) return
    if (previous === 'unreadable') {
      scanDelMeta.run(cid)
      scanDelAllocs.run(cid)
      return
    }
    for (const [k, v] of previous.metadata) delMeta.run(k, v, cid)
    for (const peer of previous.allocations) delAlloc.run(peer, cid)
  }
  return {
    write: (cid, index) => {
      setColumns.run(index.ts, index.expire, cid)
      addSideRows(cid, index)
    },
    replaceSideRows: (cid, index, previous) => {
      remove(cid, previous)
      addSideRows(cid, index)
    },
    remove,
    clear: () => { db.exec(`DELETE FROM ${schema}.pin_meta; DELETE FROM ${schema}.pin_allocs`) }
  }
}

/** Drops the search indexes (before a whole pinset is loaded: building them once after is cheaper). */
export function dropSearchIndexes (db: Database.Database, schema = 'main'): void {
  for (const name of INDEX_NAMES) db.exec(`DROP INDEX IF EXISTS ${schema}.${name}`)
}

export function createSearchIndexes (db: Database.Database, schema = 'main'): void {
  db.exec(INDEXES.replaceAll('$', schema))
}

/**
 * SQLite's own check of the file (`quick_check`: page structure and record formats, without
 * cross-checking every index, so bounded by the file size). Undefined when sound, else the
 * problem. A file that is not a database at all fails here too.
 */
export function checkIntegrity (path: string): string | undefined {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { fileMustExist: true })
    const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>
    const problems = rows.map(r => r.quick_check).filter(r => r !== 'ok')
    return problems.length === 0 ? undefined : problems.join('; ').replace(/\s*\n\s*/g, '; ')
  } catch (err) {
    return (err as Error).message
  } finally {
    try { db?.close() } catch { /* already broken */ }
  }
}

/** fsync of a file by path. */
export function fsyncFile (path: string): void {
  const fd = openSync(path, 'r+')
  try { fsyncSync(fd) } finally { closeSync(fd) }
}

/** A byte copy of the file at `source` (nothing writing it), on disk at `dest` when it returns. */
export function copySynced (source: string, dest: string): void {
  copyFileSync(source, dest)
  fsyncFile(dest)
}

/** Rows copied per step; the event loop runs between steps. */
const STEP_ROWS = 20_000

export interface SnapshotCopy {
  /** Resolves once the copy at `dest` is complete and synced. */
  done: Promise<void>
  /** Stops the copy (the file is left incomplete; the caller deletes it). */
  abort: () => void
}

/**
 * Copies the pinset at `source` into a new file `dest`, as it is at the moment of the call:
 * a second connection opens a read transaction at once (WAL: later commits by the writer are
 * not seen), then rows are copied in steps with the event loop running in between.
 */
export function copyPinsetFile (source: string, dest: string): SnapshotCopy {
  // Not `fileMustExist`: its open flags would also apply to ATTACH, which must create `dest`.
  const reader = new Database(source)
  let aborted = false
  let closed = false
  const close = (): void => {
    if (closed) return
    closed = true
    try { if (reader.inTransaction) reader.exec('ROLLBACK') } catch { /* closing anyway */ }
    reader.close()
  }
  try {
    reader.prepare('ATTACH DATABASE ? AS snap').run(dest)
    reader.pragma('snap.journal_mode = OFF')
    reader.pragma('snap.synchronous = OFF')
    reader.exec(TABLES.replaceAll('$', 'snap'))
    reader.pragma(`snap.user_version = ${SCHEMA_VERSION}`)
    reader.exec('BEGIN')
    // The first read fixes the view of the main database for the whole transaction.
    reader.prepare("SELECT value FROM main.state_meta WHERE key = 'applied'").get()
    reader.exec('INSERT INTO snap.state_meta SELECT * FROM main.state_meta')
    reader.exec('INSERT INTO snap.applied_proposals SELECT * FROM main.applied_proposals')
  } catch (err) {
    close()
    throw err
  }
  const batchEnd = reader.prepare<[number, number], { rowid: number }>('SELECT rowid FROM main.pins WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ?')
  const copyRange = reader.prepare<[number, number]>('INSERT INTO snap.pins SELECT cid, name, type, json, ts, expire FROM main.pins WHERE rowid > ? AND rowid <= ? ORDER BY rowid')
  const sideSteps = [sideTableCopier(reader, 'pin_meta', ['key', 'value', 'cid']), sideTableCopier(reader, 'pin_allocs', ['peer', 'cid'])]
  const done = (async () => {
    try {
      let after = -1
      while (true) {
        if (aborted) throw new Error('snapshot aborted')
        const end = batchEnd.get(after, STEP_ROWS - 1)?.rowid ?? Number.MAX_SAFE_INTEGER
        copyRange.run(after, end)
        if (end === Number.MAX_SAFE_INTEGER) break
        after = end
        await nextTurn()
      }
      for (const step of sideSteps) {
        while (step()) {
          await nextTurn()
          if (aborted) throw new Error('snapshot aborted')
        }
      }
      // Built once at the end: cheaper than keeping it up to date row by row.
      createSearchIndexes(reader, 'snap')
      reader.exec('COMMIT')
      reader.exec('DETACH DATABASE snap')
    } finally {
      close()
    }
    fsyncFile(dest)
  })()
  return { done, abort: () => { aborted = true; if (!closed) close() } }
}

/**
 * One step of copying a side table (WITHOUT ROWID, its columns `keys` in primary key order) into
 * `snap`: the next STEP_ROWS rows in key order; false once the last were copied.
 */
function sideTableCopier (reader: Database.Database, table: string, keys: string[]): () => boolean {
  const columns = keys.join(', ')
  const copy = reader.prepare(`INSERT INTO snap.${table} SELECT ${columns} FROM main.${table} WHERE (${columns}) > (${keys.map(() => '?').join(', ')}) ORDER BY ${columns} LIMIT ${STEP_ROWS}`)
  const lastCopied = reader.prepare(`SELECT ${columns} FROM snap.${table} ORDER BY ${keys.map(k => `${k} DESC`).join(', ')} LIMIT 1`).raw()
  // A number sorts before every text: the first step starts at the first row.
  let after: unknown[] = keys.map(() => -1)
  return () => {
    if (copy.run(...after).changes < STEP_ROWS) return false
    after = lastCopied.get() as unknown[]
    return true
  }
}

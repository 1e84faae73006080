/**
 * The pinset's SQLite file: its schema, its integrity check, and snapshots of it. A snapshot is
 * a copy of the file itself (same schema, same rows) made from a read transaction, so it is the
 * state at one applied index while entries go on being applied; a follower installs it by
 * copying the file into place, with no per-pin decoding.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs'
import Database from 'better-sqlite3'

const TABLES = `
  CREATE TABLE IF NOT EXISTS $.pins (cid TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS $.state_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS $.applied_proposals (id TEXT PRIMARY KEY, idx INTEGER NOT NULL);
`
const NAME_INDEX = 'CREATE INDEX IF NOT EXISTS $.pins_by_name ON pins (name)'

/** Tables of a pinset file (`schema` is `main` or an attached database's name). */
export function createSchema (db: Database.Database, schema = 'main'): void {
  db.exec(TABLES.replaceAll('$', schema))
  db.exec(NAME_INDEX.replaceAll('$', schema))
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
  const copyRange = reader.prepare<[number, number]>('INSERT INTO snap.pins SELECT cid, name, type, json FROM main.pins WHERE rowid > ? AND rowid <= ? ORDER BY rowid')
  const done = (async () => {
    try {
      let after = -1
      while (true) {
        if (aborted) throw new Error('snapshot aborted')
        const end = batchEnd.get(after, STEP_ROWS - 1)?.rowid ?? Number.MAX_SAFE_INTEGER
        copyRange.run(after, end)
        if (end === Number.MAX_SAFE_INTEGER) break
        after = end
        await new Promise(resolve => setImmediate(resolve))
      }
      // Built once at the end: cheaper than keeping it up to date row by row.
      reader.exec(NAME_INDEX.replaceAll('$', 'snap'))
      reader.exec('COMMIT')
      reader.exec('DETACH DATABASE snap')
    } finally {
      close()
    }
    const fd = openSync(dest, 'r+')
    try { fsyncSync(fd) } finally { closeSync(fd) }
  })()
  return { done, abort: () => { aborted = true; if (!closed) close() } }
}

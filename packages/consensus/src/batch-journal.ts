/**
 * The writes that CRDT batching has accepted but not yet committed, on disk. Go answers a batched
 * write as soon as it is queued and loses the queue in a crash; we answer once the write is here
 * (a SQLite insert in WAL mode: it survives the process being killed), commit the batch by Go's
 * rules (`max_batch_size`, `max_batch_age`), and replay what a crash left at the next start.
 */
import Database from 'better-sqlite3'
import type { BatchedWrite } from './crdt-batching.ts'

/** A journaled write and its place in the queue. */
export interface JournaledWrite {
  seq: number
  write: BatchedWrite
}

export class BatchJournal {
  private readonly db: Database.Database
  private readonly insert: Database.Statement<[string, Uint8Array | null]>
  private readonly removeUpTo: Database.Statement<[number]>
  /** Records writes in one transaction; returns their sequence numbers (increasing). */
  readonly append: (writes: readonly BatchedWrite[]) => number[]

  constructor (path: string) {
    this.db = new Database(path)
    // The peer's alone (its lock keeps offline commands out): no file lock per transaction.
    this.db.pragma('locking_mode = EXCLUSIVE')
    this.db.pragma('journal_mode = WAL')
    // NORMAL: a commit is in the WAL (the OS has it) before the write is answered, so it survives
    // kill -9 of the peer, like the CRDT store it waits to go into (also NORMAL).
    this.db.pragma('synchronous = NORMAL')
    this.db.exec('CREATE TABLE IF NOT EXISTS queued (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, value BLOB)')
    this.insert = this.db.prepare('INSERT INTO queued (key, value) VALUES (?, ?)')
    this.removeUpTo = this.db.prepare('DELETE FROM queued WHERE seq <= ?')
    this.append = this.db.transaction((writes: readonly BatchedWrite[]) => writes.map(w => Number(this.insert.run(w.key, w.value ?? null).lastInsertRowid)))
  }

  /** Forgets every write up to `seq`: they are in a committed delta. */
  committed (seq: number): void {
    this.removeUpTo.run(seq)
  }

  /** The writes still waiting, in queue order. */
  pending (): JournaledWrite[] {
    const rows = this.db.prepare('SELECT seq, key, value FROM queued ORDER BY seq').all() as Array<{ seq: number, key: string, value: Buffer | null }>
    return rows.map(r => ({ seq: r.seq, write: r.value === null ? { key: r.key } : { key: r.key, value: new Uint8Array(r.value) } }))
  }

  close (): void {
    this.db.close()
  }
}

import { renameSync, rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import { cidToString, storedPin, type CID, type Pin, type PinSearch, type PinSearchIndex } from '@cluster/api'
import { decodeDescriptor, type SnapshotFolder, type StateMachine } from '@cluster/raft/node'
import { decodeOp, type LogEntry, type LogOp } from './ops.ts'
import { StateFormatError } from './errors.ts'
import { decodeStored, parseSnapshot, snapshotHeader } from './snapshot-bytes.ts'
import { bulkLoader } from './bulk-load.ts'
import { copyPinsetFile, copySynced, createSchema, fsyncFile, indexWriter, prepareStatements, type PinsetStatements, type PreviousSideRows, type SnapshotCopy } from './pinset-file.ts'
import { PinsetSearch, indexRowsOfJson } from './search.ts'
import { decodeStoredOrUndefined, previousSideRows, rowOfStored, rowsOf, type StoredPinRow } from './stored-row.ts'
import type { ApplyHooks, PinsetStateOptions } from './state-options.ts'

export type { ApplyHooks, PinsetStateOptions } from './state-options.ts'

/**
 * A proposal seen again within this many entries of its first application is a duplicate (the
 * driver re-sent it to a new leader) and is skipped. Far beyond any re-send delay.
 */
const DUPLICATE_WINDOW = 100_000

const encoder = new TextEncoder()

/**
 * The pinset: one SQLite table of pins keyed by CID, indexed by name, timestamp, expiry,
 * metadata and allocations (PinSearchIndex), kept on disk so big pinsets list and search with
 * flat memory. It is the Raft state machine: each applied entry and
 * the applied index change in one transaction, so after a crash the pinset and the index agree
 * and Raft replays only what follows.
 */
export class PinsetState implements StateMachine<void>, PinSearchIndex {
  readonly path: string
  private db!: Database.Database
  private readonly hooks: ApplyHooks
  private readonly snapshots?: SnapshotFolder
  private readonly rebuiltAfterCrash: boolean
  private readonly skipSync: boolean
  private copying?: SnapshotCopy
  /** See count(). */
  private pinCount: number | undefined
  /** Inside applyGroup: the hooks of the group's entries, called once it has committed. */
  private groupHooks: Array<() => void> | undefined
  /**
   * Runs its argument in a transaction. Made once per open file: better-sqlite3 builds four
   * wrapper functions and their properties at every `db.transaction(fn)` (~15 µs).
   */
  private inTransaction!: (body: () => void) => void
  private readonly search = new PinsetSearch(() => this.db)
  private index!: ReturnType<typeof indexWriter>
  private stmt!: PinsetStatements

  constructor (path: string, hooks: ApplyHooks = {}, options: PinsetStateOptions = {}) {
    this.path = path
    this.hooks = hooks
    this.snapshots = options.snapshots
    this.rebuiltAfterCrash = options.rebuiltAfterCrash ?? false
    this.skipSync = options.skipSync ?? false
    this.open()
  }

  private open (): void {
    this.db = new Database(this.path)
    if (this.rebuiltAfterCrash) {
      // Rebuilt after any crash, so a commit needs neither fsync nor a WAL: pages are written in
      // place once, not to the WAL and again by its checkpoint (a catch-up's view writes: −30 %).
      // One connection only (the peer's lock keeps offline commands out), so no reader blocks it,
      // and it keeps its file lock: no lock calls nor change-counter read per transaction (a
      // point read 16 → 3 µs, a one-row commit 43 → 18 µs).
      this.db.pragma('locking_mode = EXCLUSIVE')
      this.db.pragma('journal_mode = MEMORY')
      this.db.pragma('synchronous = OFF')
    } else {
      this.db.pragma('journal_mode = WAL')
      // The Raft log is fsynced; the pinset can be rebuilt from it, so a commit need not fsync
      // here, nor (skipSync) a checkpoint: each stalled the event loop for ~10 ms every ~70 pins.
      this.db.pragma(`synchronous = ${this.skipSync ? 'OFF' : 'NORMAL'}`)
    }
    createSchema(this.db, indexRowsOfJson)
    this.search.reset()
    this.index = indexWriter(this.db)
    this.stmt = prepareStatements(this.db)
    this.inTransaction = this.db.transaction((body: () => void) => { body() })
  }

  // --- reading ---------------------------------------------------------------------------

  get (cid: CID): Pin | undefined {
    const row = this.stmt.get.get(cidToString(cid))
    return row === undefined ? undefined : decodeStored(row.json)
  }

  has (cid: CID): boolean {
    return this.stmt.get.get(cidToString(cid)) !== undefined
  }

  /**
   * Every pin, sorted by CID string, read from disk page by page as it is consumed. No SQLite
   * cursor stays open between pages, so a consumer may await (stream to a client, commit a
   * re-pin) while entries are applied: an open cursor would make every write fail with
   * "connection is busy". Pins changed during a long listing may or may not be seen.
   */
  * list (pageSize = 1000): Generator<Pin> {
    let after = ''
    while (true) {
      const rows = this.stmt.page.all(after, pageSize)
      for (const row of rows) yield decodeStored(row.json)
      if (rows.length < pageSize) return
      after = (rows[rows.length - 1] as { cid: string }).cid
    }
  }

  /**
   * The pins as stored — their REST `Pin` JSON — in CID order, one page (whole NDJSON lines,
   * each ending in `\n`) at a time, keeping only the types `keep` accepts. Pages are read like
   * `list`: no cursor stays open.
   */
  * listJson (keep: (type: string) => boolean = () => true, pageSize = 1000): Generator<string> {
    let after = ''
    while (true) {
      const rows = this.stmt.pageTyped.all(after, pageSize)
      let text = ''
      for (const row of rows) if (keep(row.type)) text += row.json + '\n'
      if (text !== '') yield text
      if (rows.length < pageSize) return
      after = (rows[rows.length - 1] as { cid: string }).cid
    }
  }

  pageEnd (search: PinSearch, limit: number): { last: string | undefined, more: boolean } {
    return this.search.pageEnd(search, limit)
  }

  searchJson (search: PinSearch): Generator<string> {
    return this.search.searchJson(search)
  }

  searchCids (search: PinSearch): Generator<string[]> {
    return this.search.searchCids(search)
  }

  /**
   * Pins in the pinset: counted once, then kept as entries apply, so asking often (metrics) never
   * scans a big table. Unknown again whenever the whole pinset is replaced.
   */
  count (): number {
    this.pinCount ??= this.stmt.count.get()?.n ?? 0
    return this.pinCount
  }

  // --- the Raft state machine ------------------------------------------------------------

  apply (payload: Uint8Array, index: number, proposal?: string): void {
    if (proposal !== undefined && this.isDuplicate(proposal, index)) {
      this.stmt.setApplied.run(index)
      return
    }
    let entry: LogEntry
    try {
      entry = decodeOp(payload)
    } catch (err) {
      // Every peer skips the same entry, so the pinsets stay identical.
      this.stmt.setApplied.run(index)
      this.hooks.onInvalidOp?.(err as Error, index)
      return
    }
    this.applyOps(entry.type === 'batch' ? entry.ops : [entry], () => {
      if (proposal !== undefined) this.stmt.remember.run(proposal, index)
      // Deterministic pruning (every replica at the same indexes), so every replica decides alike.
      if (index % 4096 === 0) this.stmt.forget.run(index - DUPLICATE_WINDOW)
      this.stmt.setApplied.run(index)
    })
  }

  /**
   * Entries that committed together, applied in one transaction (one commit, with its WAL
   * frames and locks, instead of one per entry); their hooks run once it has committed, so
   * nothing acts on a pin that could still roll back.
   */
  applyGroup (applyAll: () => void): void {
    const hooks: Array<() => void> = []
    this.groupHooks = hooks
    try {
      this.inTransaction(applyAll)
    } catch (err) {
      this.pinCount = undefined // rolled back: counted again when asked
      throw err
    } finally {
      this.groupHooks = undefined
    }
    for (const call of hooks) call()
  }

  /**
   * Applies pins and unpins in one transaction (with `inside`, run in it too; in applyGroup,
   * the group's), then calls the hooks (in applyGroup: once the group has committed). Raft
   * applies its entries with it; the CRDT consensus keeps this file as a view of its Merkle-CRDT
   * with it (there is no log index then).
   */
  applyOps (given: readonly LogOp[], inside?: () => void): void {
    // Every reader sees the pin as the pinset keeps it (Go's state: seconds, `origins: []`…).
    const ops: LogOp[] = given.map(op => op.type === 'pin' ? { ...op, pin: storedPin(op.pin) } : op)
    let added = 0
    const before: Array<Pin | undefined> = []
    const body = (): void => {
      for (const op of ops) {
        if (op.type === 'pin') {
          const cid = cidToString(op.pin.cid)
          const previousJson = this.stmt.get.get(cid)?.json
          // Decoded once: for the hooks, and for the side rows it leaves behind.
          const previous = previousJson === undefined ? undefined : decodeStoredOrUndefined(previousJson)
          before.push(previous)
          if (previousJson === undefined) added++
          this.write(cid, op.pin, previousSideRows(previousJson, previous))
        } else {
          added += this.del(cidToString(op.pin.cid))
        }
      }
      inside?.()
    }
    // In a group, no savepoint per entry: an error rolls the whole group back anyway.
    if (this.groupHooks !== undefined) body()
    else this.inTransaction(body)
    if (this.pinCount !== undefined) this.pinCount += added
    const callHooks = (): void => {
      let i = 0
      for (const op of ops) {
        if (op.type === 'pin') {
          this.hooks.onPin?.(op.pin, before[i++], op.traceparent)
        } else {
          this.hooks.onUnpin?.(op.pin, op.traceparent)
        }
      }
    }
    if (this.groupHooks !== undefined) this.groupHooks.push(callHooks)
    else callHooks()
  }

  /** A re-sent proposal already applied (within the window): skipped by every replica. */
  private isDuplicate (proposal: string, index: number): boolean {
    const seen = this.stmt.seen.get(proposal)
    return seen !== undefined && seen.idx >= index - DUPLICATE_WINDOW && seen.idx < index
  }

  appliedIndex (): number {
    return this.stmt.getApplied.get()?.value ?? 0
  }

  /** Records `index` as applied without applying anything (the CRDT view's clean-close mark). */
  setAppliedIndex (index: number): void {
    this.stmt.setApplied.run(index)
  }

  /** The pins stay, but none of the log counts as applied (the log they came from was lost). */
  forgetAppliedIndex (): void {
    this.db.exec("DELETE FROM state_meta WHERE key = 'applied'")
  }

  /**
   * With a snapshot folder: a copy of the pinset file as it is now, written while entries go on
   * being applied; resolves with its descriptor. Without: in-memory bytes (a header line, then one
   * Go-JSON pin per line sorted by CID).
   */
  snapshot (): Uint8Array | Promise<Uint8Array> {
    const folder = this.snapshots
    if (folder === undefined) return this.snapshotBytes()
    if (this.copying !== undefined) return Promise.reject(new StateFormatError('a snapshot is already being written'))
    const index = this.appliedIndex()
    const temp = folder.tempPath()
    const copy = copyPinsetFile(this.path, temp)
    this.copying = copy
    return copy.done.then(async () => await folder.seal(temp, index)).catch((err: Error) => {
      rmSync(temp, { force: true })
      throw err
    }).finally(() => { if (this.copying === copy) this.copying = undefined })
  }

  /** Offline only (nothing applied meanwhile): a byte copy of the checkpointed file, not of its rows. */
  async snapshotAtRest (): Promise<Uint8Array> {
    const folder = this.snapshots
    if (folder === undefined) return this.snapshotBytes()
    this.db.pragma('wal_checkpoint(TRUNCATE)')
    const temp = folder.tempPath()
    try {
      copySynced(this.path, temp)
      return await folder.seal(temp, this.appliedIndex())
    } catch (err) {
      rmSync(temp, { force: true })
      throw err
    }
  }

  snapshotBytes (): Uint8Array {
    const lines = [snapshotHeader(this.count())]
    for (const row of this.stmt.all.iterate()) lines.push(row.json)
    return encoder.encode(lines.join('\n') + '\n')
  }

  /** Replaces the whole state: from a snapshot file, from in-memory bytes, or empty. */
  restore (data: Uint8Array, index: number): void {
    const descriptor = decodeDescriptor(data)
    if (descriptor === undefined) {
      this.replaceAll(parseSnapshot(data), index)
    } else {
      const path = this.snapshots?.pathOf(descriptor)
      if (path === undefined) throw new StateFormatError(`snapshot file ${descriptor.name} is not here`)
      this.installFile(path, index)
    }
    this.hooks.onRestore?.(index)
  }

  /** Puts a copy of a snapshot file in place of the pinset file (closed and reopened). */
  installFile (path: string, index: number): void {
    this.copying?.abort()
    this.copying = undefined
    this.db.close()
    for (const suffix of ['-wal', '-shm']) rmSync(this.path + suffix, { force: true })
    const incoming = `${this.path}.incoming`
    copySynced(path, incoming)
    renameSync(incoming, this.path)
    this.pinCount = undefined
    this.open()
    if (this.appliedIndex() !== index) this.stmt.setApplied.run(index)
  }

  /** Replaces the whole pinset (snapshot restore). */
  replaceAll (pins: Iterable<Pin>, index: number): void {
    this.replaceAllRows(rowsOf(pins), index)
  }

  /**
   * Replaces the whole pinset with pins already in their stored form (`state import`, which keeps
   * these rows rather than the pins: a row is a few strings, a decoded pin many objects).
   */
  replaceAllRows (rows: Iterable<StoredPinRow>, index: number): void {
    this.pinCount = undefined
    this.inTransaction(() => {
      this.stmt.clear.run()
      this.index.clear()
      // A CID given twice: the later pin replaces the earlier one.
      const bulk = bulkLoader(this.db, row => { this.writeRow(row, previousSideRows(this.stmt.get.get(row.cid)?.json)) })
      for (const row of rows) bulk.add(row)
      bulk.finish()
      this.stmt.setApplied.run(index)
    })
  }

  isOpen (): boolean {
    return this.db.open
  }

  /**
   * Puts everything written so far on disk (fsync, WAL checkpointed), and every later commit:
   * the last step before a view that skipped fsync (rebuiltAfterCrash) is marked clean.
   */
  syncToDisk (): void {
    this.db.pragma('synchronous = FULL')
    this.db.pragma('wal_checkpoint(TRUNCATE)')
  }

  /**
   * fsync of what was committed so far, leaving later commits unsynced: a view that skips fsync
   * makes its "running, rebuild after a crash" mark durable before anything else is written.
   */
  syncOnce (): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)')
    fsyncFile(this.path)
  }

  close (): void {
    this.copying?.abort()
    this.copying = undefined
    if (this.db.open) this.db.close()
  }

  /** Stores a pin with its index rows; `previous`: the side rows the CID had (deleted first). */
  private write (cid: string, pin: Pin, previous: PreviousSideRows): void {
    this.writeRow(rowOfStored(pin, cid), previous)
  }

  private writeRow (row: StoredPinRow, previous: PreviousSideRows): void {
    this.stmt.put.run(row.cid, row.name, row.type, row.json, row.index.ts, row.index.expire)
    this.index.replaceSideRows(row.cid, row.index, previous)
  }

  /** Returns −1 when a pin was removed, else 0. */
  private del (cid: string): number {
    const previous = this.stmt.get.get(cid)?.json
    if (previous === undefined) return 0
    this.stmt.del.run(cid)
    this.index.remove(cid, previousSideRows(previous))
    return -1
  }
}

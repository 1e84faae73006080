/**
 * SQLite WAL checkpoints on a worker thread instead of inside the peer's commits.
 *
 * In WAL mode SQLite copies the log back into the database (a checkpoint, with its fsyncs) from
 * within whichever commit pushes the log past `wal_autocheckpoint` pages. With one small
 * transaction per pin and three files per CRDT peer, that roughly doubled the cost of a commit
 * and paused the event loop for ~10 ms every hundred pins or so. Here a worker thread opens its
 * own connection to each watched file and runs a PASSIVE checkpoint (never waits for, nor blocks,
 * the peer's reads and writes) every `intervalMs`; the peer's connections keep a high
 * `wal_autocheckpoint` (WATCHED_AUTOCHECKPOINT_PAGES) as a bound should the worker fall behind or
 * fail. Durability is unchanged: commits are durable as they were (`synchronous = NORMAL`), and
 * a checkpoint cut short by a crash is completed or redone when the file is opened again.
 *
 * A file must not be removed or replaced while watched (the worker holds it open).
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Logger } from '@cluster/api'

/** `wal_autocheckpoint` for a watched file's own connections: 80 MiB of 4 KiB pages. */
export const WATCHED_AUTOCHECKPOINT_PAGES = 20_000

/** Default time between checkpoints of a watched file. */
const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000

/** The worker: CommonJS evaluated as is, so it needs no file of its own next to a bundle. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.sqlite)
const open = new Map()
const report = (path, err) => parentPort.postMessage({ path, error: String((err && err.message) || err) })
parentPort.on('message', (m) => {
  if (m.type === 'watch' && !open.has(m.path)) {
    try { open.set(m.path, new Database(m.path, { fileMustExist: true })) } catch (err) { report(m.path, err) }
  } else if (m.type === 'unwatch') {
    const db = open.get(m.path)
    open.delete(m.path)
    try { if (db !== undefined) db.close() } catch (err) { report(m.path, err) }
  } else if (m.type === 'end') {
    clearInterval(timer)
    parentPort.close()
  }
})
const timer = setInterval(() => {
  for (const [path, db] of open) {
    try { db.pragma('wal_checkpoint(PASSIVE)') } catch (err) { report(path, err) }
  }
}, workerData.intervalMs)
`

export interface WalCheckpointsOptions {
  intervalMs?: number
  log?: Logger
}

/** One worker for the files of a process, started with the first watched file, ended with the last. */
export class WalCheckpoints {
  private static shared: WalCheckpoints | undefined
  private readonly intervalMs: number
  private readonly log: Logger | undefined
  private worker: Worker | undefined
  private readonly watched = new Map<string, number>()

  constructor (options: WalCheckpointsOptions = {}) {
    this.intervalMs = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS
    this.log = options.log
  }

  /** The process's checkpointer. */
  static forProcess (log?: Logger): WalCheckpoints {
    WalCheckpoints.shared ??= new WalCheckpoints(log === undefined ? {} : { log })
    return WalCheckpoints.shared
  }

  /**
   * Checkpoints `path` (an existing SQLite file in WAL mode) until the returned function is
   * called; open the file's own connections with WATCHED_AUTOCHECKPOINT_PAGES.
   */
  watch (path: string): () => void {
    const count = this.watched.get(path) ?? 0
    this.watched.set(path, count + 1)
    if (count === 0) {
      if (this.worker === undefined) this.start()
      else this.worker.postMessage({ type: 'watch', path })
    }
    let done = false
    return () => {
      if (done) return
      done = true
      this.unwatch(path)
    }
  }

  get size (): number {
    return this.watched.size
  }

  private unwatch (path: string): void {
    const count = this.watched.get(path) ?? 0
    if (count > 1) {
      this.watched.set(path, count - 1)
      return
    }
    this.watched.delete(path)
    this.worker?.postMessage({ type: 'unwatch', path })
    if (this.watched.size === 0) {
      const worker = this.worker
      this.worker = undefined
      // After the unwatch messages: the worker closes its connections before it ends.
      worker?.postMessage({ type: 'end' })
      setTimeout(() => { void worker?.terminate() }, 2000).unref()
    }
  }

  /** Starts the worker, which then checkpoints every watched file. */
  private start (): void {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, intervalMs: this.intervalMs } })
    worker.unref()
    worker.on('message', (m: { path: string, error: string }) => {
      this.log?.('warn', `WAL checkpoint of ${m.path}: ${m.error}`)
    })
    worker.on('error', (err) => {
      // The files' own autocheckpoint still bounds their logs.
      this.log?.('warn', `the WAL checkpoint thread stopped: ${err.message}`)
      if (this.worker === worker) this.worker = undefined
    })
    this.worker = worker
    for (const path of this.watched.keys()) worker.postMessage({ type: 'watch', path })
  }
}

import { closeSync, fsync, fsyncSync, openSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Makes an SQLite write-ahead log durable with fsync calls of our own, so the connection can run
 * with `synchronous = NORMAL` (commits only write() to the WAL) and the fsync can run on the libuv
 * thread pool instead of blocking the event loop.
 *
 * fsync(2) flushes the whole file whichever descriptor wrote it, so one fsync of the `-wal` file
 * makes every transaction committed before it started durable. SQLite's frame checksums make
 * recovery keep a prefix of the committed transactions, so an unsynced write can be lost but
 * never reorder or tear earlier ones. Callers that arrive while an fsync is running share the
 * next one (group commit). After a failed fsync the file's state is unknown (the kernel may drop
 * the dirty pages and report success next time), so every later sync fails too.
 */
export class WalSync {
  /** fsync calls made so far (sync and async). */
  fsyncs = 0
  private readonly walPath: string
  private fd: number | undefined
  private running: Promise<void> | undefined
  private next: Promise<void> | undefined
  private failure: Error | undefined
  private closing = false

  constructor (dbPath: string) {
    this.walPath = `${dbPath}-wal`
    // The -wal file's directory entry must itself survive a power loss.
    const dir = openSync(dirname(dbPath), 'r')
    try { fsyncSync(dir) } finally { closeSync(dir) }
  }

  /** Blocks until everything written so far is on disk. */
  syncNow (): void {
    this.throwIfFailed()
    try {
      const fd = this.descriptor()
      this.fsyncs++
      fsyncSync(fd)
    } catch (err) {
      throw this.fail(err as Error)
    }
  }

  /** Resolves once everything written before the call is on disk (rejects if that failed). */
  async sync (): Promise<void> {
    this.throwIfFailed()
    if (this.running === undefined) return await this.start()
    // The running fsync may have started before our write: wait for the one after it.
    this.next ??= this.running.then(async () => {
      this.next = undefined
      return await this.start()
    }, async () => { this.next = undefined; throw this.failure as Error })
    return await this.next
  }

  /** Closes the descriptor once no fsync uses it any more. */
  close (): void {
    this.closing = true
    if (this.running === undefined && this.next === undefined) this.closeDescriptor()
  }

  private start (): Promise<void> {
    this.throwIfFailed()
    let fd: number
    try { fd = this.descriptor() } catch (err) { throw this.fail(err as Error) }
    this.fsyncs++
    const done = new Promise<void>((resolve, reject) => {
      fsync(fd, err => { if (err === null) resolve(); else reject(this.fail(err)) })
    }).finally(() => {
      if (this.running === done) this.running = undefined
      if (this.closing && this.running === undefined && this.next === undefined) this.closeDescriptor()
    })
    this.running = done
    return done
  }

  private descriptor (): number {
    // Opened lazily: SQLite creates the -wal file at its first write and keeps it while open.
    this.fd ??= openSync(this.walPath, 'r')
    return this.fd
  }

  private closeDescriptor (): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  private fail (err: Error): Error {
    this.failure ??= new WalSyncError(`fsync of ${this.walPath} failed: ${err.message}`, { cause: err })
    return this.failure
  }

  private throwIfFailed (): void {
    if (this.failure !== undefined) throw this.failure
  }
}

export class WalSyncError extends Error {
  override name = 'WalSyncError'
}

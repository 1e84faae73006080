import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { until } from '@cluster/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WATCHED_AUTOCHECKPOINT_PAGES, WalCheckpoints } from '../src/wal-checkpoints.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const MiB = 2 ** 20

describe('WalCheckpoints', () => {
  let dir: string
  let path: string
  let db: Database.Database

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpoints-'))
    path = join(dir, 'data.sqlite')
    db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma(`wal_autocheckpoint = ${WATCHED_AUTOCHECKPOINT_PAGES}`)
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, data BLOB NOT NULL)')
  })

  afterEach(() => {
    if (db.open) db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** 40 transactions of ~100 pages each, spaced out: ~16 MiB through the log. */
  async function writeSpacedOut (): Promise<void> {
    const insert = db.prepare('INSERT INTO rows (data) VALUES (?)')
    const batch = db.transaction(() => { for (let i = 0; i < 100; i++) insert.run(Buffer.alloc(4000, i)) })
    for (let n = 0; n < 40; n++) {
      batch()
      await sleep(60)
    }
  }

  it('checkpoints a watched file on its thread: the log stays short and the data reaches the database file', async () => {
    const checkpoints = new WalCheckpoints({ intervalMs: 50 })
    const stop = checkpoints.watch(path)
    try {
      await writeSpacedOut()
      // Left to its own autocheckpoint (20,000 pages) the log would hold all ~16 MiB.
      expect(statSync(`${path}-wal`).size).toBeLessThan(4 * MiB)
      expect(statSync(path).size).toBeGreaterThan(12 * MiB)
      expect(db.prepare('SELECT count(*) AS n FROM rows').get()).toEqual({ n: 4000 })
    } finally {
      stop()
    }
  })

  it('without the checkpointer the same writes stay in the log (what the test above rules out)', async () => {
    await writeSpacedOut()
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(14 * MiB)
  })

  it('lets go of a file when its last watcher stops, so the file can be closed and removed', async () => {
    const checkpoints = new WalCheckpoints({ intervalMs: 50 })
    const stopA = checkpoints.watch(path)
    const stopB = checkpoints.watch(path)
    stopA()
    stopA()
    expect(checkpoints.size).toBe(1)
    stopB()
    expect(checkpoints.size).toBe(0)
    db.prepare('INSERT INTO rows (data) VALUES (?)').run(Buffer.alloc(10))
    // Once the thread has closed its connection, ours is the last: closing it removes the log.
    await until(() => {
      db.close()
      if (!existsSync(`${path}-wal`)) return true
      db = new Database(path)
      return undefined
    }, 'the log removed when our connection closes last', 5000, 50)
  })
})

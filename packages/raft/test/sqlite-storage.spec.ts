import { fork } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteStorage } from '../src/sqlite-storage.ts'
import type { Entry } from '../src/messages.ts'
import { CompactedError } from '../src/errors.ts'
import { WalSync, WalSyncError } from '../src/wal-sync.ts'

const dirs: string[] = []
function tempDb (): string {
  const dir = mkdtempSync(join(tmpdir(), 'raft-sqlite-'))
  dirs.push(dir)
  return join(dir, 'raft.db')
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

const entry = (index: number, term: number, text = `e${index}`): Entry =>
  ({ index, term, type: 'normal', data: new TextEncoder().encode(text) })
const texts = (es: Entry[]): string[] => es.map(e => new TextDecoder().decode(e.data))

describe('SqliteStorage', () => {
  it('persists hard state and entries across a reopen', () => {
    const path = tempDb()
    const a = new SqliteStorage(path)
    a.persist({ hardState: { term: 2, vote: 'n1', commit: 2 }, entries: [entry(1, 1), entry(2, 2), entry(3, 2)] })
    a.close()

    const b = new SqliteStorage(path)
    expect(b.initialState().hardState).toEqual({ term: 2, vote: 'n1', commit: 2 })
    expect([b.firstIndex(), b.lastIndex(), b.term(3)]).toEqual([1, 3, 2])
    expect(texts(b.entries(1, 4, Infinity))).toEqual(['e1', 'e2', 'e3'])
    b.close()
  })

  it('replaces a conflicting suffix when entries are re-appended', () => {
    const path = tempDb()
    const a = new SqliteStorage(path)
    a.append([entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)])
    a.append([entry(3, 2, 'new3')])
    expect(a.lastIndex()).toBe(3)
    a.close()
    const b = new SqliteStorage(path)
    expect(texts(b.entries(1, 4, Infinity))).toEqual(['e1', 'e2', 'new3'])
    expect(b.lastIndex()).toBe(3)
    b.close()
  })

  it('keeps snapshots and compaction across a reopen', () => {
    const path = tempDb()
    const a = new SqliteStorage(path)
    a.append([entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2)])
    const confState = { voters: ['n1', 'n2', 'n3'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false }
    a.createSnapshot(3, confState, new TextEncoder().encode('state@3'))
    a.compact(3)
    a.close()

    const b = new SqliteStorage(path)
    expect([b.firstIndex(), b.lastIndex(), b.term(3)]).toEqual([4, 4, 2])
    expect(new TextDecoder().decode(b.snapshot().data)).toBe('state@3')
    expect(b.initialState().confState.voters).toEqual(['n1', 'n2', 'n3'])
    expect(texts(b.entries(4, 5, Infinity))).toEqual(['e4'])
    expect(() => b.entries(2, 3, Infinity)).toThrow(CompactedError)
    b.close()
  })

  it('replaces the whole log with a received snapshot', () => {
    const path = tempDb()
    const a = new SqliteStorage(path)
    a.append([entry(1, 1), entry(2, 1)])
    a.persist({ snapshot: { metadata: { index: 10, term: 3, confState: { voters: ['x'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array([7]) } })
    a.close()
    const b = new SqliteStorage(path)
    expect([b.firstIndex(), b.lastIndex(), b.term(10)]).toEqual([11, 10, 3])
    expect(() => b.persist({ snapshot: { ...b.snapshot(), metadata: { ...b.snapshot().metadata, index: 5 } } })).toThrow()
    b.close()
  })

  it.each(['sync', 'async'])('never loses an acknowledged entry when the writing process is killed with SIGKILL (%s)', async (mode) => {
    const path = tempDb()
    for (let round = 0; round < 3; round++) {
      const child = fork(join(import.meta.dirname, 'fixtures', 'append-forever.ts'), [path, mode], {
        execArgv: ['--conditions=source'], stdio: ['ignore', 'pipe', 'inherit', 'ipc']
      })
      let acked = 0
      child.stdout?.on('data', (chunk: Buffer) => {
        const last = chunk.toString().trim().split('\n').pop()
        if (last !== undefined && last !== '') acked = Number(last)
      })
      // Once it is writing, let it go on for a while, then kill it without warning.
      const deadline = Date.now() + 30_000
      while (acked === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
      await new Promise(resolve => setTimeout(resolve, 100 + round * 150))
      child.kill('SIGKILL')
      await new Promise(resolve => child.once('exit', resolve))

      const s = new SqliteStorage(path)
      expect(acked).toBeGreaterThan(0)
      expect(s.lastIndex()).toBeGreaterThanOrEqual(acked)
      const all = s.entries(1, s.lastIndex() + 1, Infinity)
      expect(all.map(e => e.index)).toEqual(Array.from({ length: s.lastIndex() }, (_, i) => i + 1))
      expect(s.initialState().hardState.commit).toBeGreaterThanOrEqual(acked)
      s.close()
    }
  })

  it('reopens after torn writes at the end of the write-ahead log with a consistent prefix', () => {
    const path = tempDb()
    const live = new SqliteStorage(path)
    for (let i = 1; i <= 40; i++) live.persist({ entries: [entry(i, 1)], hardState: { term: 1, vote: null, commit: i } })
    // Copy the files as a crash would leave them: the WAL still holds the recent transactions.
    expect(existsSync(`${path}-wal`)).toBe(true)
    const walSize = statSync(`${path}-wal`).size
    const cuts = [walSize, walSize - 1, walSize - 100, Math.floor(walSize * 0.75), Math.floor(walSize / 2), 4096 + 32, 10]
    for (const [n, cut] of cuts.entries()) {
      const copy = `${path}.crash${n}`
      copyFileSync(path, copy)
      copyFileSync(`${path}-wal`, `${copy}-wal`)
      truncateSync(`${copy}-wal`, cut)
      if (n % 2 === 1) {
        // A torn sector: the tail of the last frame is garbage rather than missing.
        const wal = readFileSync(`${copy}-wal`)
        wal.fill(0xa5, Math.max(0, wal.length - 64))
        writeFileSync(`${copy}-wal`, wal)
      }
      const reopened = new SqliteStorage(copy)
      const last = reopened.lastIndex()
      expect(last).toBeLessThanOrEqual(40)
      if (cut === walSize) expect(last).toBe(40)
      if (last > 0) expect(texts(reopened.entries(1, last + 1, Infinity))).toEqual(Array.from({ length: last }, (_, i) => `e${i + 1}`))
      // Entries and hard state were written in one transaction: they survive or vanish together.
      expect(reopened.initialState().hardState.commit).toBe(last)
      reopened.close()
    }
    live.close()
  })

  it('writes that arrive during one fsync share the next one, and all survive a reopen', async () => {
    const path = tempDb()
    const a = new SqliteStorage(path)
    const before = a.stats.fsyncs
    const writes = Array.from({ length: 50 }, (_, i) =>
      a.persistAsync({ entries: [entry(i + 1, 1)], hardState: { term: 1, vote: null, commit: i + 1 } }))
    // Written (visible to the core's reads) at once, durable when the promises resolve.
    expect(a.lastIndex()).toBe(50)
    await Promise.all(writes)
    // The first write's fsync was running when the other 49 arrived: they share one more.
    expect(a.stats.fsyncs - before).toBe(2)
    a.close()
    const b = new SqliteStorage(path)
    expect(texts(b.entries(1, 51, Infinity))).toEqual(Array.from({ length: 50 }, (_, i) => `e${i + 1}`))
    expect(b.initialState().hardState.commit).toBe(50)
    b.close()
  })

  it('skips the fsync when only the commit index moved (mustSync false)', async () => {
    const a = new SqliteStorage(tempDb())
    await a.persistAsync({ entries: [entry(1, 1)], hardState: { term: 1, vote: 'n1', commit: 0 } })
    const { fsyncs, transactions } = a.stats
    await a.persistAsync({ hardState: { term: 1, vote: 'n1', commit: 1 }, mustSync: false })
    a.persist({ hardState: { term: 1, vote: 'n1', commit: 1 }, mustSync: false })
    expect(a.stats).toEqual({ fsyncs, transactions: transactions + 2 })
    expect(a.initialState().hardState.commit).toBe(1)
    a.close()
  })

  it('never fsyncs with synchronous = normal', async () => {
    const a = new SqliteStorage(tempDb(), { synchronous: 'normal' })
    await a.persistAsync({ entries: [entry(1, 1)] })
    a.persist({ entries: [entry(2, 1)] })
    expect(a.stats).toEqual({ fsyncs: 0, transactions: 2 })
    a.close()
  })

  it('once a log sync failed, every later one fails too (the disk state is unknown)', async () => {
    const path = tempDb()
    const wal = new WalSync(path) // no database, so no -wal file: the first sync cannot work
    await expect(wal.sync()).rejects.toBeInstanceOf(WalSyncError)
    writeFileSync(`${path}-wal`, 'now it exists')
    await expect(wal.sync()).rejects.toBeInstanceOf(WalSyncError)
    expect(() => { wal.syncNow() }).toThrow(WalSyncError)
    wal.close()
  })
})

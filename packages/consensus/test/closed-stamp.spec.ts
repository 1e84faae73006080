import { closeSync, existsSync, openSync, utimesSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openDataFolder, PINSET_FILE, RAFT_FILE } from '@cluster/consensus'
import { integrityProblem, stampClosed, untouchedSinceClosed } from '../src/closed-stamp.ts'
import { tempDir } from './helpers.ts'

function sqliteFile (dir: string): string {
  const path = join(dir, 'x.sqlite')
  const db = new Database(path)
  db.exec('CREATE TABLE t (v TEXT); INSERT INTO t VALUES (\'a\')')
  db.close()
  return path
}

describe('integrity checks skipped for files closed cleanly and untouched since', () => {
  it('a stamp holds until the file is written, its time changed or a WAL is left beside it; it is used once', () => {
    const path = sqliteFile(tempDir())
    expect(untouchedSinceClosed(path, false)).toBe(false) // never stamped
    stampClosed(path)
    expect(untouchedSinceClosed(path, false)).toBe(true)
    expect(untouchedSinceClosed(path, true)).toBe(true)
    expect(untouchedSinceClosed(path, true)).toBe(false) // used

    stampClosed(path)
    const fd = openSync(path, 'r+')
    writeSync(fd, Buffer.alloc(512, 0x5a), 0, 512, 4096) // damage while the peer is stopped
    closeSync(fd)
    expect(untouchedSinceClosed(path, false)).toBe(false)
    expect(integrityProblem(path, true)).toMatch(/malformed|not a database|corrupt/i)

    const other = sqliteFile(tempDir())
    stampClosed(other)
    utimesSync(other, new Date(), new Date(Date.now() - 60_000)) // a backup restored over it
    expect(untouchedSinceClosed(other, false)).toBe(false)
    stampClosed(other)
    writeFileSync(`${other}-wal`, 'left behind')
    expect(untouchedSinceClosed(other, false)).toBe(false)
  })

  it('a Raft data folder stamps its files at a clean stop; the next open uses the stamps', () => {
    const dir = tempDir()
    const opened = openDataFolder(dir)
    opened.storage.close()
    opened.markSynced()
    opened.state.close()
    opened.stampClosed()
    for (const file of [RAFT_FILE, PINSET_FILE]) expect(existsSync(join(dir, `${file}.closed`))).toBe(true)
    const again = openDataFolder(dir)
    expect(again.repairs).toEqual([])
    for (const file of [RAFT_FILE, PINSET_FILE]) expect(existsSync(join(dir, `${file}.closed`))).toBe(false)
    again.storage.close()
    again.state.close()
  })
})

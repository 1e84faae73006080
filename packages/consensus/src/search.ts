/**
 * Searching the pinset (PinSearchIndex) through its SQLite indexes: names through `pins_by_name`,
 * metadata and allocations through their own tables, timestamps and expiry through their
 * columns' indexes. Pins come in CID order, a page at a time with no cursor left open between
 * pages (the writer must never find the connection busy), so memory stays flat whatever the
 * number of matches.
 */
import type Database from 'better-sqlite3'
import { PIN_TYPES, decodePin, parseJson, pinTypeMatches, type Pin, type PinSearch, type PinSearchIndex, type Timestamp } from '@cluster/api'
import type { PinIndexRows } from './pinset-file.ts'

/** The index rows of a pin as stored (whole seconds; 0 = none). */
export function indexRowsOf (pin: Pin): PinIndexRows {
  return {
    ts: positiveSeconds(pin.timestamp),
    expire: positiveSeconds(pin.expireAt),
    metadata: Object.entries(pin.metadata ?? {}),
    allocations: pin.allocations ?? []
  }
}

export function indexRowsOfJson (json: string): PinIndexRows | undefined {
  try {
    return indexRowsOf(decodePin(parseJson(json)))
  } catch {
    return undefined
  }
}

function positiveSeconds (t: Timestamp): number {
  const s = t.unixSeconds()
  return s > 0n ? Number(s) : 0
}

/** Whole seconds `s` with `s > t` exactly when `s > floor(t)`. */
function floorSeconds (t: Timestamp): number {
  const ns = t.unixNanos
  return Number(ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n))
}

/** Whole seconds `s` with `s < t` exactly when `s < ceil(t)`. */
function ceilSeconds (t: Timestamp): number {
  const ns = t.unixNanos
  return Number(ns >= 0n ? (ns + 999_999_999n) / 1_000_000_000n : -(-ns / 1_000_000_000n))
}

/** `*`, `?` and `[` match themselves in a GLOB pattern when bracketed. */
function globLiteral (text: string): string {
  return text.replace(/[*?[]/g, c => `[${c}]`)
}

interface Where {
  sql: string
  params: Array<string | number>
}

/** The WHERE clause of a search (always at least the CID lower bound). */
function whereOf (search: PinSearch): Where {
  const conds: string[] = ['cid > ?']
  const params: Array<string | number> = [search.afterCid ?? '']
  if (search.throughCid !== undefined) { conds.push('cid <= ?'); params.push(search.throughCid) }
  if (search.types !== undefined) {
    const types = PIN_TYPES.filter(t => t !== 'bad-type' && pinTypeMatches(t, search.types ?? 0))
    conds.push(`type IN (${types.map(() => '?').join(', ') || "''"})`)
    params.push(...types)
  }
  const name = search.name
  if (name !== undefined) {
    switch (name.match) {
      case 'exact': conds.push('name = ?'); params.push(name.value); break
      // GLOB is case-sensitive and, with a fixed prefix, answered from the name index.
      case 'prefix': conds.push('name GLOB ?'); params.push(globLiteral(name.value) + '*'); break
      case 'contains': conds.push('instr(name, ?) > 0'); params.push(name.value)
    }
  }
  for (const [key, value] of search.metadata ?? []) {
    conds.push('cid IN (SELECT cid FROM pin_meta WHERE key = ? AND value = ?)')
    params.push(key, value)
  }
  const peers = search.allocations ?? []
  if (peers.length > 0) {
    conds.push(`cid IN (SELECT cid FROM pin_allocs WHERE peer IN (${peers.map(() => '?').join(', ')}))`)
    params.push(...peers)
  }
  if (search.expireBefore !== undefined) { conds.push('expire > 0 AND expire < ?'); params.push(ceilSeconds(search.expireBefore)) }
  if (search.expireAfter !== undefined) { conds.push('expire > ?'); params.push(Math.max(0, floorSeconds(search.expireAfter))) }
  if (search.before !== undefined) { conds.push('ts < ?'); params.push(ceilSeconds(search.before)) }
  if (search.after !== undefined) { conds.push('ts > ?'); params.push(floorSeconds(search.after)) }
  return { sql: conds.join(' AND '), params }
}

/** Rows per page read from SQLite. */
const PAGE_ROWS = 1000

export class PinsetSearch implements PinSearchIndex {
  private readonly db: () => Database.Database
  /** Prepared statements by SQL text (a search's shape repeats page after page). */
  private readonly statements = new Map<string, Database.Statement>()

  /** @param db the open pinset connection (it changes when a snapshot file is installed) */
  constructor (db: () => Database.Database) {
    this.db = db
  }

  /** Forgets statements of a closed connection. */
  reset (): void {
    this.statements.clear()
  }

  private prepare (sql: string): Database.Statement {
    let stmt = this.statements.get(sql)
    if (stmt === undefined) {
      stmt = this.db().prepare(sql)
      // Bounded: searches differ in shape only by which criteria (and how many) are given.
      if (this.statements.size > 256) this.statements.clear()
      this.statements.set(sql, stmt)
    }
    return stmt
  }

  pageEnd (search: PinSearch, limit: number): { last: string | undefined, more: boolean } {
    const where = whereOf(search)
    const nth = this.prepare(`SELECT cid FROM pins WHERE ${where.sql} ORDER BY cid LIMIT 1 OFFSET ?`)
    const row = nth.get(...where.params, limit - 1) as { cid: string } | undefined
    if (row === undefined) {
      // Fewer than `limit` matches: the page ends at the last of them.
      const lastRow = this.prepare(`SELECT cid FROM pins WHERE ${where.sql} ORDER BY cid DESC LIMIT 1`).get(...where.params) as { cid: string } | undefined
      return { last: lastRow?.cid, more: false }
    }
    const next = whereOf({ ...search, afterCid: row.cid })
    const more = this.prepare(`SELECT cid FROM pins WHERE ${next.sql} ORDER BY cid LIMIT 1`).get(...next.params) !== undefined
    return { last: row.cid, more }
  }

  * searchJson (search: PinSearch): Generator<string> {
    for (const rows of this.pages<{ cid: string, json: string }>('cid, json', search)) {
      let text = ''
      for (const row of rows) text += row.json + '\n'
      yield text
    }
  }

  * searchCids (search: PinSearch): Generator<string[]> {
    for (const rows of this.pages<{ cid: string }>('cid', search)) yield rows.map(r => r.cid)
  }

  private * pages<R extends { cid: string }> (columns: string, search: PinSearch): Generator<R[]> {
    let after = search.afterCid ?? ''
    while (true) {
      const where = whereOf({ ...search, afterCid: after })
      const rows = this.prepare(`SELECT ${columns} FROM pins WHERE ${where.sql} ORDER BY cid LIMIT ?`).all(...where.params, PAGE_ROWS) as R[]
      if (rows.length > 0) yield rows
      if (rows.length < PAGE_ROWS) return
      after = (rows[rows.length - 1] as R).cid
    }
  }
}

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

/**
 * A search as SQL: `FROM …` (the driving rows), `WHERE …` and the column pages are ordered by.
 * A metadata pair, or a single allocated peer, drives the query: its primary key gives the
 * matching CIDs in order, so a page reads about as many rows as it returns, wherever it starts.
 * Otherwise the pins table drives (the planner may use the name or timestamp indexes).
 */
interface Query {
  from: string
  where: string
  order: string
  params: Array<string | number>
}

/**
 * How the pins table is read when it drives: `index` lets SQLite use the name, timestamp and
 * expiry indexes (then sort the matches by CID), `scan` walks the pins in CID order and checks
 * each (those columns written `+col` so no index is used), `probe` is the first without any CID
 * range (to count matches).
 */
type Plan = 'index' | 'scan' | 'probe'

function queryOf (search: PinSearch, plan: Plan = 'index'): Query {
  const after = search.afterCid ?? ''
  const through = search.throughCid
  const conds: string[] = []
  const params: Array<string | number> = []
  /** The CID range on a table's `cid` column (`t.`), so each lookup seeks to the page's start. */
  const range = (t: string): string => {
    params.push(after)
    if (through === undefined) return `${t}cid > ?`
    params.push(through)
    return `${t}cid > ? AND ${t}cid <= ?`
  }
  const metadata = [...(search.metadata ?? [])]
  const peers = search.allocations ?? []
  let from = 'pins'
  let order = 'pins.cid'
  const driver = metadata.shift()
  if (driver !== undefined) {
    from = 'pin_meta d CROSS JOIN pins ON pins.cid = d.cid'
    order = 'd.cid'
    conds.push('d.key = ? AND d.value = ?')
    params.push(...driver)
    conds.push(range('d.'))
  } else if (peers.length === 1) {
    from = 'pin_allocs d CROSS JOIN pins ON pins.cid = d.cid'
    order = 'd.cid'
    conds.push('d.peer = ?')
    params.push(peers[0] as string)
    conds.push(range('d.'))
  } else if (plan !== 'probe') {
    conds.push(range('pins.'))
  }
  const col = (c: string): string => plan === 'scan' ? `+pins.${c}` : `pins.${c}`
  if (search.types !== undefined) {
    const types = PIN_TYPES.filter(t => t !== 'bad-type' && pinTypeMatches(t, search.types ?? 0))
    conds.push(`pins.type IN (${types.map(() => '?').join(', ') || "''"})`)
    params.push(...types)
  }
  const name = search.name
  if (name !== undefined) {
    switch (name.match) {
      case 'exact': conds.push(`${col('name')} = ?`); params.push(name.value); break
      // GLOB is case-sensitive and, with a fixed prefix, answered from the name index.
      case 'prefix': conds.push(`${col('name')} GLOB ?`); params.push(globLiteral(name.value) + '*'); break
      case 'contains': conds.push('instr(pins.name, ?) > 0'); params.push(name.value)
    }
  }
  // Further criteria are checked row by row, each one primary-key lookup.
  for (const [key, value] of metadata) {
    conds.push('EXISTS (SELECT 1 FROM pin_meta m WHERE m.key = ? AND m.value = ? AND m.cid = pins.cid)')
    params.push(key, value)
  }
  if (peers.length > 0 && !(driver === undefined && peers.length === 1)) {
    conds.push(`EXISTS (SELECT 1 FROM pin_allocs a WHERE a.peer IN (${peers.map(() => '?').join(', ')}) AND a.cid = pins.cid)`)
    params.push(...peers)
  }
  if (search.expireBefore !== undefined) { conds.push(`${col('expire')} > 0 AND ${col('expire')} < ?`); params.push(ceilSeconds(search.expireBefore)) }
  if (search.expireAfter !== undefined) { conds.push(`${col('expire')} > ?`); params.push(Math.max(0, floorSeconds(search.expireAfter))) }
  if (search.before !== undefined) { conds.push(`${col('ts')} < ?`); params.push(ceilSeconds(search.before)) }
  if (search.after !== undefined) { conds.push(`${col('ts')} > ?`); params.push(floorSeconds(search.after)) }
  if (conds.length === 0) conds.push('1')
  return { from, where: conds.join(' AND '), order, params }
}

/** Rows per page read from SQLite. */
const PAGE_ROWS = 1000
/** Matches beyond which a search walks the pins in CID order (planOf). */
const DENSE_MATCHES = 20_000

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

  /**
   * Whether to walk the pins in CID order rather than use an index and sort: SQLite has no
   * statistics to tell a selective name or time criterion from one most pins meet. The matches
   * are counted through the indexes, up to DENSE_MATCHES: fewer are sorted cheaply; more are
   * frequent enough that a page of them is found after reading at most about
   * pinset size × page / DENSE_MATCHES rows in CID order.
   */
  private planOf (search: PinSearch): Plan {
    const indexed = (search.name !== undefined && search.name.match !== 'contains') || search.before !== undefined || search.after !== undefined ||
      search.expireBefore !== undefined || search.expireAfter !== undefined
    if (!indexed || (search.metadata ?? []).length > 0 || (search.allocations ?? []).length === 1) return 'index'
    const q = queryOf(search, 'probe')
    const n = (this.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${q.from} WHERE ${q.where} LIMIT ${DENSE_MATCHES})`).get(...q.params) as { n: number }).n
    return n >= DENSE_MATCHES ? 'scan' : 'index'
  }

  pageEnd (search: PinSearch, limit: number): { last: string | undefined, more: boolean } {
    const plan = this.planOf(search)
    const q = queryOf(search, plan)
    const nth = this.prepare(`SELECT pins.cid AS cid FROM ${q.from} WHERE ${q.where} ORDER BY ${q.order} LIMIT 1 OFFSET ?`)
    const row = nth.get(...q.params, limit - 1) as { cid: string } | undefined
    if (row === undefined) {
      // Fewer than `limit` matches: the page ends at the last of them.
      const lastRow = this.prepare(`SELECT pins.cid AS cid FROM ${q.from} WHERE ${q.where} ORDER BY ${q.order} DESC LIMIT 1`).get(...q.params) as { cid: string } | undefined
      return { last: lastRow?.cid, more: false }
    }
    const next = queryOf({ ...search, afterCid: row.cid }, plan)
    const more = this.prepare(`SELECT pins.cid AS cid FROM ${next.from} WHERE ${next.where} ORDER BY ${next.order} LIMIT 1`).get(...next.params) !== undefined
    return { last: row.cid, more }
  }

  * searchJson (search: PinSearch): Generator<string> {
    for (const rows of this.pages<{ cid: string, json: string }>('pins.cid AS cid, pins.json AS json', search)) {
      let text = ''
      for (const row of rows) text += row.json + '\n'
      yield text
    }
  }

  * searchCids (search: PinSearch): Generator<string[]> {
    for (const rows of this.pages<{ cid: string }>('pins.cid AS cid', search)) yield rows.map(r => r.cid)
  }

  private * pages<R extends { cid: string }> (columns: string, search: PinSearch): Generator<R[]> {
    let after = search.afterCid ?? ''
    const plan = this.planOf(search)
    while (true) {
      const q = queryOf({ ...search, afterCid: after }, plan)
      const rows = this.prepare(`SELECT ${columns} FROM ${q.from} WHERE ${q.where} ORDER BY ${q.order} LIMIT ?`).all(...q.params, PAGE_ROWS) as R[]
      if (rows.length > 0) yield rows
      if (rows.length < PAGE_ROWS) return
      after = (rows[rows.length - 1] as R).cid
    }
  }
}

import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { defaultPinOptions, encodePin, parsePinTypeFilter, storedPin, stringifyJson, Timestamp, type Pin, type PinSearch } from '@cluster/api'
import { SnapshotFolder } from '@cluster/raft/node'
import { syntheticCid } from '@cluster/test-utils'
import { encodeOp, PinsetState } from '@cluster/consensus'
import { tempDir } from './helpers.ts'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
const P2 = '12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV'
const BASE = 1_750_000_000

/** Pin i: name `item-i` (every tenth `special-i`), tenant i%3, on P1 (even) or P2 (odd), made at BASE+i s, every fifth expiring. */
function pin (i: number): Pin {
  return {
    ...defaultPinOptions(),
    name: i % 10 === 0 ? `special-${i}` : `item-${i}`,
    metadata: { tenant: `t${i % 3}`, ...(i % 7 === 0 ? { tag: 'seven' } : {}) },
    expireAt: i % 5 === 0 ? Timestamp.fromUnixMillis((BASE + 10_000 + i) * 1000) : Timestamp.ZERO,
    replicationFactorMin: 1, replicationFactorMax: 1,
    cid: syntheticCid(i), type: 'pin', allocations: [i % 2 === 0 ? P1 : P2], maxDepth: -1, reference: undefined,
    timestamp: Timestamp.fromUnixMillis((BASE + i) * 1000)
  }
}

const N = 600
const pins = Array.from({ length: N }, (_, i) => pin(i))

function filled (path: string): PinsetState {
  const s = new PinsetState(path)
  pins.forEach((p, i) => { s.apply(encodeOp({ type: 'pin', pin: p }), i + 1) })
  return s
}

/** What the search must find: the same criteria checked pin by pin, in CID order. */
function expected (keep: (p: Pin, i: number) => boolean): string[] {
  return pins.filter(keep).map(p => p.cid.toString()).sort()
}

function found (s: PinsetState, search: PinSearch): string[] {
  return [...s.searchCids(search)].flat()
}

const at = (seconds: number): Timestamp => Timestamp.fromUnixMillis(seconds * 1000)

describe('pinset search', () => {
  it('filters by name, metadata, allocation, expiry and timestamp, combined, in CID order', () => {
    const s = filled(join(tempDir(), 'pinset.sqlite'))
    expect(found(s, { name: { match: 'exact', value: 'item-7' } })).toEqual(expected((_, i) => i === 7))
    expect(found(s, { name: { match: 'prefix', value: 'special-' } })).toEqual(expected((_, i) => i % 10 === 0))
    expect(found(s, { name: { match: 'contains', value: 'm-1' } })).toEqual(expected(p => p.name.includes('m-1')))
    expect(found(s, { metadata: [['tenant', 't1']] })).toEqual(expected((_, i) => i % 3 === 1))
    expect(found(s, { metadata: [['tenant', 't1'], ['tag', 'seven']] })).toEqual(expected((_, i) => i % 3 === 1 && i % 7 === 0))
    expect(found(s, { allocations: [P2] })).toEqual(expected((_, i) => i % 2 === 1))
    expect(found(s, { allocations: [P1, P2] })).toHaveLength(N)
    expect(found(s, { expireBefore: at(BASE + 10_100) })).toEqual(expected((_, i) => i % 5 === 0 && i < 100))
    expect(found(s, { expireAfter: at(BASE + 10_500) })).toEqual(expected((_, i) => i % 5 === 0 && i > 500))
    // Fractions of a second: strictly after 20.5 s is 21 s on; strictly before 30.5 s is up to 30 s.
    expect(found(s, { after: Timestamp.fromUnixMillis((BASE + 20) * 1000 + 500), before: Timestamp.fromUnixMillis((BASE + 30) * 1000 + 500) }))
      .toEqual(expected((_, i) => i >= 21 && i <= 30))
    expect(found(s, { name: { match: 'prefix', value: 'item-' }, metadata: [['tenant', 't0']], allocations: [P1], after: at(BASE + 300) }))
      .toEqual(expected((p, i) => p.name.startsWith('item-') && i % 3 === 0 && i % 2 === 0 && i > 300))
    expect(found(s, { types: parsePinTypeFilter('meta-pin') })).toEqual([])
    expect(found(s, { name: { match: 'prefix', value: 'it*' } })).toEqual([])
    s.close()
  })

  it('pages: pageEnd bounds each page, the last says no more, JSON rows are the stored pins', () => {
    const s = filled(join(tempDir(), 'pinset.sqlite'))
    const search: PinSearch = { metadata: [['tenant', 't2']] }
    const all = expected((_, i) => i % 3 === 2)
    const seen: string[] = []
    let after = ''
    for (let page = 0; page < 10; page++) {
      const end = s.pageEnd({ ...search, afterCid: after }, 70)
      const lines = [...s.searchJson({ ...search, afterCid: after, throughCid: end.last })].join('').split('\n').filter(l => l !== '')
      seen.push(...lines.map(l => (JSON.parse(l) as { cid: string }).cid))
      expect(lines.length).toBe(end.more ? 70 : all.length - (seen.length - lines.length))
      if (!end.more) break
      after = end.last as string
    }
    expect(seen).toEqual(all)
    const one = [...s.searchJson({ name: { match: 'exact', value: 'item-1' } })].join('')
    expect(one).toBe(stringifyJson(encodePin(storedPin(pin(1)))) + '\n')
    expect(s.pageEnd({ name: { match: 'exact', value: 'nobody' } }, 5)).toEqual({ last: undefined, more: false })
    s.close()
  })

  it('keeps the index in step with unpins, re-pins and snapshots', async () => {
    const dir = tempDir()
    const s = filled(join(dir, 'pinset.sqlite'))
    s.apply(encodeOp({ type: 'unpin', pin: pin(3) }), N + 1)
    s.apply(encodeOp({ type: 'pin', pin: { ...pin(4), metadata: { tenant: 'moved' }, allocations: [P2] } }), N + 2)
    expect(found(s, { metadata: [['tenant', 't0']] })).toEqual(expected((_, i) => i % 3 === 0 && i !== 3))
    expect(found(s, { metadata: [['tenant', 'moved']], allocations: [P2] })).toEqual([pin(4).cid.toString()])
    expect(found(s, { allocations: [P1] })).not.toContain(pin(4).cid.toString())

    const folder = new SnapshotFolder(join(dir, 'snaps'))
    const withFiles = new PinsetState(join(dir, 'source.sqlite'), {}, { snapshots: folder })
    withFiles.replaceAll(s.list(), 7)
    const descriptor = await withFiles.snapshot()
    const copy = new PinsetState(join(dir, 'copy.sqlite'), {}, { snapshots: folder })
    copy.restore(descriptor, 7)
    expect(found(copy, { metadata: [['tenant', 'moved']] })).toEqual([pin(4).cid.toString()])
    expect(found(copy, { expireBefore: at(BASE + 10_100) })).toEqual(found(s, { expireBefore: at(BASE + 10_100) }))
    for (const x of [s, withFiles, copy]) x.close()
  })

  it('a whole-pinset load (state import, snapshot restore) gives the same index as pins applied one by one; a CID given twice keeps the later pin', () => {
    const dir = tempDir()
    const one = filled(join(dir, 'one.sqlite'))
    const bulk = new PinsetState(join(dir, 'bulk.sqlite'))
    bulk.apply(encodeOp({ type: 'pin', pin: { ...pin(1), name: 'left over from before' } }), 1)
    const again = { ...pin(5), metadata: { tenant: 'twice' }, allocations: [P2] }
    bulk.replaceAll([...pins, again], 9)
    for (const search of [{ name: { match: 'prefix', value: 'special-' } }, { metadata: [['tenant', 't1']] }, { allocations: [P2] }, { expireBefore: at(BASE + 10_100) }, { after: at(BASE + 300) }] as PinSearch[]) {
      expect(found(bulk, search)).toEqual(found(one, search))
    }
    expect(found(bulk, { metadata: [['tenant', 'twice']] })).toEqual([pin(5).cid.toString()])
    expect(found(bulk, { metadata: [['tenant', 't2']] })).not.toContain(pin(5).cid.toString())
    expect(found(bulk, { allocations: [P2] })).toContain(pin(5).cid.toString())
    expect(found(bulk, { name: { match: 'exact', value: 'left over from before' } })).toEqual([])
    expect(bulk.appliedIndex()).toBe(9)
    expect(bulk.count()).toBe(N)
    bulk.close()
    const db = new Database(join(dir, 'bulk.sqlite'), { readonly: true })
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map(r => r.name)
    expect(indexes).toEqual(['pins_by_expire', 'pins_by_name', 'pins_by_ts'])
    db.close()
    one.close()
  })

  it('a whole-pinset load written many rows per statement: a CID given again in a later chunk or in its own chunk replaces its pin and side rows', () => {
    const dir = tempDir()
    // The load writes 64 pins per statement: pin 20 comes back in the next chunk with other
    // metadata and allocations, pin 129 right after itself (same chunk) with none.
    const given = [...pins.slice(0, 100), { ...pin(20), metadata: { tenant: 'again', extra: 'x' }, allocations: [P1, P2] },
      ...pins.slice(100, 130), { ...pin(129), name: 'twice', metadata: {}, allocations: [] }, ...pins.slice(130)]
    const one = new PinsetState(join(dir, 'one.sqlite'))
    given.forEach((p, i) => { one.apply(encodeOp({ type: 'pin', pin: p }), i + 1) })
    const bulk = new PinsetState(join(dir, 'bulk.sqlite'))
    bulk.replaceAll(given, 1)
    expect(bulk.count()).toBe(N)
    expect([...bulk.list()].map(p => stringifyJson(encodePin(p)))).toEqual([...one.list()].map(p => stringifyJson(encodePin(p))))
    expect(sideRows(bulk)).toEqual(sideRows(one))
    expect(sideRows(bulk).allocs.filter(r => r.cid === pin(20).cid.toString()).map(r => r.peer)).toEqual([P1, P2].sort())
    expect(sideRows(bulk).allocs.filter(r => r.cid === pin(129).cid.toString())).toEqual([])
    expect(found(bulk, { metadata: [['tenant', 'again']] })).toEqual([pin(20).cid.toString()])
    for (const x of [one, bulk]) x.close()
  })

  it('finds the same pins when a criterion matches most of a big pinset (walked in CID order, not sorted)', () => {
    const s = new PinsetState(join(tempDir(), 'pinset.sqlite'))
    const many = 21_000
    const big = (i: number): Pin => ({ ...pin(i), name: i % 1000 === 0 ? `rare-${i}` : `common-${i}` })
    s.replaceAll(Array.from({ length: many }, (_, i) => big(i)), 1)
    const want = (keep: (i: number) => boolean): string[] => Array.from({ length: many }, (_, i) => i).filter(keep).map(i => syntheticCid(i).toString()).sort()
    const dense = want(i => i % 1000 !== 0 && i > 100)
    expect(found(s, { name: { match: 'prefix', value: 'common-' }, after: at(BASE + 100) })).toEqual(dense)
    const end = s.pageEnd({ name: { match: 'prefix', value: 'common-' }, after: at(BASE + 100) }, 1000)
    expect(end).toEqual({ last: dense[999], more: true })
    expect(found(s, { name: { match: 'prefix', value: 'rare-' } })).toEqual(want(i => i % 1000 === 0))
    s.close()
  })

  it('side rows follow unpins and re-pins exactly (deleted by their keys), also for a row that no longer decodes', () => {
    const dir = tempDir()
    const path = join(dir, 'pinset.sqlite')
    const s = filled(path)
    let index = N
    const apply = (type: 'pin' | 'unpin', p: Pin): void => { s.apply(encodeOp({ type, pin: p }), ++index) }
    apply('unpin', pin(3))
    apply('pin', { ...pin(4), metadata: { tenant: 'moved', extra: 'x' }, allocations: [P1, P2] })
    apply('pin', { ...pin(4), metadata: { tenant: 'back' }, allocations: [P2] })
    apply('unpin', pin(6))
    apply('pin', { ...pin(6), metadata: {}, allocations: [P1] }) // a CID pinned again after its unpin
    apply('unpin', pin(999)) // never pinned
    // A stored row that does not decode (damaged by hand): its side rows are found by scanning.
    const raw = new Database(path)
    raw.prepare('UPDATE pins SET json = ? WHERE cid = ?').run('{"oops"', pin(8).cid.toString())
    raw.close()
    apply('pin', { ...pin(8), metadata: { tenant: 'mended' }, allocations: [P2] })
    apply('unpin', { ...pin(9) })
    const want = new PinsetState(join(dir, 'want.sqlite'))
    want.replaceAll(s.list(), 1)
    expect(sideRows(s)).toEqual(sideRows(want))
    expect(sideRows(s).allocs.filter(r => r.cid === pin(4).cid.toString())).toEqual([{ peer: P2, cid: pin(4).cid.toString() }])
    for (const x of [s, want]) x.close()
  })

  it('a snapshot copies side tables bigger than one copy step, row for row', async () => {
    const dir = tempDir()
    const folder = new SnapshotFolder(join(dir, 'snaps'))
    const many = 45_000 // over two steps of 20,000 rows in each side table
    const s = new PinsetState(join(dir, 'source.sqlite'), {}, { snapshots: folder })
    s.replaceAll(Array.from({ length: many }, (_, i) => ({ ...pin(i), allocations: i % 2 === 0 ? [P1, P2] : [P2] })), 3)
    const copy = new PinsetState(join(dir, 'copy.sqlite'), {}, { snapshots: folder })
    copy.restore(await s.snapshot(), 3)
    const rows = sideRows(copy)
    expect(rows.allocs).toHaveLength(many + many / 2)
    expect(rows).toEqual(sideRows(s))
    for (const x of [s, copy]) x.close()
  })

  it('migrates a version 2 file (side tables indexed by CID): the indexes go, the rows stay', () => {
    const path = join(tempDir(), 'pinset.sqlite')
    const s = filled(path)
    s.close()
    const v2 = new Database(path)
    v2.exec('CREATE INDEX pin_meta_by_cid ON pin_meta (cid); CREATE INDEX pin_allocs_by_cid ON pin_allocs (cid); PRAGMA user_version = 2')
    v2.close()
    const migrated = new PinsetState(path)
    expect(found(migrated, { allocations: [P2] })).toEqual(expected((_, i) => i % 2 === 1))
    migrated.apply(encodeOp({ type: 'unpin', pin: pin(1) }), N + 1)
    expect(found(migrated, { allocations: [P2] })).toEqual(expected((_, i) => i % 2 === 1 && i !== 1))
    migrated.close()
    const db = new Database(path, { readonly: true })
    expect(db.pragma('user_version', { simple: true })).toBe(3)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('pin_meta_by_cid', 'pin_allocs_by_cid')").all()).toEqual([])
    expect(db.prepare('SELECT count(*) AS n FROM pin_allocs').get()).toEqual({ n: N - 1 })
    db.close()
  })

  it('migrates a pinset file of the first format (no index) when opening it', () => {
    const path = join(tempDir(), 'pinset.sqlite')
    const old = new Database(path)
    old.exec(`CREATE TABLE pins (cid TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL);
      CREATE TABLE state_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE applied_proposals (id TEXT PRIMARY KEY, idx INTEGER NOT NULL);
      CREATE INDEX pins_by_name ON pins (name);
      INSERT INTO state_meta VALUES ('applied', 42);`)
    const insert = old.prepare('INSERT INTO pins VALUES (?, ?, ?, ?)')
    old.transaction(() => {
      for (const p of pins.map(x => storedPin(x))) insert.run(p.cid.toString(), p.name, p.type, stringifyJson(encodePin(p)))
      insert.run('not-a-cid', 'broken', 'pin', '{"oops"')
    })()
    old.close()

    const s = new PinsetState(path)
    expect(s.appliedIndex()).toBe(42)
    expect(found(s, { metadata: [['tag', 'seven']], allocations: [P1] })).toEqual(expected((_, i) => i % 7 === 0 && i % 2 === 0))
    expect(found(s, { before: at(BASE + 3), allocations: [P1, P2] })).toEqual(expected((_, i) => i < 3))
    // A row that does not decode stays (as before) but is left out of the index: no allocations.
    expect(found(s, { name: { match: 'exact', value: 'broken' } })).toEqual(['not-a-cid'])
    expect(found(s, { allocations: [P1, P2] })).toHaveLength(N)
    s.close()
    const again = new Database(path)
    expect(again.pragma('user_version', { simple: true })).toBe(3)
    again.pragma('user_version = 9')
    again.close()
    expect(() => new PinsetState(path)).toThrow(/schema version 9 is newer/)
  })
})

/** Both side tables of a pinset file, in key order. */
function sideRows (s: PinsetState): { meta: unknown[], allocs: Array<{ peer: string, cid: string }> } {
  const db = new Database(s.path, { readonly: true })
  try {
    return {
      meta: db.prepare('SELECT key, value, cid FROM pin_meta ORDER BY key, value, cid').all(),
      allocs: db.prepare('SELECT peer, cid FROM pin_allocs ORDER BY peer, cid').all() as Array<{ peer: string, cid: string }>
    }
  } finally {
    db.close()
  }
}

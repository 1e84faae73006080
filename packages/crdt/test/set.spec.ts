/** The add-wins set (go-ds-crdt set.go) on both stores, driven delta by delta. */
import { describe, expect, it } from 'vitest'
import { bestValue, MemoryStore, mergeDelta, SqliteStore, type CrdtStore, type Delta, type SetEvent } from '../src/index.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b))
const put = (key: string, value: string, priority: number): Delta => ({ elements: [{ key, id: '', value: enc(value) }], tombstones: [], priority })
const tomb = (key: string, ids: string[], priority: number): Delta => ({ elements: [], tombstones: ids.map((id) => ({ key, id, value: new Uint8Array(0) })), priority })
const show = (events: SetEvent[]): string[] => events.map((e) => (e.type === 'put' ? `put ${e.key}=${dec(e.value)}` : `delete ${e.key}`))

describe.each([
  ['memory', () => new MemoryStore()],
  ['sqlite', () => new SqliteStore(':memory:')]
] as Array<[string, () => CrdtStore]>)('the set on a %s store', (_name, newStore) => {
  it('keeps the highest priority, whatever the arrival order', () => {
    for (const order of [[0, 1], [1, 0]]) {
      const s = newStore()
      const deltas = [put('/k', 'zzz-old', 1), put('/k', 'aaa-new', 2)]
      for (const i of order) mergeDelta(s, deltas[i]!, `/B${i}`)
      expect(dec(s.getValue('/k')?.value)).toBe('aaa-new')
      expect(s.getValue('/k')?.priority).toBe(2)
    }
  })

  it('breaks priority ties on the greater value bytes, whatever the arrival order', () => {
    for (const order of [[0, 1], [1, 0]]) {
      const s = newStore()
      const deltas = [put('/k', 'from-A', 3), put('/k', 'from-B', 3)]
      const events = order.flatMap((i) => show(mergeDelta(s, deltas[i]!, `/B${i}`)))
      expect(dec(s.getValue('/k')?.value)).toBe('from-B')
      // The smaller value arriving second changes nothing and fires nothing.
      expect(events).toEqual(order[0] === 0 ? ['put /k=from-A', 'put /k=from-B'] : ['put /k=from-B'])
    }
  })

  it('removes only observed elements: a concurrent add survives (add wins)', () => {
    const s = newStore()
    mergeDelta(s, put('/k', 'v1', 1), '/B1')
    mergeDelta(s, put('/k', 'v2', 2), '/B2') // concurrent add the remover had not seen
    const events = mergeDelta(s, tomb('/k', ['/B1'], 2), '/B3')
    expect(show(events)).toEqual(['delete /k']) // Go fires it although the key keeps a value
    expect(dec(s.getValue('/k')?.value)).toBe('v2')
    mergeDelta(s, tomb('/k', ['/B2'], 3), '/B4')
    expect(s.getValue('/k')).toBeUndefined()
  })

  it('falls back to the best remaining element when the current one is removed', () => {
    const s = newStore()
    mergeDelta(s, put('/k', 'low', 1), '/B1')
    mergeDelta(s, put('/k', 'high', 5), '/B5')
    mergeDelta(s, tomb('/k', ['/B5'], 6), '/B6')
    expect(dec(s.getValue('/k')?.value)).toBe('low')
    expect(s.getValue('/k')?.priority).toBe(1)
    expect(bestValue(s, '/k', ['/B1'])).toBeUndefined()
  })

  it('ignores an element whose tombstone arrived first', () => {
    const s = newStore()
    expect(show(mergeDelta(s, tomb('/k', ['/B1'], 2), '/B2'))).toEqual(['delete /k'])
    expect(show(mergeDelta(s, put('/k', 'late', 1), '/B1'))).toEqual([])
    expect(s.getValue('/k')).toBeUndefined()
    expect(s.liveElements('/k')).toEqual([])
  })

  it('lets the last of several puts of one key in a delta win (Go batches), until a recompute', () => {
    const s = newStore()
    const d: Delta = { elements: [{ key: '/k', id: '', value: enc('b') }, { key: '/k', id: '', value: enc('a') }], tombstones: [], priority: 1 }
    expect(show(mergeDelta(s, d, '/B1'))).toEqual(['put /k=b', 'put /k=a'])
    expect(dec(s.getValue('/k')?.value)).toBe('a')
    // The element remembers the block's greatest value: a recompute picks "b".
    mergeDelta(s, put('/k', 'x', 1), '/B0')
    mergeDelta(s, tomb('/k', ['/B0'], 2), '/B2')
    expect(dec(s.getValue('/k')?.value)).toBe('b')
  })

  it('shows why our batches never put a key twice: Go\'s merge of such a delta depends on the state before it', () => {
    const x: Delta = { elements: [{ key: '/k', id: '', value: enc('z') }, { key: '/k', id: '', value: enc('a') }], tombstones: [], priority: 2 }
    const y = put('/k', 'm', 2) // a concurrent write of the same priority
    const first = newStore()
    mergeDelta(first, x, '/BX')
    mergeDelta(first, y, '/BY')
    const second = newStore()
    mergeDelta(second, y, '/BY')
    mergeDelta(second, x, '/BX')
    expect(dec(first.getValue('/k')?.value)).toBe('m')
    expect(dec(second.getValue('/k')?.value)).toBe('z') // the same two blocks, another result
  })

  it('pages through values in key order', () => {
    const s = newStore()
    for (const k of ['/c', '/a', '/b', '/d']) mergeDelta(s, put(k, k, 1), `/B${k}`)
    expect(s.valuesPage(undefined, 3).map(([k]) => k)).toEqual(['/a', '/b', '/c'])
    expect(s.valuesPage('/c', 3).map(([k]) => k)).toEqual(['/d'])
    expect(s.size()).toBe(4)
    s.clear()
    expect(s.size()).toBe(0)
  })
})

describe('SqliteStore.transaction', () => {
  it('returns what its function returns, joins an outer transaction, and rolls back on a throw', () => {
    const s = new SqliteStore(':memory:')
    expect(s.transaction(() => { s.putValue('/a', enc('1'), 1); return 42 })).toBe(42)
    // The inner call joins the outer one: the outer throw undoes both writes.
    expect(() => s.transaction(() => {
      s.transaction(() => { s.putValue('/b', enc('2'), 1) })
      s.putValue('/c', enc('3'), 1)
      throw new Error('stop')
    })).toThrow('stop')
    expect(dec(s.getValue('/a')?.value)).toBe('1')
    expect(s.getValue('/b')).toBeUndefined()
    expect(s.getValue('/c')).toBeUndefined()
    // An inner throw caught inside rolls back only the inner part.
    s.transaction(() => {
      try { s.transaction(() => { s.putValue('/d', enc('4'), 1); throw new Error('inner') }) } catch {}
      s.putValue('/e', enc('5'), 1)
    })
    expect(s.getValue('/d')).toBeUndefined()
    expect(dec(s.getValue('/e')?.value)).toBe('5')
  })
})

/**
 * The add-wins observed-remove set of go-ds-crdt (set.go), over a CrdtStore. A key's value is
 * that of its live element with the highest delta priority; equal priorities go to the greater
 * value bytes. Tombstones remove only the element IDs their writer had seen, so a concurrent add
 * survives.
 */
import { compareBytes } from './block.ts'
import type { Delta, Element } from './delta.ts'
import type { CrdtStore, ValueRecord } from './store.ts'

/** A hook call as Go makes it: put when a value becomes current, delete once per key per tombstoning delta. */
export type SetEvent =
  | { type: 'put', key: string, value: Uint8Array }
  | { type: 'delete', key: string }

/**
 * The best live value of `key`, leaving out `excluded` IDs (go-ds-crdt findBestValue). Undefined
 * when none is left (an empty value counts as none, as in Go).
 */
export function bestValue (store: CrdtStore, key: string, excluded: readonly string[] = []): ValueRecord | undefined {
  let best: ValueRecord | undefined
  for (const e of store.liveElements(key)) {
    if (excluded.includes(e.id)) continue
    if (best === undefined || e.priority > best.priority ||
      (e.priority === best.priority && compareBytes(e.value, best.value) > 0)) {
      best = { value: e.value, priority: e.priority }
    }
  }
  return best === undefined || best.value.length === 0 ? undefined : best
}

/**
 * Merges the delta of block `id` (go-ds-crdt set.Merge): tombstones first, then elements. Returns
 * the hook calls in Go's order (deletes, then puts); the caller fires them once the transaction
 * it runs this in has committed.
 */
export function mergeDelta (store: CrdtStore, delta: Delta, id: string): SetEvent[] {
  const events: SetEvent[] = []
  putTombstones(store, delta.tombstones, events)
  putElements(store, delta.elements, id, delta.priority, events)
  return events
}

function putTombstones (store: CrdtStore, tombs: readonly Element[], events: SetEvent[]): void {
  const pending = new Map<string, string[]>()
  for (const t of tombs) {
    const ids = pending.get(t.key) ?? []
    ids.push(t.id)
    pending.set(t.key, ids)
    const best = bestValue(store, t.key, ids)
    if (best === undefined) store.deleteValue(t.key)
    else store.putValue(t.key, best.value, best.priority)
    store.putTombstone(t.key, t.id)
  }
  for (const key of pending.keys()) events.push({ type: 'delete', key })
}

function putElements (store: CrdtStore, elems: readonly Element[], id: string, priority: number, events: SetEvent[]): void {
  // What an element records is the greatest value its block gave the key.
  const greatest = new Map<string, Uint8Array>()
  for (const e of elems) {
    const g = greatest.get(e.key)
    if (g === undefined || compareBytes(e.value, g) > 0) greatest.set(e.key, e.value)
  }
  // Go compares every element with the value committed before this delta (its own writes sit in
  // an uncommitted batch), so of several puts of one key in one delta the last one normally wins.
  const before = new Map<string, ValueRecord | undefined>()
  for (const e of elems) {
    store.putElement(e.key, id, priority, greatest.get(e.key)!)
    if (store.isTombstoned(e.key, id)) continue
    if (!before.has(e.key)) before.set(e.key, store.getValue(e.key))
    const cur = before.get(e.key)
    const curPriority = cur?.priority ?? 0
    if (priority < curPriority) continue
    if (priority === curPriority && compareBytes(cur?.value ?? new Uint8Array(0), e.value) >= 0) continue
    store.putValue(e.key, e.value, priority)
    events.push({ type: 'put', key: e.key, value: e.value })
  }
}

/** The IDs of the live elements of `key`: what a delete must tombstone (go-ds-crdt set.Rmv). */
export function liveIds (store: CrdtStore, key: string): string[] {
  return store.liveElements(key).map((e) => e.id)
}

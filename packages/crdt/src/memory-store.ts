/** A CrdtStore in memory, for tests and offline tools. */
import type { CrdtStore, HeadRecord, LiveElement, ValueRecord } from './store.ts'
import { compareBytes } from './block.ts'

interface ElementEntry {
  priority: number
  value: Uint8Array | undefined
  tombstoned: boolean
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export class MemoryStore implements CrdtStore {
  private readonly values = new Map<string, ValueRecord>()
  private readonly elements = new Map<string, Map<string, ElementEntry>>()
  private readonly heads = new Map<string, HeadRecord>()
  private readonly processed = new Set<string>()
  private dirty = false

  getValue (key: string): ValueRecord | undefined {
    return this.values.get(key)
  }

  putValue (key: string, value: Uint8Array, priority: number): void {
    this.values.set(key, { value, priority })
  }

  deleteValue (key: string): void {
    this.values.delete(key)
  }

  private entry (key: string, id: string): ElementEntry {
    let byId = this.elements.get(key)
    if (byId === undefined) { byId = new Map(); this.elements.set(key, byId) }
    let e = byId.get(id)
    if (e === undefined) { e = { priority: 0, value: undefined, tombstoned: false }; byId.set(id, e) }
    return e
  }

  putElement (key: string, id: string, priority: number, value: Uint8Array): void {
    const e = this.entry(key, id)
    e.priority = priority
    // A tombstoned element's value is never read again.
    if (!e.tombstoned && (e.value === undefined || compareBytes(value, e.value) > 0)) e.value = value
  }

  putTombstone (key: string, id: string): void {
    const e = this.entry(key, id)
    e.tombstoned = true
    e.value = undefined
  }

  isTombstoned (key: string, id: string): boolean {
    return this.elements.get(key)?.get(id)?.tombstoned ?? false
  }

  liveElements (key: string): LiveElement[] {
    const out: LiveElement[] = []
    for (const [id, e] of this.elements.get(key) ?? []) {
      if (!e.tombstoned && e.value !== undefined) out.push({ id, priority: e.priority, value: e.value })
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  listHeads (): HeadRecord[] {
    return [...this.heads.values()]
  }

  putHead (cid: Uint8Array, height: number): void {
    this.heads.set(hex(cid), { cid, height })
  }

  deleteHead (cid: Uint8Array): void {
    this.heads.delete(hex(cid))
  }

  isProcessed (multihash: Uint8Array): boolean {
    return this.processed.has(hex(multihash))
  }

  markProcessed (multihash: Uint8Array): void {
    this.processed.add(hex(multihash))
  }

  isDirty (): boolean {
    return this.dirty
  }

  setDirty (dirty: boolean): void {
    this.dirty = dirty
  }

  valuesPage (after: string | undefined, limit: number): Array<[string, Uint8Array]> {
    const keys = [...this.values.keys()].filter((k) => after === undefined || k > after).sort()
    return keys.slice(0, limit).map((k) => [k, this.values.get(k)!.value])
  }

  size (): number {
    return this.values.size
  }

  * elementRecords (): Iterable<{ key: string, id: string, priority: number, tombstoned: boolean }> {
    for (const [key, byId] of this.elements) {
      for (const [id, e] of byId) yield { key, id, priority: e.priority, tombstoned: e.tombstoned }
    }
  }

  * processedBlocks (): Iterable<Uint8Array> {
    for (const h of this.processed) yield Uint8Array.from(Buffer.from(h, 'hex'))
  }

  transaction<T>(fn: () => T): T {
    return fn()
  }

  clear (): void {
    this.values.clear()
    this.elements.clear()
    this.heads.clear()
    this.processed.clear()
    this.dirty = false
  }

  close (): void {}
}

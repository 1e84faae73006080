/** The replica's heads: cached in memory, written through to the store (go-ds-crdt heads.go). */
import { CID } from 'multiformats/cid'
import { compareCids, toV1DagPb } from './block.ts'
import type { CrdtStore } from './store.ts'

export interface Head {
  cid: CID
  height: number
}

export class Heads {
  private readonly cache = new Map<string, Head>()

  private readonly store: CrdtStore

  constructor (store: CrdtStore) {
    this.store = store
    // Go rebuilds stored heads as CIDv1 dag-pb.
    for (const h of store.listHeads()) {
      const cid = toV1DagPb(CID.decode(h.cid))
      this.cache.set(cid.toString(), { cid, height: h.height })
    }
  }

  get size (): number {
    return this.cache.size
  }

  isHead (cid: CID): boolean {
    return this.cache.has(cid.toString())
  }

  /** Heads in CID-byte order and their greatest height (0 when there are none). */
  list (): { heads: Head[], maxHeight: number } {
    const heads = [...this.cache.values()].sort((a, b) => compareCids(a.cid, b.cid))
    return { heads, maxHeight: heads.reduce((m, h) => Math.max(m, h.height), 0) }
  }

  /** Persists an addition; call apply() with the same op once the transaction has committed. */
  add (cid: CID, height: number): HeadOp {
    this.store.putHead(cid.bytes, height)
    return { kind: 'add', cid, height }
  }

  replace (old: CID, cid: CID, height: number): HeadOp {
    this.store.putHead(cid.bytes, height)
    this.store.deleteHead(old.bytes)
    return { kind: 'replace', old, cid, height }
  }

  apply (ops: readonly HeadOp[]): void {
    for (const op of ops) {
      if (op.kind === 'replace') this.cache.delete(op.old.toString())
      this.cache.set(op.cid.toString(), { cid: op.cid, height: op.height })
    }
  }

  /** Forgets every head (after the store was cleared). */
  reset (): void {
    this.cache.clear()
  }
}

export type HeadOp =
  | { kind: 'add', cid: CID, height: number }
  | { kind: 'replace', old: CID, cid: CID, height: number }

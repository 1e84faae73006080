/**
 * The store's dirty bit (go-ds-crdt's: a dirty store is repaired at start and every
 * repair_interval), set for two reasons:
 * - a walk failed (a block could not be fetched or merged): only a repair clears it;
 * - walks are under way: set in the transaction that merges a block whose children are still to
 *   fetch, cleared once every walk has ended well. A peer killed mid-walk (kill -9, power loss)
 *   thus starts dirty and repairs; otherwise the blocks above the interruption, processed, would
 *   stop every later walk before the part it never merged. (Go leaves the bit clear there.)
 */
import type { CrdtStore } from './store.ts'

export class DirtyBit {
  private readonly store: CrdtStore
  /** The bit is set because walks are under way (and for no failure). */
  private forWalks = false
  private failed = false

  constructor (store: CrdtStore) {
    this.store = store
  }

  get isSet (): boolean {
    return this.store.isDirty()
  }

  /** A walk failed: dirty until a repair. */
  markFailed (): void {
    this.failed = true
    this.store.setDirty(true)
  }

  markClean (): void {
    this.failed = false
    this.forWalks = false
    this.store.setDirty(false)
  }

  /**
   * Inside the transaction merging a block with children still to fetch: sets the bit if it is
   * clear. Returns whether it did (then call walkOpened() once that transaction has committed).
   */
  openWalkInTransaction (): boolean {
    if (this.forWalks || this.store.isDirty()) return false
    this.store.setDirty(true)
    return true
  }

  walkOpened (): void {
    this.forWalks = true
  }

  /**
   * No walk is under way and none failed: clears a bit set for walks. Called in the transaction
   * that commits the last merges (or with none open), so the bit never goes before them; under
   * steady load the bit then stays set rather than costing writes for every walk.
   */
  walksEnded (): void {
    if (!this.forWalks || this.failed) return
    this.forWalks = false
    this.store.setDirty(false)
  }
}

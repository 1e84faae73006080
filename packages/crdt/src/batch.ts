/**
 * A batch of puts and deletes published as one delta (go-ds-crdt's Batch): a delete drops the
 * batch's pending puts of its key and tombstones the key's stored live elements; a delta that
 * grows past maxBatchDeltaSize commits at once.
 */
import type { CID } from 'multiformats/cid'
import type { Delta, Element } from './delta.ts'
import { liveIds } from './set.ts'
import type { Replica } from './replica.ts'
import { assertCleanKey } from './keys.ts'

function varintSize (n: number): number {
  let size = 1
  while (n >= 0x80) { n = Math.floor(n / 0x80); size++ }
  return size
}

/** Bytes an element adds to an encoded delta (tag, length, fields). */
function elementSize (e: Element): number {
  const field = (len: number): number => (len === 0 ? 0 : 1 + varintSize(len) + len)
  const inner = field(Buffer.byteLength(e.key, 'utf8')) + field(Buffer.byteLength(e.id, 'utf8')) + field(e.value.length)
  return 1 + varintSize(inner) + inner
}

export interface BatchOptions {
  /**
   * Keep every put of a key in the delta, as Go does (default false). Go merges such a delta
   * comparing each put with the state before it, so replicas that held different values of the
   * key before can end with different values; only for byte-for-byte replays of Go.
   */
  keepDuplicatePuts?: boolean
}

export class Batch {
  private delta: Delta | undefined
  private size = 0
  /** Keys with puts in the pending delta: most puts are of a key not there, and need no scan. */
  private readonly pendingKeys = new Set<string>()

  private readonly replica: Replica
  private readonly keepDuplicatePuts: boolean

  constructor (replica: Replica, opts: BatchOptions = {}) {
    this.replica = replica
    this.keepDuplicatePuts = opts.keepDuplicatePuts ?? false
  }

  /**
   * Queues a put, replacing a pending put of the same key; commits when the delta is over the
   * size limit (the CID is returned then).
   */
  async put (key: string, value: Uint8Array): Promise<CID | undefined> {
    assertCleanKey(key)
    const d = this.current()
    if (!this.keepDuplicatePuts) this.dropPending(d, key)
    const e = { key, id: '', value }
    d.elements.push(e)
    this.pendingKeys.add(key)
    this.size += elementSize(e)
    return await this.commitIfFull()
  }

  /** Queues a delete (reads committed state only, as Go's batches do). */
  async delete (key: string): Promise<CID | undefined> {
    assertCleanKey(key)
    const d = this.current()
    this.dropPending(d, key)
    for (const id of liveIds(this.replica.store, key)) {
      const t = { key, id, value: new Uint8Array(0) }
      d.tombstones.push(t)
      this.size += elementSize(t)
    }
    return await this.commitIfFull()
  }

  /** Publishes the gathered delta (even an empty one, as Go does, if anything was queued). */
  async commit (): Promise<CID | undefined> {
    const d = this.delta
    if (d === undefined) return undefined
    this.delta = undefined
    this.size = 0
    this.pendingKeys.clear()
    return await this.replica.publish(d)
  }

  private dropPending (d: Delta, key: string): void {
    if (!this.pendingKeys.delete(key)) return
    d.elements = d.elements.filter((e) => {
      if (e.key !== key) return true
      this.size -= elementSize(e)
      return false
    })
  }

  private current (): Delta {
    this.delta ??= { elements: [], tombstones: [], priority: 0 }
    return this.delta
  }

  private async commitIfFull (): Promise<CID | undefined> {
    return this.size > this.replica.maxBatchDeltaSize ? await this.commit() : undefined
  }
}

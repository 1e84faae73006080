import type { Batch } from '@cluster/crdt'
import { CommitError } from './errors.ts'

/** One queued write: a put of a value or a delete of a key. */
export interface BatchedWrite {
  key: string
  /** undefined: delete. */
  value?: Uint8Array
}

interface Waiter { resolve: () => void, reject: (err: Error) => void }

/**
 * Go's CRDT batching (`crdt.batching`): writes go out together, as one delta of at most
 * `maxBatchSize` writes. Unlike Go, each write resolves only once its delta is committed and
 * announced (acknowledged means durable; Go answers as soon as the write is queued), so a batch
 * that waited for company would only make its writers wait: a batch closes as soon as no delta
 * is being written — at the end of the event-loop turn when idle, else when the delta being
 * written is done (group commit). Writes that arrive together still share a delta, and
 * `maxBatchAgeMs` is an upper bound always met (one delta takes a few ms to write).
 */
export class WriteBatcher {
  private readonly openBatch: () => Batch
  private readonly maxBatchSize: number
  private readonly maxQueueSize: number
  private pending: Array<{ write: BatchedWrite, waiter: Waiter }> = []
  /** Deltas being written or waiting for the one before. */
  private inFlight = 0
  private scheduled = false
  private committing: Promise<void> = Promise.resolve()
  private closed = false

  constructor (opts: { openBatch: () => Batch, maxBatchSize: number, maxBatchAgeMs: number, maxQueueSize: number }) {
    this.openBatch = opts.openBatch
    this.maxBatchSize = opts.maxBatchSize
    this.maxQueueSize = opts.maxQueueSize
  }

  async write (write: BatchedWrite): Promise<void> {
    if (this.closed) throw new CommitError('consensus is shutdown')
    if (this.pending.length >= this.maxQueueSize) {
      throw new CommitError('batching max_queue_size reached. Too many operations are waiting to be batched. Try increasing the max_queue_size or adjusting the batching options')
    }
    const done = new Promise<void>((resolve, reject) => { this.pending.push({ write, waiter: { resolve, reject } }) })
    if (this.pending.length >= this.maxBatchSize) {
      this.commitNow()
    } else if (this.inFlight === 0 && !this.scheduled) {
      // Idle: whatever else is written in this turn goes in the same delta.
      this.scheduled = true
      setImmediate(() => { this.scheduled = false; if (this.inFlight === 0) this.commitNow() })
    }
    await done
  }

  /** Commits what is queued; resolves when every queued write is committed (or failed). */
  async flush (): Promise<void> {
    while (this.pending.length > 0) this.commitNow()
    await this.committing
  }

  async close (): Promise<void> {
    await this.flush()
    this.closed = true
  }

  private commitNow (): void {
    const taken = this.pending.splice(0, this.maxBatchSize)
    if (taken.length === 0) return
    this.inFlight++
    // One delta at a time, in queue order.
    this.committing = this.committing.then(async () => {
      try {
        const batch = this.openBatch()
        for (const { write } of taken) {
          if (write.value === undefined) await batch.delete(write.key)
          else await batch.put(write.key, write.value)
        }
        await batch.commit()
        for (const { waiter } of taken) waiter.resolve()
      } catch (err) {
        for (const { waiter } of taken) waiter.reject(err as Error)
      } finally {
        this.inFlight--
        // What arrived while this delta was written goes out now.
        if (this.inFlight === 0) this.commitNow()
      }
    })
  }
}

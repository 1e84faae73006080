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
 * Go's CRDT batching (`crdt.batching`): writes wait in a queue and go out as one delta when
 * `maxBatchSize` of them are gathered or the oldest has waited `maxBatchAgeMs`. Unlike Go, each
 * write resolves only once its delta is committed and announced (acknowledged means durable);
 * Go answers as soon as the write is queued.
 */
export class WriteBatcher {
  private readonly openBatch: () => Batch
  private readonly maxBatchSize: number
  private readonly maxBatchAgeMs: number
  private readonly maxQueueSize: number
  private pending: Array<{ write: BatchedWrite, waiter: Waiter }> = []
  private timer: NodeJS.Timeout | undefined
  private committing: Promise<void> = Promise.resolve()
  private closed = false

  constructor (opts: { openBatch: () => Batch, maxBatchSize: number, maxBatchAgeMs: number, maxQueueSize: number }) {
    this.openBatch = opts.openBatch
    this.maxBatchSize = opts.maxBatchSize
    this.maxBatchAgeMs = opts.maxBatchAgeMs
    this.maxQueueSize = opts.maxQueueSize
  }

  async write (write: BatchedWrite): Promise<void> {
    if (this.closed) throw new CommitError('consensus is shutdown')
    if (this.pending.length >= this.maxQueueSize) {
      throw new CommitError('batching max_queue_size reached. Too many operations are waiting to be batched. Try increasing the max_queue_size or adjusting the batching options')
    }
    const done = new Promise<void>((resolve, reject) => { this.pending.push({ write, waiter: { resolve, reject } }) })
    if (this.pending.length >= this.maxBatchSize) this.commitNow()
    else this.timer ??= setTimeout(() => { this.commitNow() }, this.maxBatchAgeMs)
    await done
  }

  /** Commits what is queued; resolves when every queued write is committed (or failed). */
  async flush (): Promise<void> {
    this.commitNow()
    await this.committing
  }

  async close (): Promise<void> {
    await this.flush()
    this.closed = true
  }

  private commitNow (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const taken = this.pending.splice(0, this.maxBatchSize)
    if (this.pending.length > 0) this.timer = setTimeout(() => { this.commitNow() }, 0)
    if (taken.length === 0) return
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
      }
    })
  }
}

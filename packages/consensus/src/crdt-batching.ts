import type { Batch } from '@cluster/crdt'
import type { BatchJournal } from './batch-journal.ts'
import { CommitError } from './errors.ts'

/** One queued write: a put of a value or a delete of a key. */
export interface BatchedWrite {
  key: string
  /** undefined: delete. */
  value?: Uint8Array
}

/** Adds each write to `batch`, in order; `onDelta` after each one that committed a full delta. */
export async function addWrites (batch: Batch, writes: Iterable<BatchedWrite>, onDelta?: () => void): Promise<void> {
  for (const write of writes) {
    const committed = write.value === undefined ? await batch.delete(write.key) : await batch.put(write.key, write.value)
    if (committed !== undefined) onDelta?.()
  }
}

interface Queued {
  write: BatchedWrite
  /** Its place in the journal (journaled batching). */
  seq?: number
  /** Who waits for its commit (batching without a journal). */
  waiter?: { resolve: () => void, reject: (err: Error) => void }
}

export interface WriteBatcherOptions {
  openBatch: () => Batch
  maxBatchSize: number
  maxBatchAgeMs: number
  maxQueueSize: number
  /**
   * With a journal a write is answered once it is journaled, and batches close as Go's do: at
   * `maxBatchSize` writes or `maxBatchAgeMs` after their first write. Without one a write is
   * answered once its delta is committed (see WriteBatcher).
   */
  journal?: BatchJournal
  /** A journaled batch that failed to commit (it is retried; the journal keeps it meanwhile). */
  onError?: (err: Error) => void
}

/**
 * Go's CRDT batching (`crdt.batching`): writes go out together, as one delta of at most
 * `maxBatchSize` writes.
 *
 * Journaled (what the consensus uses): a write is answered once it is in the journal (Go answers
 * once it is queued, and loses the queue in a crash), and a delta goes out at `maxBatchSize`
 * writes or `maxBatchAgeMs` after its first one, as in Go: a lone writer's pins share deltas.
 *
 * Without a journal, each write resolves only once its delta is committed and announced, so a
 * batch that waited for company would only make its writers wait: a batch closes as soon as no
 * delta is being written — at the end of the event-loop turn when idle, else when the delta being
 * written is done (group commit). Writes that arrive together still share a delta, and
 * `maxBatchAgeMs` is an upper bound always met (one delta takes a few ms to write).
 */
export class WriteBatcher {
  private readonly opts: WriteBatcherOptions
  private pending: Queued[] = []
  /** Journaled batching: writes of this turn, answered once journaled. */
  private toJournal: Queued[] = []
  /** Deltas being written or waiting for the one before. */
  private inFlight = 0
  private scheduled = false
  private ageTimer: NodeJS.Timeout | undefined
  private committing: Promise<void> = Promise.resolve()
  private closed = false

  constructor (opts: WriteBatcherOptions) {
    this.opts = opts
  }

  async write (write: BatchedWrite): Promise<void> {
    if (this.closed) throw new CommitError('consensus is shutdown')
    if (this.pending.length + this.toJournal.length >= this.opts.maxQueueSize) {
      throw new CommitError('batching max_queue_size reached. Too many operations are waiting to be batched. Try increasing the max_queue_size or adjusting the batching options')
    }
    if (this.opts.journal !== undefined) {
      // The writes of one event-loop turn go into the journal in one transaction.
      const journaled = new Promise<void>((resolve, reject) => { this.toJournal.push({ write, waiter: { resolve, reject } }) })
      if (this.toJournal.length === 1) setImmediate(() => { this.journalNow() })
      await journaled
      return
    }
    const done = new Promise<void>((resolve, reject) => { this.pending.push({ write, waiter: { resolve, reject } }) })
    if (this.pending.length >= this.opts.maxBatchSize) {
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
    this.journalNow()
    while (this.pending.length > 0) this.commitNow()
    await this.committing
  }

  async close (): Promise<void> {
    await this.flush()
    this.closed = true
    clearTimeout(this.ageTimer)
  }

  /** Journals the writes of this turn, answers them, and closes a batch if one is due. */
  private journalNow (): void {
    const journal = this.opts.journal
    const taken = this.toJournal
    if (journal === undefined || taken.length === 0) return
    this.toJournal = []
    let seqs: number[]
    try {
      seqs = journal.append(taken.map(q => q.write))
    } catch (err) {
      for (const { waiter } of taken) waiter?.reject(err as Error)
      return
    }
    for (const [i, q] of taken.entries()) {
      this.pending.push({ write: q.write, seq: seqs[i] as number })
      q.waiter?.resolve()
    }
    this.closeWhenDue()
  }

  /** Journaled: a full batch goes now; otherwise the first write of a batch starts its clock. */
  private closeWhenDue (): void {
    if (this.pending.length >= this.opts.maxBatchSize) this.commitNow()
    else if (this.pending.length > 0 && this.ageTimer === undefined && !this.closed) {
      this.ageTimer = setTimeout(() => { this.ageTimer = undefined; this.commitNow() }, this.opts.maxBatchAgeMs)
    }
  }

  private commitNow (): void {
    const journaled = this.opts.journal !== undefined
    if (journaled) {
      clearTimeout(this.ageTimer)
      this.ageTimer = undefined
    }
    const taken = this.pending.splice(0, this.opts.maxBatchSize)
    if (taken.length === 0) return
    this.inFlight++
    // One delta at a time, in queue order.
    this.committing = this.committing.then(async () => {
      try {
        const batch = this.opts.openBatch()
        await addWrites(batch, taken.map(q => q.write))
        await batch.commit()
        const last = taken.at(-1)?.seq
        if (last !== undefined) this.opts.journal?.committed(last)
        for (const { waiter } of taken) waiter?.resolve()
      } catch (err) {
        for (const { waiter } of taken) waiter?.reject(err as Error)
        if (journaled) {
          // Still in the journal: back at the head of the queue, tried again with the next batch.
          this.pending.unshift(...taken)
          if (!this.closed) this.opts.onError?.(err as Error)
        }
      } finally {
        this.inFlight--
        if (journaled) {
          if (!this.closed) this.closeWhenDue()
        } else if (this.inFlight === 0) {
          // What arrived while this delta was written goes out now.
          this.commitNow()
        }
      }
    })
  }
}

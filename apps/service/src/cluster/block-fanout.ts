/**
 * Sending an add's blocks to every allocated peer's IPFS at once (cluster-behaviour.md §4.4):
 * one bounded queue per destination, so a slow peer slows the add down instead of filling
 * memory, and a failed peer is dropped without stopping the others. The add fails only when no
 * destination is left (Go: "failed to put block on all destinations").
 */
import type { CID } from '@cluster/api'

export interface Block { cid: CID, bytes: Uint8Array }

export interface BlockDestination {
  peer: string
  /** Consumes the blocks until the iterable ends; rejects when the destination fails. */
  send: (blocks: AsyncIterable<Block>) => Promise<void>
}

/** Bytes queued per destination before `put` waits. */
export const QUEUE_HIGH_WATER_BYTES = 8 * 1024 * 1024

/** A single-consumer queue of blocks, bounded by bytes. */
class BlockQueue implements AsyncIterable<Block> {
  private readonly items: Block[] = []
  private bytes = 0
  private closed = false
  private discarding = false
  private wakeConsumer: (() => void) | undefined
  private wakeProducer: (() => void) | undefined

  async push (block: Block): Promise<void> {
    if (this.discarding) return
    this.items.push(block)
    this.bytes += block.bytes.byteLength
    this.wakeConsumer?.()
    while (this.bytes > QUEUE_HIGH_WATER_BYTES && !this.discarding) {
      await new Promise<void>(resolve => { this.wakeProducer = resolve })
    }
  }

  close (): void {
    this.closed = true
    this.wakeConsumer?.()
  }

  /** The consumer is gone: drop what is queued and accept (ignore) what comes. */
  discard (): void {
    this.discarding = true
    this.items.length = 0
    this.bytes = 0
    this.wakeProducer?.()
    this.wakeConsumer?.()
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Block> {
    for (;;) {
      const next = this.items.shift()
      if (next !== undefined) {
        this.bytes -= next.bytes.byteLength
        if (this.bytes <= QUEUE_HIGH_WATER_BYTES) this.wakeProducer?.()
        yield next
        continue
      }
      if (this.closed || this.discarding) return
      await new Promise<void>(resolve => { this.wakeConsumer = resolve })
      this.wakeConsumer = undefined
    }
  }
}

export class BlocksNotStoredError extends Error {
  override readonly name = 'BlocksNotStoredError'
  readonly code = 'ERR_BLOCKS_NOT_STORED'
}

interface Lane { dest: BlockDestination, queue: BlockQueue, done: Promise<void>, error: Error | undefined }

export class BlockFanout {
  private readonly lanes: Lane[]

  constructor (destinations: BlockDestination[]) {
    if (destinations.length === 0) throw new BlocksNotStoredError('no destinations to send the blocks to')
    this.lanes = destinations.map(dest => {
      const queue = new BlockQueue()
      const lane: Lane = { dest, queue, done: Promise.resolve(), error: undefined }
      lane.done = dest.send(queue).catch((err: unknown) => {
        lane.error = err instanceof Error ? err : new Error(String(err))
        queue.discard()
      })
      return lane
    })
  }

  /** Queues the block for every destination still working; waits while a queue is full. */
  async put (block: Block): Promise<void> {
    const live = this.lanes.filter(l => l.error === undefined)
    if (live.length === 0) throw this.allFailed()
    await Promise.all(live.map(async l => { await l.queue.push(block) }))
  }

  /** Ends every stream and waits for them: the peers that stored every block. */
  async finish (): Promise<string[]> {
    for (const l of this.lanes) l.queue.close()
    await Promise.all(this.lanes.map(async l => { await l.done }))
    const stored = this.lanes.filter(l => l.error === undefined).map(l => l.dest.peer)
    if (stored.length === 0) throw this.allFailed()
    return stored
  }

  /** Stops every stream (the add failed or was cancelled). */
  async abort (): Promise<void> {
    for (const l of this.lanes) l.queue.discard()
    await Promise.all(this.lanes.map(async l => { await l.done }))
  }

  /** Destinations that failed, with why. */
  failures (): Array<{ peer: string, error: Error }> {
    return this.lanes.filter(l => l.error !== undefined).map(l => ({ peer: l.dest.peer, error: l.error! }))
  }

  private allFailed (): BlocksNotStoredError {
    const why = this.failures().map(f => `${f.peer}: ${f.error.message}`).join('; ')
    return new BlocksNotStoredError(`failed to put block on all destinations (${why})`)
  }
}

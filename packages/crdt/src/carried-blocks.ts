/**
 * Blocks that travel with announcements (ReplicaOptions.carryBlockBytes): the writer keeps the
 * blocks it made since its last announcement, within a byte budget; the receiver checks each
 * against its CID and stores it before walking, so it finds them locally.
 */
import type { Logger } from '@cluster/api'
import { decodeBlock, toV1DagPb } from './block.ts'
import { decodeCarriedBlocks, type CarriedBlock } from './delta.ts'
import type { BlockAccess } from './options.ts'

export class CarriedBlocks {
  private readonly budget: number
  private readonly blocks: BlockAccess
  private readonly log: Logger
  /** Newest last. */
  private pending: CarriedBlock[] = []
  private bytes = 0

  constructor (budget: number, blocks: BlockAccess, log: Logger) {
    this.budget = budget
    this.blocks = blocks
    this.log = log
  }

  /** Keeps a block made here for the next announcement, the oldest dropped beyond the budget. */
  keep (block: CarriedBlock): void {
    if (block.bytes.length > this.budget) return
    this.pending.push({ cid: block.cid, bytes: block.bytes })
    this.bytes += block.bytes.length
    while (this.bytes > this.budget) this.bytes -= this.pending.shift()!.bytes.length
  }

  /** The blocks for the announcement being made (and none kept after it). */
  take (): CarriedBlock[] {
    const blocks = this.pending
    this.pending = []
    this.bytes = 0
    return blocks
  }

  /**
   * Stores the blocks an announcement carried, each checked against its CID (a block that does not
   * match, or a payload whose extra field does not decode, is ignored: the walk fetches instead).
   */
  async store (payload: Uint8Array): Promise<void> {
    let carried: CarriedBlock[]
    try {
      carried = decodeCarriedBlocks(payload)
    } catch (err) {
      this.log('debug', `ignoring the blocks carried by a broadcast: ${(err as Error).message}`)
      return
    }
    for (const b of carried) {
      try {
        const cid = toV1DagPb(b.cid)
        await decodeBlock(cid, b.bytes)
        await this.blocks.putBlock(cid, b.bytes)
      } catch (err) {
        this.log('debug', `ignoring a carried block: ${(err as Error).message}`)
      }
    }
  }
}

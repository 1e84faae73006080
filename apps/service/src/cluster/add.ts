/**
 * Adding content (cluster-behaviour.md §4.4, rest-api.md §4.15): decide where the blocks go
 * (BlockAllocate), chunk the upload with @cluster/adder while the blocks stream to those peers'
 * IPFS daemons, then pin the root with the allocations preset.
 */
import type { AddedOutput, AddParams, AddUpload, CID, PeerId } from '@cluster/api'
import { BlockFanout, type BlockDestination } from './block-fanout.ts'

export interface AddContext {
  self: string
  /** Where the blocks go: every peer with a valid ping for "everywhere", else an allocation. */
  blockAllocate: (params: AddParams) => Promise<string[]>
  destination: (peer: string) => BlockDestination
  /** Pins the root with these allocations (ignored for "everywhere" pins). */
  pinRoot: (root: CID, params: AddParams, allocations: string[]) => Promise<void>
}

/** `local=true`: blocks only go to this peer, which takes the last allocation if it had none. */
export function localAllocations (self: string, allocations: string[], params: AddParams): string[] {
  if (allocations.includes(self) || (params.pinOptions.userAllocations ?? []).length > 0) return allocations
  if (allocations.length === 0) return [self]
  return [...allocations.slice(0, -1), self]
}

export async function * addContent (ctx: AddContext, upload: AddUpload, params: AddParams, signal?: AbortSignal): AsyncGenerator<AddedOutput> {
  // The chunker and DAG builders are loaded with the first upload, not by every idle peer.
  const { addUpload, checkAddParams } = await import('@cluster/adder')
  checkAddParams(params)
  let allocations = await ctx.blockAllocate(params)
  let destinations = allocations
  if (params.local) {
    allocations = localAllocations(ctx.self, allocations, params)
    destinations = [ctx.self]
  }
  const fanout = new BlockFanout(destinations.map(peer => ctx.destination(peer)))
  let finished = false
  let root: CID | undefined
  try {
    for await (const node of addUpload(upload, params, fanout, signal === undefined ? {} : { signal })) {
      if (node.cid !== undefined) root = node.cid
      yield { ...node, allocations: node.cid === undefined ? [] : allocations as PeerId[] }
    }
    await fanout.finish()
    finished = true
  } finally {
    if (!finished) await fanout.abort()
  }
  if (root !== undefined && !params.noPin) await ctx.pinRoot(root, params, allocations)
}

/** Where an add's blocks can go: this peer's Kubo directly, or another peer's through RPC. */
import type { IpfsConnector } from '@cluster/ipfs-connector'
import type { RpcClient } from '@cluster/rpc'
import type { Block, BlockDestination } from './block-fanout.ts'
import { Rpc } from './rpc-methods.ts'

/** Blocks per RPC call to a remote peer are cut at this many bytes (or BATCH_MAX_BLOCKS). */
export const BATCH_MAX_BYTES = 1024 * 1024
export const BATCH_MAX_BLOCKS = 256
/** One batch may take this long (its peer writes it to Kubo before answering). */
export const BATCH_TIMEOUT_MS = 120_000

/** One streamed `block/put` to the local Kubo for the whole add. */
export function localDestination (self: string, connector: IpfsConnector, signal?: AbortSignal): BlockDestination {
  return {
    peer: self,
    send: async (blocks) => { await connector.blockStream(blocks, signal === undefined ? {} : { signal }) }
  }
}

async function * batches (blocks: AsyncIterable<Block>): AsyncGenerator<Block[]> {
  let batch: Block[] = []
  let bytes = 0
  for await (const block of blocks) {
    batch.push(block)
    bytes += block.bytes.byteLength
    if (bytes >= BATCH_MAX_BYTES || batch.length >= BATCH_MAX_BLOCKS) {
      yield batch
      batch = []
      bytes = 0
    }
  }
  if (batch.length > 0) yield batch
}

/** Batches of blocks sent to a peer, which stores each batch in its Kubo before answering. */
export function remoteDestination (peer: string, rpc: RpcClient, signal?: AbortSignal): BlockDestination {
  return {
    peer,
    send: async (blocks) => {
      for await (const batch of batches(blocks)) {
        await rpc.call(peer, Rpc.ipfsBlockPut, batch, { timeoutMs: BATCH_TIMEOUT_MS, ...(signal === undefined ? {} : { signal }) })
      }
    }
  }
}

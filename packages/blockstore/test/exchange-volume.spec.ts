import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { identify } from '@libp2p/identify'
import { loopbackNode } from '@cluster/test-utils'
import { multiaddr } from '@multiformats/multiaddr'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, describe, expect, it } from 'vitest'
import { BlockExchange, SqliteBlockstore } from '../src/index.ts'
import { rawBlock, tempDir, type Block } from './helpers.ts'
import type { CID } from 'multiformats/cid'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Live JS heap plus ArrayBuffer memory after a full collection. */
function liveBytes (): number {
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

const BLOCK_SIZE = 256 * 1024
const BLOCKS = 40 // 10 MiB
const CONCURRENCY = 4
const cleanup: Array<() => Promise<void>> = []
afterAll(async () => { for (const f of cleanup.splice(0).reverse()) await f() })

describe('BlockExchange moving a 10 MiB block set', () => {
  it('fetches every block intact while live memory stays far below the set size', async () => {
    const { dir, remove } = await tempDir()
    cleanup.push(remove)
    const sides = await Promise.all(['src', 'dst'].map(async name => {
      const node = await loopbackNode({ identify: identify() })
      const store = SqliteBlockstore.open(join(dir, `${name}.db`))
      const exchange = new BlockExchange({ libp2p: node, blockstore: store, fetchTimeoutMs: 30_000 })
      await exchange.start()
      cleanup.push(async () => { await exchange.stop(); await node.stop(); store.close() })
      return { node, store, exchange }
    }))
    const [src, dst] = sides
    if (src === undefined || dst === undefined) throw new Error('fixture')

    // Made one at a time so the set itself is never in memory: only CIDs are kept.
    const cids: CID[] = []
    for (let i = 0; i < BLOCKS; i++) {
      const block: Block = await rawBlock(BLOCK_SIZE, 500 + i)
      await src.exchange.putBlock(block.cid, block.bytes)
      cids.push(block.cid)
    }
    await dst.node.dial(src.node.getMultiaddrs()[0] ?? multiaddr(), { signal: AbortSignal.timeout(10_000) })

    // Warm up (connection, streams, compiled code) with the first blocks, then measure the rest.
    for (const cid of cids.slice(0, CONCURRENCY)) await dst.exchange.getBlock(cid)
    const baseline = liveBytes()
    let peak = 0
    let next = CONCURRENCY
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < cids.length) {
        const cid = cids[next++] as CID
        const bytes = await dst.exchange.getBlock(cid)
        expect(bytes.byteLength).toBe(BLOCK_SIZE)
        peak = Math.max(peak, liveBytes() - baseline)
      }
    }))

    const retained = liveBytes() - baseline
    expect(dst.store.count()).toBe(BLOCKS)
    for (const cid of cids) {
      const digest = await sha256.digest(dst.store.getBytes(cid))
      expect(digest.bytes).toEqual(cid.multihash.bytes)
    }
    const mib = (n: number): string => (n / 1024 / 1024).toFixed(1)
    console.info(`10 MiB moved: peak live growth ${mib(peak)} MiB, ${mib(retained)} MiB after`)
    // What stays is bookkeeping, not blocks: well under a quarter of the set.
    expect(retained).toBeLessThan(BLOCKS * BLOCK_SIZE / 4)
    // In flight: CONCURRENCY blocks, each in a handful of transient copies on each side (read
    // from the store, protobuf, encryption, socket buffers; both peers live in this process).
    // The bound depends on the concurrency and block size, not on how much has moved.
    expect(peak).toBeLessThan(CONCURRENCY * BLOCK_SIZE * 16)
  })
})

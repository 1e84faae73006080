// Blocks below a CID in one exchange between our peers (blocks-below.ts): a long walk down a
// chain of CRDT blocks asks for many blocks at once; a peer that does not speak the protocol (as
// a Go peer) still serves over bitswap; a broken or hostile answer never lands in the store.
import { identify } from '@libp2p/identify'
import { streamPair } from '@libp2p/utils'
import { blockLinks, makeBlock, type Block } from '@cluster/crdt'
import { loopbackNode } from '@cluster/test-utils'
import { multiaddr } from '@multiformats/multiaddr'
import { varint } from 'multiformats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlockExchange, SqliteBlockstore } from '../src/index.ts'
import { BLOCKS_BELOW_PROTOCOL, fetchBlocksBelow, serveBlocksBelow } from '../src/blocks-below.ts'
import { exchangePeer, tempDir, type ExchangePeer } from './helpers.ts'

type Peer = ExchangePeer

let dir: string
let remove: () => Promise<void>
const peers: Peer[] = []

async function peer (name: string, speaks: boolean): Promise<Peer> {
  const p = await exchangePeer(dir, name, speaks ? { linksOf: blockLinks } : {})
  peers.push(p)
  return p
}

async function connect (a: Peer, b: Peer): Promise<void> {
  await a.node.dial(b.node.getMultiaddrs()[0] ?? multiaddr(), { signal: AbortSignal.timeout(10_000) })
  // identify tells each side the other's protocols; wait for it.
  for (let i = 0; i < 100; i++) {
    const known = await a.node.peerStore.get(b.node.peerId).catch(() => undefined)
    if ((known?.protocols.length ?? 0) > 0) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** A chain of CRDT blocks, newest first: each links to the one after it. */
async function chain (length: number, seed: number): Promise<Block[]> {
  const blocks: Block[] = []
  let below: Block | undefined
  for (let height = 1; height <= length; height++) {
    const delta = { elements: [{ key: `/k/${seed}/${height}`, id: `${seed}-${height}`, value: new Uint8Array([height & 0xff]) }], tombstones: [], priority: height }
    below = await makeBlock(delta, below === undefined ? [] : [below.cid])
    blocks.unshift(below)
  }
  return blocks
}

/** Walks `blocks` top down through `exchange`, as a DAG walk does; returns how many were local when asked for. */
async function walk (exchange: BlockExchange, store: SqliteBlockstore, blocks: Block[]): Promise<number> {
  let local = 0
  for (const [i, block] of blocks.entries()) {
    if (store.has(block.cid)) local++
    expect(await exchange.getBlock(block.cid, { walked: i })).toEqual(block.bytes)
  }
  return local
}

beforeAll(async () => { ({ dir, remove } = await tempDir()) })
afterAll(async () => {
  for (const p of peers.splice(0)) {
    await p.exchange.stop()
    await p.node.stop()
    p.store.close()
  }
  await remove()
})

describe('blocks below a CID, between two of our peers', () => {
  it('a long walk finds most blocks already stored: they came many at a time', async () => {
    const server = await peer('server', true)
    const walker = await peer('walker', true)
    await connect(walker, server)
    const blocks = await chain(600, 1)
    server.store.putBlocks(blocks)
    const local = await walk(walker.exchange, walker.store, blocks)
    // The first 32 come one by one over bitswap; past them, the walk asks for about as many
    // blocks below as it has walked, so nearly all of the rest are stored before they are asked for.
    expect(local).toBeGreaterThan(500)
    expect(walker.store.count()).toBe(600)
  })

  it('a peer that does not speak the protocol (a Go peer) still serves the walk over bitswap', async () => {
    const server = await peer('bitswap-only', false)
    const walker = await peer('walker-2', true)
    await connect(walker, server)
    const blocks = await chain(80, 2)
    server.store.putBlocks(blocks)
    expect(await walk(walker.exchange, walker.store, blocks)).toBe(0)
    expect(walker.store.count()).toBe(80)
  })
})

/** One length-prefixed frame, as lpStream writes it. */
function lengthPrefixed (bytes: Uint8Array): Uint8Array {
  return new Uint8Array([...varint.encodeTo(bytes.length, new Uint8Array(varint.encodingLength(bytes.length))), ...bytes])
}

/** A block frame of the answer: varint(length of CID bytes) ‖ CID bytes ‖ block bytes. */
function blockFrame (block: Block, bytes = block.bytes): Uint8Array {
  const cidBytes = block.cid.bytes
  return lengthPrefixed(new Uint8Array([...varint.encodeTo(cidBytes.length, new Uint8Array(varint.encodingLength(cidBytes.length))), ...cidBytes, ...bytes]))
}

/** A hostile peer: reads the request, then sends `frames`. */
async function answerWith (answerer: Awaited<ReturnType<typeof streamPair>>[1], frames: Uint8Array[]): Promise<void> {
  for await (const _ of answerer) break
  for (const f of frames) answerer.send(f)
  await answerer.close()
}

describe('the protocol on its own', () => {
  it('an answer with a block that does not match its CID is refused, and nothing is stored', async () => {
    const [block] = await chain(1, 3)
    const [asker, answerer] = await streamPair()
    const stored: string[] = []
    const asking = fetchBlocksBelow(asker, [block!.cid], 10, blockLinks, cid => { stored.push(cid.toString()) })
    const served = answerWith(answerer, [blockFrame(block!, new Uint8Array([1, 2, 3]))])
    await expect(asking).rejects.toThrow(/does not match its hash/)
    await served
    expect(stored).toEqual([])
  })

  it('an answer with a block that was not asked for (not a root, not linked from one) is refused', async () => {
    const [asked] = await chain(1, 4)
    const [other] = await chain(1, 5)
    const [asker, answerer] = await streamPair()
    const stored: string[] = []
    const asking = fetchBlocksBelow(asker, [asked!.cid], 10, blockLinks, cid => { stored.push(cid.toString()) })
    const served = answerWith(answerer, [blockFrame(asked!), blockFrame(other!), lengthPrefixed(new Uint8Array(0))])
    await expect(asking).rejects.toThrow(/was not asked for/)
    await served
    expect(stored).toEqual([asked!.cid.toString()])
  })

  it('a server given garbage ends the stream and goes on', async () => {
    const store = SqliteBlockstore.open(':memory:')
    for (const request of ['not json', JSON.stringify({ roots: 'x', max: 1 }), JSON.stringify({ roots: ['not a cid'], max: 5 }), JSON.stringify({ roots: [], max: -1 })]) {
      const [asker, answerer] = await streamPair()
      const serving = serveBlocksBelow(answerer, store, blockLinks)
      asker.send(lengthPrefixed(new TextEncoder().encode(request)))
      await expect(serving).resolves.toBeUndefined()
      expect(answerer.status).not.toBe('open')
    }
    store.close()
  })
})

describe('a peer that stops answering', () => {
  it('holds the walk up for at most the idle limit; the blocks then come over bitswap from another peer', async () => {
    // Lists the protocol, reads the request, never answers (a paused or stuck peer).
    const silent = await loopbackNode({ identify: identify() })
    await silent.handle(BLOCKS_BELOW_PROTOCOL, async (stream) => { for await (const _ of stream) break })
    const holder = await peer('holder', false)
    const walker = await peer('walker-3', true)
    try {
      await walker.node.dial(silent.getMultiaddrs()[0] ?? multiaddr(), { signal: AbortSignal.timeout(10_000) })
      await connect(walker, holder)
      const blocks = await chain(40, 6)
      holder.store.putBlocks(blocks)
      const t0 = performance.now()
      await walk(walker.exchange, walker.store, blocks)
      expect(walker.store.count()).toBe(40)
      expect(performance.now() - t0).toBeLessThan(15_000)
    } finally {
      await silent.stop()
    }
  })
})

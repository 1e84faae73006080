import { join } from 'node:path'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { loopbackNode, until } from '@cluster/test-utils'
import { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlockExchange, HeadsBroadcaster, SqliteBlockstore, clusterGossipsubOptions } from '../src/index.ts'
import { rawBlock, tempDir } from './helpers.ts'
import type { Libp2p } from '@libp2p/interface'

interface Peer { node: Libp2p<{ pubsub: GossipSub, identify: unknown }>, exchange: BlockExchange, heads: HeadsBroadcaster }

/** What the CRDT consensus does with this package: announce a head on gossipsub, fetch it over bitswap. */
describe('heads on gossipsub, blocks over bitswap, on one host per peer', () => {
  const CLUSTER = 'heads-and-blocks'
  const stops: Array<() => Promise<void>> = []
  let dir: string
  let remove: () => Promise<void>
  let a: Peer, b: Peer

  async function peer (name: string): Promise<Peer> {
    const node = await loopbackNode<{ pubsub: GossipSub, identify: unknown }>({ identify: identify(), pubsub: gossipsub(clusterGossipsubOptions()) })
    const store = SqliteBlockstore.open(join(dir, `${name}.db`))
    const exchange = new BlockExchange({ libp2p: node, blockstore: store, fetchTimeoutMs: 20_000 })
    await exchange.start()
    const heads = new HeadsBroadcaster({ pubsub: node.services.pubsub, self: node.peerId, clusterName: CLUSTER, isTrusted: () => true, deliverOwn: false })
    heads.start()
    stops.push(async () => { heads.stop(); await exchange.stop(); await node.stop(); store.close() })
    return { node, exchange, heads }
  }

  beforeAll(async () => {
    ({ dir, remove } = await tempDir())
    a = await peer('a')
    b = await peer('b')
    await b.node.dial(a.node.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) })
    await until(() => a.node.services.pubsub.getSubscribers(a.heads.topic).length === 1 ? true : undefined, 'A sees B on the topic')
  })

  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop()
    await remove()
  })

  it('a peer that hears of a head fetches its block from the peer that made it', async () => {
    const block = await rawBlock(3000, 71)
    await a.exchange.putBlock(block.cid, block.bytes)
    await a.heads.broadcast(block.cid.bytes)

    const announced = CID.decode(await b.heads.next({ signal: AbortSignal.timeout(20_000) }))
    expect(announced.equals(block.cid)).toBe(true)
    expect(await b.exchange.getBlock(announced, { signal: AbortSignal.timeout(20_000) })).toEqual(block.bytes)
  })
})

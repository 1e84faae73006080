import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { preSharedKey } from '@cluster/pnet'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlockExchange, SqliteBlockstore } from '../src/index.ts'
import { rawBlock, tempDir } from './helpers.ts'

/** A host built like the cluster's: TCP, the cluster secret as a private network, Noise, Yamux, identify. */
async function clusterLikeHost (secretHex: string): Promise<Libp2p> {
  const psk = new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${secretHex}`)
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: preSharedKey({ psk }),
    services: { identify: identify() }
  })
}

describe('BlockExchange on private-network hosts (the cluster secret)', () => {
  const secret = randomBytes(32).toString('hex')
  const stops: Array<() => Promise<void>> = []
  let dir: string
  let remove: () => Promise<void>

  async function peer (name: string, key = secret): Promise<{ node: Libp2p, store: SqliteBlockstore, exchange: BlockExchange }> {
    const node = await clusterLikeHost(key)
    const store = SqliteBlockstore.open(join(dir, `${name}.db`))
    const exchange = new BlockExchange({ libp2p: node, blockstore: store, fetchTimeoutMs: 20_000 })
    await exchange.start()
    stops.push(async () => { await exchange.stop(); await node.stop(); store.close() })
    return { node, store, exchange }
  }

  beforeAll(async () => { ({ dir, remove } = await tempDir()) })
  afterAll(async () => {
    for (const stop of stops.splice(0)) await stop()
    await remove()
  })

  it('moves blocks of 1.5 MiB and of a few bytes between peers sharing the secret', async () => {
    const a = await peer('a')
    const b = await peer('b')
    await b.node.dial(a.node.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) })
    const big = await rawBlock(1_572_864, 61)
    const small = await rawBlock(40, 62)
    await a.exchange.putBlock(big.cid, big.bytes)
    await a.exchange.putBlock(small.cid, small.bytes)
    const [gotBig, gotSmall] = await Promise.all([b.exchange.getBlock(big.cid), b.exchange.getBlock(small.cid)])
    // Buffer.equals: vitest's deep equality takes seconds over a 1.5 MiB array.
    expect(Buffer.from(gotBig).equals(big.bytes)).toBe(true)
    expect(gotSmall).toEqual(small.bytes)
  })

  it('a peer with another secret cannot connect, so cannot fetch', async () => {
    const a = await peer('c')
    const outsider = await peer('outsider', randomBytes(32).toString('hex'))
    const block = await rawBlock(100, 63)
    await a.exchange.putBlock(block.cid, block.bytes)
    await expect(outsider.node.dial(a.node.getMultiaddrs(), { signal: AbortSignal.timeout(3_000) })).rejects.toThrow()
    const outcome = await outsider.exchange.getBlock(block.cid, { timeoutMs: 300 }).catch((err: unknown) => err)
    expect(outcome).toMatchObject({ reason: 'timeout' })
  })
})

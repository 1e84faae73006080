import { KuboDaemon } from '@cluster/test-utils'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlockFetchError } from '../src/index.ts'
import { exchangePeer, rawBlock, tempDir, type ExchangePeer } from './helpers.ts'

type Peer = ExchangePeer

let dir: string
let remove: () => Promise<void>
const peers: Peer[] = []

async function peer (name: string): Promise<Peer> {
  const p = await exchangePeer(dir, name)
  peers.push(p)
  return p
}

async function connect (a: Peer, b: Peer): Promise<void> {
  await a.node.dial(b.node.getMultiaddrs()[0] ?? multiaddr(), { signal: AbortSignal.timeout(10_000) })
}

beforeAll(async () => { ({ dir, remove } = await tempDir()) })
afterAll(async () => {
  for (const p of peers.splice(0)) {
    await p.exchange.stop()
    await p.node.stop()
    p.store.close() // closing twice is harmless
  }
  await remove()
})

describe('BlockExchange with a real Kubo', () => {
  let kubo: KuboDaemon
  let ours: Peer
  beforeAll(async () => {
    kubo = await KuboDaemon.start()
    ours = await peer('with-kubo')
    await ours.node.dial(multiaddr(kubo.swarmAddresses[0] ?? ''), { signal: AbortSignal.timeout(10_000) })
  })
  afterAll(async () => { await kubo?.stop() })

  it('Kubo fetches a block from our node over bitswap', async () => {
    const block = await rawBlock(5000, 21)
    await ours.exchange.putBlock(block.cid, block.bytes)
    const res = await fetch(kubo.url('block/get', { arg: block.cid.toString() }), { method: 'POST', signal: AbortSignal.timeout(30_000) })
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(block.bytes)
  })

  it('our node fetches a block Kubo has and stores it', async () => {
    const block = await rawBlock(70_000, 22)
    const form = new FormData()
    form.append('file', new Blob([block.bytes]))
    const put = await kubo.rpc<{ Key: string, Size: number }>('block/put', { 'cid-codec': 'raw' }, form)
    expect(put.Key).toBe(block.cid.toString())
    expect(ours.store.has(block.cid)).toBe(false)

    expect(await ours.exchange.getBlock(block.cid)).toEqual(block.bytes)
    expect(ours.store.getBytes(block.cid)).toEqual(block.bytes)
  })

  it('our node fetches a dag-pb block Kubo made (a CIDv0 file root)', async () => {
    const form = new FormData()
    form.append('file', new Blob([new TextEncoder().encode('a small file for the cluster\n')]))
    const added = await kubo.rpc<{ Hash: string }>('add', { 'cid-version': '0', pin: 'false' }, form)
    const cid = CID.parse(added.Hash)
    expect(cid.version).toBe(0)
    const res = await fetch(kubo.url('block/get', { arg: added.Hash }), { method: 'POST', signal: AbortSignal.timeout(30_000) })
    expect(await ours.exchange.getBlock(cid)).toEqual(new Uint8Array(await res.arrayBuffer()))
  })
})

describe('BlockExchange between two of our nodes', () => {
  let a: Peer
  let b: Peer
  beforeAll(async () => {
    a = await peer('a')
    b = await peer('b')
    await connect(b, a)
  })

  it('a block one node has is fetched by the other', async () => {
    const block = await rawBlock(10_000, 31)
    await a.exchange.putBlock(block.cid, block.bytes)
    expect(await b.exchange.getBlock(block.cid)).toEqual(block.bytes)
    expect(b.store.has(block.cid)).toBe(true)
  })

  it('a want made before the block exists is answered when the block is put', async () => {
    const block = await rawBlock(600, 32)
    const wanted = b.exchange.getBlock(block.cid)
    // The want is in flight (no peer has the block) until A makes it.
    await new Promise(resolve => setTimeout(resolve, 200))
    await a.exchange.putBlock(block.cid, block.bytes)
    expect(await wanted).toEqual(block.bytes)
  })

  it('a fetch under way ends with the block once it is stored here another way (bitswap would cancel the want unanswered)', async () => {
    const block = await rawBlock(400, 37)
    // Nobody has it: the want is in flight until B stores the block itself (as a CRDT
    // announcement carrying it does). Without the hand-over the fetch would end in a timeout.
    const wanted = b.exchange.getBlock(block.cid, { timeoutMs: 5_000 })
    await new Promise(resolve => setTimeout(resolve, 200))
    await b.exchange.putBlock(block.cid, block.bytes)
    expect(await wanted).toEqual(block.bytes)
    // And a later fetch by A finds it at B.
    expect(await a.exchange.getBlock(block.cid, { timeoutMs: 5_000 })).toEqual(block.bytes)
  })

  it('getBlock of a block nobody has ends with a timeout error; an abort and a stop end it too', async () => {
    const missing = await rawBlock(100, 33)
    const timedOut = await b.exchange.getBlock(missing.cid, { timeoutMs: 300 }).catch((err: unknown) => err)
    expect(timedOut).toBeInstanceOf(BlockFetchError)
    expect((timedOut as BlockFetchError).reason).toBe('timeout')

    const controller = new AbortController()
    const aborted = b.exchange.getBlock(missing.cid, { signal: controller.signal }).catch((err: unknown) => err)
    controller.abort()
    expect(((await aborted) as BlockFetchError).reason).toBe('aborted')

    const stopped = b.exchange.getBlock(missing.cid).catch((err: unknown) => err)
    await b.exchange.stop()
    expect(((await stopped) as BlockFetchError).reason).toBe('stopped')
    expect(((await b.exchange.getBlock(missing.cid).catch((err: unknown) => err)) as BlockFetchError).reason).toBe('stopped')
    await b.exchange.start()
    const block = await rawBlock(300, 34)
    await a.exchange.putBlock(block.cid, block.bytes)
    expect(await b.exchange.getBlock(block.cid)).toEqual(block.bytes)
  })

  it('putBlock refuses bytes that do not hash to the CID', async () => {
    const block = await rawBlock(100, 35)
    const other = await rawBlock(100, 36)
    await expect(a.exchange.putBlock(block.cid, other.bytes)).rejects.toBeInstanceOf(BlockFetchError)
    expect(a.store.has(block.cid)).toBe(false)
  })
})

describe('BlockExchange serving from a failing store', () => {
  it('a peer whose store fails answers nothing, and neither process nor fetcher crashes', async () => {
    const failing = await peer('failing')
    const asking = await peer('asking')
    const block = await rawBlock(1000, 41)
    await failing.exchange.putBlock(block.cid, block.bytes)
    failing.store.close() // every read bitswap's server makes now throws BlockstoreClosedError
    await connect(asking, failing)
    const outcome = await asking.exchange.getBlock(block.cid, { timeoutMs: 500 }).catch((err: unknown) => err)
    expect((outcome as BlockFetchError).reason).toBe('timeout')
    expect(failing.exchange.isStarted()).toBe(true)
  })
})

/**
 * Flow control of streams (frames.ts): a consumer that stops reading holds the server at about
 * the window (a libp2p stream fails past 4 MiB of unread data), the stream completes when it
 * reads on, and a request without a window (an older client) is answered as before.
 */
import type { Libp2p } from 'libp2p'
import { lpStream } from '@libp2p/utils'
import { loopbackNode } from '@cluster/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RpcClient, RpcServer, streaming, text } from '@cluster/rpc'
import { RPC_PROTOCOL, STREAM_WINDOW_BYTES } from '../src/index.ts'
import { decodeFrame, encodeFrame } from '../src/frames.ts'

const Big = streaming('Test.Big', 'open', text, text)
const Small = streaming('Test.Small', 'open', text, text)
const ITEM = 'x'.repeat(1000)

describe('RPC stream flow control', () => {
  let a: Libp2p, b: Libp2p
  let client: RpcClient
  let bId: string
  let produced = 0

  beforeAll(async () => {
    [a, b] = await Promise.all([loopbackNode(), loopbackNode()])
    bId = b.peerId.toString()
    await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })
    const serverB = new RpcServer({ self: bId })
    serverB.implement(Big, async function * (n) { for (let i = 0; i < Number(n); i++) { produced++; yield `${i} ${ITEM}` } })
    serverB.implement(Small, async function * (n) { for (let i = 0; i < Number(n); i++) yield String(i) })
    await serverB.listen(b)
    const serverA = new RpcServer({ self: a.peerId.toString() })
    await serverA.listen(a)
    client = new RpcClient(a, serverA)
  })

  afterAll(async () => { await Promise.all([a?.stop(), b?.stop()]) })

  it('a paused consumer holds the server near the window; 20 MB arrive whole once it reads on', async () => {
    produced = 0
    const it = client.stream(bId, Big, '20000', { idleTimeoutMs: 30_000 })[Symbol.asyncIterator]()
    expect((await it.next()).value).toMatch(/^0 /)
    await new Promise(resolve => setTimeout(resolve, 1500))
    // The window, a batch being gathered and one in the consumer's hands.
    expect(produced * ITEM.length).toBeLessThan(STREAM_WINDOW_BYTES + 3 * 256 * 1024)
    let n = 1
    while (!(await it.next()).done) n++
    expect(n).toBe(20_000)
  }, 30_000)

  it('a request without a window is answered without waiting for credits', async () => {
    const stream = await a.dialProtocol(b.peerId, RPC_PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(encodeFrame({ m: 'Test.Big', a: '5000' }))
    let items = 0
    while (true) {
      const frame = decodeFrame((await lp.read()).subarray())
      if (Array.isArray(frame.vs)) items += frame.vs.length
      else { expect(frame).toEqual({ end: true }); break }
    }
    expect(items).toBe(5000)
    stream.abort(new Error('done'))
  }, 30_000)

  it('batch frames stay under ~48 KiB whatever the item size (V8 allocates a string of 128 KiB apart, at several times the cost), and small items soon go 256 a frame', async () => {
    const frames = async (method: string, n: number): Promise<Array<{ bytes: number, items: number }>> => {
      const stream = await a.dialProtocol(b.peerId, RPC_PROTOCOL)
      const lp = lpStream(stream)
      await lp.write(encodeFrame({ m: method, a: String(n) }))
      const seen: Array<{ bytes: number, items: number }> = []
      while (true) {
        const bytes = (await lp.read()).subarray()
        const frame = decodeFrame(bytes)
        if (!Array.isArray(frame.vs)) break
        seen.push({ bytes: bytes.byteLength, items: frame.vs.length })
      }
      stream.abort(new Error('done'))
      return seen
    }
    const big = await frames('Test.Big', 3000)
    expect(big.reduce((n, f) => n + f.items, 0)).toBe(3000)
    // The first frame finds the size out (64 items of ~1 KB); every later one keeps under the target.
    expect(big[0]?.items).toBe(64)
    for (const f of big.slice(1)) expect(f.bytes).toBeLessThanOrEqual(48 * 1024)
    expect(Math.max(...big.slice(1).map(f => f.items))).toBeGreaterThan(40)
    const small = await frames('Test.Small', 2048)
    expect(small.map(f => f.items)).toEqual([64, 128, ...Array(7).fill(256), 64])
  }, 30_000)
})

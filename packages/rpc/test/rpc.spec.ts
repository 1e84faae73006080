import type { Libp2p } from 'libp2p'
import { loopbackNode } from '@cluster/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codecs, type Version } from '@cluster/api'
import { RpcClient, RpcError, RpcServer, listOf, none, streaming, text, unary } from '@cluster/rpc'

// A few methods shaped like the cluster's, with each policy.
const Version_ = unary('Cluster.Version', 'open', none, codecs.version)
const Echo = unary('Cluster.Echo', 'trusted', text, text)
const Secret = unary('Cluster.Secret', 'closed', none, text)
const Fail = unary('Cluster.Fail', 'open', none, text)
const Count = streaming('Cluster.Count', 'open', text, text)
const Slow = unary('Cluster.Slow', 'open', none, text)
const Names = unary('Cluster.Names', 'open', listOf(text), listOf(text))

describe('RPC between two libp2p peers', () => {
  let a: Libp2p, b: Libp2p
  let client: RpcClient
  let bId: string
  let slowAborted = false

  beforeAll(async () => {
    [a, b] = await Promise.all([loopbackNode(), loopbackNode()])
    bId = b.peerId.toString()
    await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })
    const serverB = new RpcServer({ self: bId, isTrusted: peer => peer === a.peerId.toString() })
    serverB
      .implement(Version_, async (): Promise<Version> => ({ version: '1.1.6' }))
      .implement(Echo, async (s, ctx) => `${s} from ${ctx.caller === a.peerId.toString() ? 'a' : '?'} (local: ${String(ctx.local)})`)
      .implement(Secret, async () => 'classified')
      .implement(Fail, async () => { throw new Error('pin is not part of the pinset') })
      .implement(Count, async function * (upTo) { for (let i = 1; i <= Number(upTo); i++) yield String(i) })
      .implement(Slow, async (_arg, ctx) => await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => { resolve('late') }, 30_000)
        ctx.signal.addEventListener('abort', () => { clearTimeout(t); slowAborted = true; reject(new Error('aborted')) })
      }))
      .implement(Names, async names => names.map(n => n.toUpperCase()))
    await serverB.listen(b)
    const serverA = new RpcServer({ self: a.peerId.toString() })
    serverA.implement(Secret, async () => 'local secret')
    await serverA.listen(a)
    client = new RpcClient(a, serverA)
  })

  afterAll(async () => { await Promise.all([a?.stop(), b?.stop()]) })

  it('answers unary calls with wire types', async () => {
    expect(await client.call(bId, Version_, undefined)).toEqual({ version: '1.1.6' })
    expect(await client.call(bId, Names, ['x', 'y'])).toEqual(['X', 'Y'])
  })

  it('passes the authenticated caller to trusted methods', async () => {
    expect(await client.call(bId, Echo, 'hi')).toBe('hi from a (local: false)')
  })

  it('refuses closed methods to remote callers with Go\'s authorization text, but not locally', async () => {
    const err = await client.call(bId, Secret, undefined).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RpcError)
    expect(err).toMatchObject({ type: 'authorization', message: 'client does not have permissions to call Cluster.Secret' })
    expect(await client.call(a.peerId.toString(), Secret, undefined)).toBe('local secret')
  })

  it('closes a method named in `closed` to every remote caller, trusted or not, but not locally', () => {
    const server = new RpcServer({ self: 'me', isTrusted: () => true, closed: new Set(['Cluster.Echo']) })
    expect(() => { server.checkPolicy('trusted', 'Cluster.Echo', 'a-trusted-peer') }).toThrow('client does not have permissions to call Cluster.Echo')
    expect(() => { server.checkPolicy('open', 'Cluster.Echo', 'a-trusted-peer') }).toThrow(RpcError)
    expect(() => { server.checkPolicy('trusted', 'Cluster.Version', 'a-trusted-peer') }).not.toThrow()
    server.implement(Echo, async (s, ctx) => `${s} (local: ${String(ctx.local)})`)
    return expect(server.dispatchLocal('Cluster.Echo', 'hi', new AbortController().signal)).resolves.toBe('hi (local: true)')
  })

  it('carries the handler\'s error message as a server error', async () => {
    await expect(client.call(bId, Fail, undefined)).rejects.toMatchObject({ type: 'server', message: 'pin is not part of the pinset' })
  })

  it('streams results in order', async () => {
    const got: string[] = []
    for await (const n of client.stream(bId, Count, '500')) got.push(n)
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => String(i + 1)))
  })

  it('reports unknown methods and bad arguments as client errors', async () => {
    const Unknown = unary('Cluster.Nope', 'open', none, text)
    await expect(client.call(bId, Unknown, undefined)).rejects.toMatchObject({ type: 'client' })
    const Wrong = unary('Cluster.Names', 'open', text, text)
    await expect(client.call(bId, Wrong, 'not a list')).rejects.toMatchObject({ type: 'client' })
  })

  it('times out, and the remote handler sees the abort', async () => {
    await expect(client.call(bId, Slow, undefined, { timeoutMs: 300 })).rejects.toMatchObject({ type: 'transport' })
    const deadline = Date.now() + 10_000
    while (!slowAborted && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    expect(slowAborted).toBe(true)
  })

  it('fans out to several peers and keeps each answer or error', async () => {
    const ghost = '12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM'
    const results = await client.callMany([bId, ghost], Version_, undefined, { timeoutMs: 3_000 })
    expect(results.get(bId)).toEqual({ version: '1.1.6' })
    expect(results.get(ghost)).toMatchObject({ type: 'transport' })
  })
})

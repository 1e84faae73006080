// Go's RPC wire between libp2p peers: a GoRpcServer answering with an RpcServer's handlers, and
// callGo / RpcClient's alternate wire calling it. The Go side itself is exercised by the mixed
// Go/TypeScript cluster tests (apps/service/test/crdt-go-interop.spec.ts).
import type { Libp2p } from 'libp2p'
import { identify } from '@libp2p/identify'
import { loopbackNode, until } from '@cluster/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Timestamp, codecs, parseCid, type Id, type PinInfo } from '@cluster/api'
import { RpcClient, RpcError, RpcServer, json, none, streaming, text, unary } from '@cluster/rpc'
import { GO_RPC_PROTOCOL, GoRpcServer, callGo, encodeGoCall, goMethods, type GoMethod } from '../src/index.ts'

const OurId = unary('Cluster.ID', 'open', none, codecs.id)
const OurStatus = unary('PinTracker.Status', 'trusted', text, codecs.pinInfo)
const OurStatusAll = streaming('PinTracker.StatusAll', 'trusted', json((v): v is number => typeof v === 'number'), codecs.pinInfo)
const Hang = unary('Cluster.Hang', 'open', none, none)

const CID_A = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const MISSING = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'
const HangGo: GoMethod<undefined, undefined> = { name: 'Cluster.Hang', stream: false, arg: goMethods.version.arg, result: goMethods.version.arg }

describe('Go\'s RPC wire (go-libp2p-gorpc) between libp2p peers', () => {
  let caller: Libp2p, server: Libp2p, stranger: Libp2p
  let serverId: string
  let identity: Id
  const filters: number[] = []
  let hangAborted = false

  const info = (cid: string, n: number): PinInfo => ({
    cid: parseCid(cid), name: `pin ${n}`, peer: identity.id, allocations: [], origins: [], created: Timestamp.parse('2026-12-05T02:43:18Z'),
    metadata: null, peername: 'peer0', ipfsPeerId: undefined, ipfsPeerAddresses: [], status: 'pinned',
    timestamp: Timestamp.parse('2026-12-05T02:43:18.5Z'), error: '', attemptCount: n, priorityPin: false
  })
  const wait = (ms: number) => () => AbortSignal.timeout(ms)

  beforeAll(async () => {
    [caller, server, stranger] = await Promise.all([loopbackNode({ identify: identify() }), loopbackNode({ identify: identify() }), loopbackNode()])
    serverId = server.peerId.toString()
    for (const n of [caller, stranger]) await n.peerStore.merge(server.peerId, { multiaddrs: server.getMultiaddrs() })
    identity = {
      id: serverId as Id['id'], addresses: [], clusterPeers: [serverId as Id['id']], clusterPeersAddresses: [], version: '1.1.6', commit: '',
      rpcProtocolVersion: GO_RPC_PROTOCOL, error: '', ipfs: { id: undefined, addresses: [], error: '' }, peername: 'peer0'
    }
    const rpc = new RpcServer({ self: serverId, isTrusted: peer => peer === caller.peerId.toString() })
      .implement(OurId, async () => identity)
      .implement(OurStatus, async cid => {
        if (cid === MISSING) throw new Error('not found in the pinset')
        return info(cid, 1)
      })
      .implement(OurStatusAll, async function * (filter) {
        filters.push(filter)
        for (let i = 0; i < 300; i++) yield info(CID_A, i)
      })
      .implement(Hang, async (_arg, ctx) => await new Promise<undefined>((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => { hangAborted = true; reject(new Error('aborted')) })
      }))
    // Only Go's protocol is served: the peer looks like a Go peer to the others.
    await new GoRpcServer(rpc)
      .bridge(goMethods.id, OurId.name)
      .bridge(goMethods.idStream, OurId.name)
      .bridge(goMethods.trackerStatus, OurStatus.name, { arg: c => c.toString() })
      .bridge(goMethods.trackerStatusAll, OurStatusAll.name)
      .bridge(HangGo, Hang.name)
      .implement(goMethods.version, 'open', async () => '1.1.6')
      .listen(server)
  })

  afterAll(async () => {
    await Promise.all([caller?.stop(), server?.stop(), stranger?.stop()])
  })

  const first = async <R>(it: AsyncIterable<R>): Promise<R[]> => { const out: R[] = []; for await (const v of it) out.push(v); return out }

  it('a unary call: the argument goes out, the result comes back', async () => {
    expect(await first(callGo(caller, serverId, goMethods.id, [undefined], wait(5_000)))).toEqual([identity])
    const [status] = await first(callGo(caller, serverId, goMethods.trackerStatus, [parseCid(CID_A)], wait(5_000)))
    expect(status?.cid.toString()).toBe(CID_A)
    expect(status?.timestamp.unixNanos).toBe(info(CID_A, 1).timestamp.unixNanos)
    expect(await first(callGo(caller, serverId, goMethods.version, [undefined], wait(5_000)))).toEqual(['1.1.6'])
  })

  it('a streaming call: the filter is the streamed argument; every item arrives in order', async () => {
    const items = await first(callGo(caller, serverId, goMethods.trackerStatusAll, [16], wait(5_000)))
    expect(items.map(i => i.attemptCount)).toEqual([...Array(300).keys()])
    expect(filters.at(-1)).toBe(16)
    // A unary method of ours served as Go's stream (Cluster.IDStream).
    expect(await first(callGo(caller, serverId, goMethods.idStream, [], wait(5_000)))).toEqual([identity])
  })

  it('errors keep Go\'s types: the method\'s own, authorization, unknown service or method', async () => {
    const err = async (p: AsyncIterable<unknown>): Promise<RpcError> => await first(p).then(() => { throw new Error('no error') }, (e: unknown) => e as RpcError)
    const own = await err(callGo(caller, serverId, goMethods.trackerStatus, [parseCid(MISSING)], wait(5_000)))
    expect([own.type, own.message]).toEqual(['server', 'not found in the pinset'])
    const denied = await err(callGo(stranger, serverId, goMethods.trackerStatus, [parseCid(CID_A)], wait(5_000)))
    expect([denied.type, denied.message]).toEqual(['authorization', 'client does not have permissions to call PinTracker.Status'])
    const noService = await err(callGo(caller, serverId, { ...goMethods.id, name: 'Nothing.ID' }, [undefined], wait(5_000)))
    expect([noService.type, noService.message]).toEqual(['server', 'rpc: can\'t find service Nothing'])
    const noMethod = await err(callGo(caller, serverId, { ...goMethods.id, name: 'Cluster.Nothing' }, [undefined], wait(5_000)))
    expect([noMethod.type, noMethod.message]).toEqual(['server', 'rpc: can\'t find method Nothing'])
  })

  it('a caller that stops waiting: its call fails as transport, the handler is aborted', async () => {
    const e = await first(callGo(caller, serverId, HangGo, [undefined], wait(500))).catch((err: unknown) => err as RpcError)
    expect(e).toBeInstanceOf(RpcError)
    expect((e as RpcError).type).toBe('transport')
    await until(async () => hangAborted ? true : undefined, 'the handler aborted', 5_000)
  })

  it('garbage on the protocol gets an error answer or a closed stream, and the peer keeps serving', async () => {
    const inputs = [
      Uint8Array.from([0xc1]), // never used in msgpack
      Uint8Array.from([0x93, 1, 2, 3]), // an array, not a service ID
      Uint8Array.from([0xdb, 0xff, 0xff, 0xff, 0xff]), // a 4 GiB string header
      encodeGoCall('PinTracker.Status', Uint8Array.from([0xa3, 1, 2, 3])), // a CID that is not one
      encodeGoCall('Cluster.ID').subarray(0, 5) // cut short
    ]
    for (const bytes of inputs) {
      const stream = await caller.dialProtocol(server.peerId, GO_RPC_PROTOCOL)
      stream.send(bytes)
      await stream.close()
      const answer: number[] = []
      for await (const chunk of stream) answer.push(...chunk.subarray())
      // Either nothing (the stream closed) or a header carrying an error.
      if (answer.length > 0) expect(Buffer.from(answer).toString('latin1')).toContain('Error')
    }
    expect(await first(callGo(caller, serverId, goMethods.id, [undefined], wait(5_000)))).toEqual([identity])
  })

  it('RpcClient reaches a peer that speaks only Go\'s protocol through its alternate wire', async () => {
    await caller.dial(server.peerId)
    await until(async () => (await caller.peerStore.get(server.peerId)).protocols.includes(GO_RPC_PROTOCOL) ? true : undefined, 'identify', 5_000)
    const local = new RpcServer({ self: caller.peerId.toString() })
    const viaGo = new Map<string, GoMethod<unknown, unknown>>([
      [OurId.name, goMethods.id as unknown as GoMethod<unknown, unknown>],
      [OurStatus.name, goMethods.trackerStatus as unknown as GoMethod<unknown, unknown>]
    ])
    const client = new RpcClient(caller, local, {
      alternate: {
        protocol: GO_RPC_PROTOCOL,
        call: (peer, method, arg, waitSignal) => {
          const m = viaGo.get(method)
          if (m === undefined) return undefined
          return callGo(caller, peer, m, [method === OurStatus.name ? parseCid(arg as string) : arg], waitSignal)
        }
      }
    })
    expect(await client.call(serverId, OurId, undefined)).toEqual(identity)
    expect((await client.call(serverId, OurStatus, CID_A)).cid.toString()).toBe(CID_A)
    // A peer without identify (nothing known of what the other speaks): ours is refused, then Go's is used.
    const newcomer = await loopbackNode()
    try {
      await newcomer.peerStore.merge(server.peerId, { multiaddrs: server.getMultiaddrs() })
      const blind = new RpcClient(newcomer, new RpcServer({ self: newcomer.peerId.toString() }), {
        alternate: { protocol: GO_RPC_PROTOCOL, call: (peer, _method, _arg, waitSignal) => callGo(newcomer, peer, goMethods.id, [undefined], waitSignal) }
      })
      expect((await newcomer.peerStore.get(server.peerId)).protocols).toEqual([])
      expect(await blind.call(serverId, OurId, undefined)).toEqual(identity)
    } finally {
      await newcomer.stop()
    }
    const Other = unary('Cluster.Other', 'open', none, none)
    await expect(client.call(serverId, Other, undefined)).rejects.toThrow(`Cluster.Other: ${serverId} speaks ${GO_RPC_PROTOCOL}, which has no such method`)
  })
})

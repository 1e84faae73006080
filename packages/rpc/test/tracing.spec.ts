// Tracing across peer RPC: the caller's span travels as a W3C traceparent in the request
// frame, so the server's span (and what its handler does) joins the caller's trace; the
// client's observer sees every remote call with its outcome.
import type { Libp2p } from 'libp2p'
import { OtlpReceiver, loopbackNode, until } from '@cluster/test-utils'
import { inSpan, startTracing, type RunningTracing } from '@cluster/observability'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RpcClient, RpcServer, text, unary, streaming, type RpcCallSample } from '@cluster/rpc'

const Echo = unary('Cluster.Echo', 'open', text, text)
const Fail = unary('Cluster.Fail', 'open', text, text)
const Count = streaming('Cluster.Count', 'open', text, text)

describe('RPC tracing and call metrics', () => {
  let a: Libp2p, b: Libp2p
  let client: RpcClient
  let bId: string
  let tracing: RunningTracing
  const receiver = new OtlpReceiver()
  const samples: RpcCallSample[] = []

  beforeAll(async () => {
    tracing = await startTracing({ serviceName: 'rpc-test', samplingProb: 1, otlpEndpoint: await receiver.start(), exportDelayMs: 50 })
    ;[a, b] = await Promise.all([loopbackNode(), loopbackNode()])
    bId = b.peerId.toString()
    await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })
    const serverB = new RpcServer({ self: bId })
      .implement(Echo, async s => await inSpan('handler work', {}, async () => s))
      .implement(Fail, async () => { throw new Error('nope') })
      .implement(Count, async function * (n) { for (let i = 0; i < Number(n); i++) yield String(i) })
    await serverB.listen(b)
    const serverA = new RpcServer({ self: a.peerId.toString() })
    await serverA.listen(a)
    client = new RpcClient(a, serverA, { onCall: s => { samples.push(s) } })
  })

  afterAll(async () => {
    await tracing?.stop()
    await Promise.all([a?.stop(), b?.stop(), receiver.stop()])
  })

  it('links the server span and its work to the caller span', async () => {
    expect(await inSpan('caller', {}, async () => await client.call(bId, Echo, 'hi'))).toBe('hi')
    await tracing.flush()
    await until(() => receiver.named('handler work').length === 1 ? true : undefined, 'the handler span', 10_000, 50)
    const caller = receiver.named('caller')[0]
    const clientSpan = receiver.named('rpc.client Cluster.Echo')[0]
    const serverSpan = receiver.named('rpc.server Cluster.Echo')[0]
    const work = receiver.named('handler work')[0]
    expect(caller).toBeDefined()
    expect(clientSpan).toMatchObject({ traceId: caller?.traceId, parentSpanId: caller?.spanId, kind: 3 })
    expect(serverSpan).toMatchObject({ traceId: caller?.traceId, parentSpanId: clientSpan?.spanId, kind: 2 })
    expect(serverSpan?.attributes['rpc.method']).toBe('Cluster.Echo')
    expect(work).toMatchObject({ traceId: caller?.traceId, parentSpanId: serverSpan?.spanId })
  })

  it('reports each remote call with its outcome, streams included', async () => {
    samples.length = 0
    await expect(client.call(bId, Fail, 'x')).rejects.toThrow('nope')
    const items: string[] = []
    for await (const i of client.stream(bId, Count, '3')) items.push(i)
    expect(items).toEqual(['0', '1', '2'])
    // Calls to this peer are not peer RPC: not observed.
    await client.call(a.peerId.toString(), Echo, 'x').catch(() => {})
    expect(samples.map(s => [s.method, s.outcome])).toEqual([['Cluster.Fail', 'server'], ['Cluster.Count', 'ok']])
    expect(samples.every(s => s.seconds >= 0 && s.seconds < 30)).toBe(true)
    await tracing.flush()
    await until(() => receiver.named('rpc.client Cluster.Fail').length === 1 ? true : undefined, 'the failed call span', 10_000, 50)
    expect(receiver.named('rpc.client Cluster.Fail')[0]?.status).toBe(2)
  })
})

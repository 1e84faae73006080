import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Libp2p } from 'libp2p'
import { loopbackNode } from '@cluster/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { METRICS_TOPIC, PubsubMonitor, type MetricCodec, type MonitoredMetric } from '@cluster/monitor'

interface TestMetric extends MonitoredMetric { value: string }

// The service wires the Go JSON codec of @cluster/api here; any codec will do for the monitor.
const codec: MetricCodec<TestMetric> = {
  encode: m => new TextEncoder().encode(JSON.stringify({ ...m, expire: String(m.expire), receivedAt: '0' })),
  decode: bytes => {
    const raw = JSON.parse(new TextDecoder().decode(bytes))
    return { ...raw, expire: BigInt(raw.expire), receivedAt: 0n }
  }
}

type Node = Libp2p<{ pubsub: GossipSub, identify: unknown }>

async function startNode (): Promise<Node> {
  return await loopbackNode({ identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) })
}

async function until (condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

describe('PubsubMonitor over two real libp2p nodes', () => {
  let a: Node, b: Node
  let monA: PubsubMonitor<TestMetric>, monB: PubsubMonitor<TestMetric>
  const drops: string[] = []
  // Real time plus a skew the tests move forward, so TTLs are never waited out for real.
  let skew = 0n
  const now = (): bigint => BigInt(Date.now()) * 1_000_000n + skew

  beforeAll(async () => {
    [a, b] = await Promise.all([startNode(), startNode()])
    const peerset = (): Set<string> => new Set([a.peerId.toString(), b.peerId.toString()])
    monA = new PubsubMonitor({ pubsub: a.services.pubsub, codec, peerset, clock: { now }, onDrop: r => drops.push(r) })
    monB = new PubsubMonitor({ pubsub: b.services.pubsub, codec, peerset, clock: { now }, onDrop: r => drops.push(r) })
    monA.start()
    monB.start()
    await a.dial(b.getMultiaddrs()[0] ?? '')
    await until(() => a.services.pubsub.getSubscribers(METRICS_TOPIC).length === 1 &&
      b.services.pubsub.getSubscribers(METRICS_TOPIC).length === 1, 'topic subscriptions')
  })

  afterAll(async () => {
    monA?.stop()
    monB?.stop()
    await Promise.all([a?.stop(), b?.stop()])
  })

  it('delivers a published metric to the other peer and stores it on the publisher too', async () => {
    const metric: TestMetric = { name: 'freespace', peer: a.peerId.toString(), value: '52044009472', valid: true, expire: now() + 30_000_000_000n, receivedAt: 0n }
    await monA.publish(metric)
    await until(() => monB.latest('freespace').length === 1, 'the metric to reach peer B')
    expect(monB.latest('freespace')[0]).toMatchObject({ peer: a.peerId.toString(), value: '52044009472', expire: metric.expire })
    expect(monA.latest('freespace').map(m => m.value)).toEqual(['52044009472'])
  })

  it('drops a metric that a peer publishes in the name of another peer', async () => {
    const forged: TestMetric = { name: 'ping', peer: a.peerId.toString(), value: '', valid: true, expire: now() + 30_000_000_000n, receivedAt: 0n }
    await monB.publish(forged)
    await until(() => drops.length > 0, 'the forged metric to be dropped')
    expect(drops[0]).toContain(`published by ${b.peerId.toString()}`)
    expect(monA.store.latestForPeer('ping', a.peerId.toString())).toBeUndefined()
  })

  it('alerts when the other peer\'s ping expires', async () => {
    const ping: TestMetric = { name: 'ping', peer: b.peerId.toString(), value: '', valid: true, expire: now() + 200_000_000n, receivedAt: 0n }
    await monB.publish(ping)
    await until(() => monA.store.latestForPeer('ping', b.peerId.toString()) !== undefined, 'the ping to reach peer A')
    skew += 1_000_000_000n
    const alerts = monA.check()
    expect(alerts.map(x => [x.metric.name, x.metric.peer])).toEqual([['ping', b.peerId.toString()]])
    expect(monA.check()).toEqual([])
  })
})

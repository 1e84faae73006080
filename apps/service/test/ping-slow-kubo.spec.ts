/**
 * A slow Kubo does not make its peer look gone. Each peer connects its Kubo to the Kubos of the
 * peers it learns of (Go's ConnectSwarms); when those `swarm/connect` calls take long, the peer's
 * ping must still go out on time — else, in CRDT mode, it drops out of the others' peersets (and
 * with repinning on, its pins are allocated elsewhere). Real daemons; the IPFS APIs are
 * stand-ins (bench/lib/fake-kubo.ts) whose `swarm/connect` can be made slow.
 */
import { describe, expect, it } from 'vitest'
import { until } from '@cluster/test-utils'
import { FakeKubo } from '../../../bench/lib/fake-kubo.ts'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'

const SLOW_CONNECT_MS = 10_000

/** Peers whose ping `peer` holds as valid now. */
async function pingingPeers (peer: LocalPeer): Promise<string[]> {
  const metrics = await (await fetch(`${peer.restUrl}/monitor/metrics/ping`)).json() as Array<{ peer: string, expire: number }>
  const now = Date.now() * 1e6
  return metrics.filter(m => m.expire > now).map(m => m.peer).sort()
}

function quickPings (c: Record<string, any>): void {
  c.cluster.monitor_ping_interval = '2s'
  c.monitor.pubsubmon.check_interval = '1s'
  c.consensus.crdt.trusted_peers = ['*']
}

describe('a peer whose Kubo is slow to connect to the other Kubos', () => {
  const kubos: FakeKubo[] = []
  const f = localClusterFixture('ping-slow-kubo-', {
    consensus: 'crdt',
    peers: 3,
    metrics: ['ping'],
    ipfsFor: async () => { const k = new FakeKubo(); await k.start(); kubos.push(k); return k },
    configure: quickPings
  })

  it(`keeps publishing its ping while its swarm/connect calls take ${SLOW_CONNECT_MS / 1000} s`, async () => {
    // From now on the first three Kubos take 10 s per swarm/connect; a fourth peer joins, so each
    // of the first three connects its Kubo to the newcomer's as soon as it hears its ping.
    const first = f.cluster.peers.slice(0, 3)
    const ids = first.map(p => p.id).sort()
    for (const k of kubos) k.delays.set('swarm/connect', SLOW_CONNECT_MS)
    const connectsBefore = kubos.map(k => k.calls.get('swarm/connect') ?? 0)

    // Throughout (ping interval 2 s, so a ping is valid 4 s) the first peers keep seeing each other.
    let sampling = true
    const missing: string[] = []
    let samples = 0
    const sampler = (async () => {
      while (sampling) {
        const seen = await pingingPeers(first[1] as LocalPeer)
        for (const id of ids) if (!seen.includes(id)) missing.push(`${id} at sample ${samples}`)
        samples++
        await new Promise(resolve => setTimeout(resolve, 200))
      }
    })()
    try {
      const newcomer = await f.cluster.addPeer(quickPings)
      await until(() => kubos.slice(0, 3).every((k, i) => (k.calls.get('swarm/connect') ?? 0) > (connectsBefore[i] ?? 0)) ? true : undefined,
        'the first three peers to connect their Kubos to the newcomer\'s', 30_000, 50)
      // Within the slow calls.
      await new Promise(resolve => setTimeout(resolve, SLOW_CONNECT_MS - 2_000))
      expect(await pingingPeers(newcomer)).toEqual([...ids, newcomer.id].sort())
    } finally {
      sampling = false
      await sampler
    }
    expect(samples).toBeGreaterThan(10)
    expect(missing).toEqual([])
  }, 120_000)
})

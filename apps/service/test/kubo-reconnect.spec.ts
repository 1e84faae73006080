/**
 * A Kubo that lost its connections to the other peers' Kubos (restarted, paused for a while, cut
 * off) is connected to them again by its cluster peer. These Kubos have no routing (as in a
 * private network), so a Kubo left alone cannot fetch what the others hold: its pins stalled until
 * pin_timeout and failed again at every retry. Real daemons and real Kubos; the loss of the
 * connections is made with `swarm/disconnect`, as a paused Kubo (SIGSTOP ~20 s) ends up.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { until, type KuboDaemon } from '@cluster/test-utils'
import { localClusterFixture } from './helpers/local-cluster.ts'

async function swarmPeers (kubo: KuboDaemon): Promise<string[]> {
  const { Peers } = await kubo.rpc<{ Peers: Array<{ Peer: string, Addr: string }> | null }>('swarm/peers')
  return (Peers ?? []).map(p => p.Peer)
}

describe('a Kubo that lost its connections to the other Kubos', () => {
  const f = localClusterFixture('kubo-reconnect-', {
    consensus: 'crdt',
    peers: 3,
    metrics: ['ping', 'freespace'],
    configure: c => {
      c.cluster.monitor_ping_interval = '1s'
      c.monitor.pubsubmon.check_interval = '1s'
    }
  })

  it('is connected again within a ping interval or two, and pins what only another Kubo holds', async () => {
    const [p0, p1] = f.cluster.peers
    const k0 = p0?.kubo as KuboDaemon
    const k1 = p1?.kubo as KuboDaemon
    await until(async () => (await swarmPeers(k1)).includes(k0.peerId) ? true : undefined, 'the Kubos connected at start', 30_000, 200)
    // A few ping intervals: every peer has heard of the others and made its first connecting pass.
    await new Promise(resolve => setTimeout(resolve, 3_000))

    for (const { Peer, Addr } of (await k1.rpc<{ Peers: Array<{ Peer: string, Addr: string }> | null }>('swarm/peers')).Peers ?? []) {
      await k1.rpc('swarm/disconnect', { arg: `${Addr}/p2p/${Peer}` }).catch(() => {})
    }
    expect(await swarmPeers(k1)).not.toContain(k0.peerId)

    await until(async () => (await swarmPeers(k1)).includes(k0.peerId) ? true : undefined, 'peer 1 to connect its Kubo to Kubo 0 again', 15_000, 200)

    // A block only Kubo 0 holds, pinned on every peer.
    const form = new FormData()
    form.append('file', new Blob([randomBytes(4096)]))
    const { Key: cid } = await k0.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)
    const res = await fetch(`${p0?.restUrl}/pins/${cid}?replication-min=-1&replication-max=-1&name=reconnected`, { method: 'POST' })
    expect(res.status).toBe(200)
    await until(async () => {
      const status = await (await fetch(`${p0?.restUrl}/pins/${cid}`)).json() as { peer_map: Record<string, { status: string }> }
      return Object.values(status.peer_map).length === 3 && Object.values(status.peer_map).every(s => s.status === 'pinned') ? true : undefined
    }, 'the block pinned on every peer', 30_000, 250)
  }, 120_000)
})

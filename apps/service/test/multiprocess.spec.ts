import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UNSYNCED_MARKER } from '@cluster/consensus'
import { until } from '@cluster/test-utils'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture, waitForMetrics } from './helpers/local-cluster.ts'

interface PinJson { allocations: string[] }
interface StatusJson { peer_map: Record<string, { status: string }> }


async function getJson<T> (url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return await res.json() as T
}

async function putBlock (peer: LocalPeer, text: string): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([text]))
  return (await peer.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
}

describe('a cluster of 3 daemon processes with a Kubo each', () => {
  const fx = localClusterFixture('multiprocess-', {
    peers: 3,
    configure: (c) => {
      c.cluster.replication_factor_min = 2
      c.cluster.replication_factor_max = 2
      c.cluster.disable_repinning = false
      c.cluster.monitor_ping_interval = '1s'
      c.monitor.pubsubmon.check_interval = '1s'
      for (const informer of ['disk', 'tags', 'pinqueue']) c.informer[informer].metric_ttl = '5s'
    }
  })

  it('re-allocates the pins of a peer killed with SIGKILL, and the peer restarts with its state', async () => {
    const [p0] = fx.cluster.peers as [LocalPeer]
    // Wait until every peer's metrics are known, so allocation sees three candidates.
    await waitForMetrics(fx.cluster, ['freespace', 'tag:group'])

    const cid = await putBlock(p0, `survives a crash ${Date.now()}`)
    const pin = await getJson<PinJson>(`${p0.restUrl}/pins/${cid}`, { method: 'POST' })
    expect(pin.allocations).toHaveLength(2)
    // Kill an allocated peer other than the one we talk to.
    const target = fx.cluster.peers.find(p => p !== p0 && pin.allocations.includes(p.id)) as LocalPeer
    await fx.cluster.kill(target.index)

    const moved = await until(async () => {
      const now = await getJson<PinJson>(`${p0.restUrl}/allocations/${cid}`)
      return now.allocations.length === 2 && !now.allocations.includes(target.id) ? now : undefined
    }, 'the pin to leave the dead peer')
    await until(async () => {
      const s = await getJson<StatusJson>(`${p0.restUrl}/pins/${cid}`)
      return moved.allocations.every(id => s.peer_map[id]?.status === 'pinned') ? true : undefined
    }, 'the new allocations to pin it')

    // The killed peer comes back with the pinset intact (and catches up).
    await fx.cluster.startPeer(target.index)
    await fx.cluster.waitReady([target])
    const back = await until(async () => {
      const p = await getJson<PinJson>(`${target.restUrl}/allocations/${cid}`)
      return p.allocations.join() === moved.allocations.join() ? p : undefined
    }, 'the restarted peer to know the new allocations')
    expect(back.allocations).toEqual(moved.allocations)
  }, 180_000)

  it('lets a peer that has just restarted allocate on every member, and answers 503 when the cluster has too few', async () => {
    const target = fx.cluster.peers[1] as LocalPeer
    await fx.cluster.kill(target.index)
    await fx.cluster.startPeer(target.index)
    await fx.cluster.waitReady([target])
    // Right after its start the peer knows only its own metrics; it waits for the others'.
    const cid = await putBlock(target, `right after a restart ${Date.now()}`)
    const pin = await getJson<PinJson>(`${target.restUrl}/pins/${cid}?replication=3`, { method: 'POST' })
    expect(pin.allocations).toHaveLength(3)

    const other = await putBlock(target, `four replicas of three peers ${Date.now()}`)
    const res = await fetch(`${target.restUrl}/pins/${other}?replication-min=4&replication-max=4`, { method: 'POST' })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    expect((await res.json() as { message: string }).message).toBe('not enough peers to allocate CID. Needed at least: 4. Wanted at most: 4. Available candidates: 3. See logs for more info.')

    // A batch (an extension beyond Go's API) sent right after a restart waits the same way.
    await fx.cluster.kill(target.index)
    await fx.cluster.startPeer(target.index)
    await fx.cluster.waitReady([target])
    const batch = [await putBlock(target, `batch after a restart ${Date.now()}`), await putBlock(target, `batch after a restart, 2 ${Date.now()}`)]
    const answer = await fetch(`${target.restUrl}/pins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch.map(cid => ({ cid, 'replication-min': 3, 'replication-max': 3 }))) })
    expect(answer.status).toBe(200)
    const results = (await answer.text()).trim().split('\n').map(l => JSON.parse(l) as { error?: unknown })
    expect(results.map(r => r.error)).toEqual([undefined, undefined])
    for (const cid of batch) expect((await getJson<PinJson>(`${target.restUrl}/allocations/${cid}`)).allocations).toHaveLength(3)
  }, 120_000)

  it('elects a new leader when the leader is killed, and keeps accepting pins', async () => {
    // Each daemon logs `raft leader: <id>` when it learns of a leader; the latest line is current.
    const leaderId = await until(async () => {
      const seen = fx.cluster.peers.map(p => /raft leader: (\S+)\n(?![\s\S]*raft leader:)/.exec(readFileSync(join(p.folder, 'daemon.log'), 'utf8'))?.[1])
      return seen.every(id => id !== undefined && id !== 'none' && id === seen[0]) ? seen[0] : undefined
    }, 'every peer to agree on a leader')
    const leaderIndex = fx.cluster.peers.findIndex(p => p.id === leaderId)
    expect(leaderIndex).toBeGreaterThanOrEqual(0)
    await fx.cluster.kill(leaderIndex)
    const alive = fx.cluster.peers.filter(p => p.index !== leaderIndex)
    // The survivors stay connected and elect a leader within about a second, while the dead
    // peer's metrics live 5 s: until they expire, allocation may still pick it (as Go's does).
    // Wait for exactly the survivors: a peer restarted by the test above may not have heard the
    // other survivor yet, and a count of two would then be itself plus the dead leader.
    const survivors = alive.map(p => p.id).sort().join()
    for (const name of ['freespace', 'tag:group']) {
      await until(async () => (await getJson<Array<{ peer: string }>>(`${alive[0]!.restUrl}/monitor/metrics/${name}`)).map(m => m.peer).sort().join() === survivors ? true : undefined, `the dead leader's ${name} to expire`)
    }
    const cid = await putBlock(alive[0]!, `after leader loss ${Date.now()}`)
    const pin = await until(async () => await getJson<PinJson>(`${alive[0]!.restUrl}/pins/${cid}?replication=2`, { method: 'POST' }), 'a pin after the leader died')
    expect(pin.allocations.every(id => id !== fx.cluster.peers[leaderIndex]!.id)).toBe(true)
    await fx.cluster.startPeer(leaderIndex)
    await fx.cluster.waitReady(fx.cluster.peers)
  }, 180_000)

  it('stops cleanly on SIGTERM, syncs each pinset, and rewrites each peerstore with the other peers', async () => {
    // While a peer runs, its pinset skips fsync and the marker holds the machine's boot ID.
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    for (const p of fx.cluster.peers) expect(readFileSync(join(p.folder, 'raft', UNSYNCED_MARKER), 'utf8').trim()).toBe(bootId)
    await fx.cluster.stop()
    for (const p of fx.cluster.peers) {
      expect(p.daemon?.exitCode).toBe(0)
      expect(existsSync(join(p.folder, 'raft', UNSYNCED_MARKER))).toBe(false)
      const lines = readFileSync(join(p.folder, 'peerstore'), 'utf8').trim().split('\n')
      const ids = new Set(lines.map(l => l.split('/p2p/').pop()))
      expect([...ids].sort()).toEqual(fx.cluster.peers.filter(q => q !== p).map(q => q.id).sort())
    }
  }, 60_000)
})

// A CRDT cluster of TypeScript peers: real daemons, a real Kubo each, driven with Go's ctl and
// curl-like requests. Peers 0–2 trust only each other (trusted_peers), as a collaborative
// cluster's writers do; peers added later are an untrusted writer and a follower.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runGoCtl, until } from '@cluster/test-utils'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'

async function blockOn (peer: LocalPeer, text: string): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([`${text} ${Date.now()} ${Math.random()}`]))
  return (await peer.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
}

async function allocated (peer: LocalPeer, cid: string): Promise<boolean> {
  return (await fetch(`${peer.restUrl}/allocations/${cid}`)).status === 200
}

async function allocationCids (peer: LocalPeer): Promise<string[]> {
  const text = await (await fetch(`${peer.restUrl}/allocations`)).text()
  return text.split('\n').filter(l => l !== '').map(l => (JSON.parse(l) as { cid: string }).cid).sort()
}

/** The end of each peer's daemon log, for a failure message. */
function survivorLogs (peers: readonly LocalPeer[]): string {
  return peers.map(p => `--- peer${p.index}:\n${readFileSync(join(p.folder, 'daemon.log'), 'utf8').split('\n').slice(-30).join('\n')}`).join('\n')
}

async function statuses (peer: LocalPeer, cid: string): Promise<Record<string, string>> {
  const info = await (await fetch(`${peer.restUrl}/pins/${cid}`)).json() as { peer_map: Record<string, { status: string }> }
  return Object.fromEntries(Object.entries(info.peer_map).map(([id, s]) => [id, s.status]))
}

describe('CRDT consensus: TypeScript peers, real daemons and Kubos', () => {
  const f = localClusterFixture('crdt-cluster-', {
    consensus: 'crdt',
    metrics: ['ping'],
    configure: (c, _i, ids) => {
      c.cluster.monitor_ping_interval = '1s'
      c.cluster.disable_repinning = false
      c.monitor.pubsubmon.check_interval = '1s'
      for (const informer of ['disk', 'tags', 'pinqueue']) c.informer[informer].metric_ttl = '10s'
      c.consensus.crdt.rebroadcast_interval = '2s'
      c.consensus.crdt.trusted_peers = ids
    }
  })
  const ctl = async (peer: LocalPeer, ...args: string[]) => await runGoCtl(['--host', peer.restApi, ...args])

  it('a pin made through one peer (Go ctl) is on every peer and pinned by every Kubo; an unpin through another goes everywhere', async () => {
    const [p0, p1, p2] = f.cluster.peers as [LocalPeer, LocalPeer, LocalPeer]
    const cid = await blockOn(p0, 'crdt pin')
    const added = await ctl(p1, 'pin', 'add', '--name', 'through-peer1', cid)
    expect(added.code).toBe(0)
    for (const p of [p0, p1, p2]) await until(async () => await allocated(p, cid) ? true : undefined, `the pin on peer${p.index}`, 20_000)
    await until(async () => Object.values(await statuses(p2, cid)).every(s => s === 'pinned') ? true : undefined, 'pinned on every peer', 60_000)
    expect(Object.keys(await statuses(p2, cid))).toHaveLength(3)
    const ls = await ctl(p2, 'pin', 'ls', cid)
    expect(ls.stdout).toContain('through-peer1')

    const rm = await fetch(`${p2.restUrl}/pins/${cid}`, { method: 'DELETE' })
    expect(rm.status).toBe(200)
    for (const p of [p0, p1, p2]) await until(async () => !(await allocated(p, cid)) ? true : undefined, `the unpin on peer${p.index}`, 20_000)
    await until(async () => (await p0.kubo!.rpc<{ Keys?: Record<string, unknown> }>('pin/ls', { arg: cid, type: 'recursive' }).catch(() => ({ Keys: {} }))).Keys?.[cid] === undefined ? true : undefined, 'unpinned in Kubo 0', 30_000)
  }, 150_000)

  it('peers ls lists the peers heard from; peers rm fails as in Go; there is no leader', async () => {
    const p0 = f.p0
    const listed = await (await fetch(`${p0.restUrl}/peers`)).text()
    const ids = listed.split('\n').filter(l => l !== '').map(l => (JSON.parse(l) as { id: string }).id).sort()
    expect(ids).toEqual(f.cluster.peers.map(p => p.id).sort())
    const peers = await ctl(p0, 'peers', 'ls')
    for (const p of f.cluster.peers) expect(peers.stdout).toContain(`${p.id} | peer${p.index} |`)
    const rm = await ctl(p0, 'peers', 'rm', f.cluster.peers[2]!.id)
    expect(rm.code).not.toBe(0)
    expect(rm.stdout + rm.stderr).toContain('crdt consensus component cannot remove peers')
  }, 60_000)

  it('a peer that was down catches up with the pins and unpins made meanwhile', async () => {
    const [p0, p1, p2] = f.cluster.peers as [LocalPeer, LocalPeer, LocalPeer]
    const before = await blockOn(p0, 'before the outage')
    expect((await fetch(`${p0.restUrl}/pins/${before}`, { method: 'POST' })).status).toBe(200)
    await until(async () => await allocated(p2, before) ? true : undefined, 'peer2 has the first pin', 20_000)
    await f.cluster.kill(2)
    const meanwhile: string[] = []
    for (let i = 0; i < 5; i++) {
      const cid = await blockOn(p0, `meanwhile ${i}`)
      expect((await fetch(`${(i % 2 === 0 ? p0 : p1).restUrl}/pins/${cid}?name=meanwhile-${i}`, { method: 'POST' })).status).toBe(200)
      meanwhile.push(cid)
    }
    expect((await fetch(`${p1.restUrl}/pins/${before}`, { method: 'DELETE' })).status).toBe(200)
    await f.cluster.startPeer(2)
    await until(async () => { const cids = await allocationCids(p0); return meanwhile.every(c => cids.includes(c)) && !cids.includes(before) ? true : undefined }, 'peer0 has every write', 20_000)
    const expected = await allocationCids(p0)
    expect(expected).toEqual(expect.arrayContaining(meanwhile))
    expect(expected).not.toContain(before)
    await until(async () => JSON.stringify(await allocationCids(p2)) === JSON.stringify(expected) ? true : undefined, 'peer2 has the same pinset again', 60_000)
  }, 150_000)

  it('a pin acknowledged just before its peer is killed (kill -9) survives and reaches the others', async () => {
    const [p0, p1] = f.cluster.peers as [LocalPeer, LocalPeer]
    const cid = await blockOn(p1, 'acked then killed')
    const res = await fetch(`${p1.restUrl}/pins/${cid}?name=acked`, { method: 'POST' })
    expect(res.status).toBe(200)
    await f.cluster.kill(1)
    await f.cluster.startPeer(1)
    await until(async () => { try { return await allocated(p1, cid) ? true : undefined } catch { return undefined } }, 'the pin on the restarted peer', 60_000)
    await until(async () => await allocated(p0, cid) ? true : undefined, 'the pin on peer0', 60_000)
  }, 150_000)

  it('the pins of a peer that dies move to the others (its ping expires: it leaves the peerset)', async () => {
    const [p0] = f.cluster.peers as [LocalPeer]
    await until(async () => (await (await fetch(`${p0.restUrl}/monitor/metrics/freespace`)).json() as unknown[]).length === 3 ? true : undefined, 'freespace of every peer')
    const cid = await blockOn(p0, 'moves when its peer dies')
    const pin = await (await fetch(`${p0.restUrl}/pins/${cid}?replication=2`, { method: 'POST' })).json() as { allocations: string[] }
    expect(pin.allocations).toHaveLength(2)
    const target = f.cluster.peers.find(p => p !== p0 && pin.allocations.includes(p.id))!
    await f.cluster.kill(target.index)
    const moved = await until(async () => {
      const now = await (await fetch(`${p0.restUrl}/allocations/${cid}`)).json() as { allocations: string[] }
      return now.allocations.length === 2 && !now.allocations.includes(target.id) ? now : undefined
    }, 'the pin to leave the dead peer', 120_000).catch((err: Error) => { throw new Error(`${err.message}\n${survivorLogs(f.cluster.peers.filter(p => p !== target))}`) })
    await until(async () => { const s = await statuses(p0, cid); return moved.allocations.every(id => s[id] === 'pinned') ? true : undefined }, 'pinned on its new allocations', 60_000)
    const peers = await (await fetch(`${p0.restUrl}/id`)).json() as { cluster_peers: string[] }
    expect(peers.cluster_peers).not.toContain(target.id)
    await f.cluster.startPeer(target.index)
    await until(async () => { try { const p = await (await fetch(`${target.restUrl}/allocations/${cid}`)).json() as { allocations: string[] }; return p.allocations.join() === moved.allocations.join() ? true : undefined } catch { return undefined } }, 'the restarted peer knows the new allocations', 60_000)
  }, 180_000)

  it('writes of a peer outside trusted_peers are ignored; a follower pins what it is allocated and cannot write', async () => {
    const [p0] = f.cluster.peers as [LocalPeer]
    const outsider = await f.cluster.addPeer(c => {
      c.cluster.monitor_ping_interval = '1s'
      c.consensus.crdt.rebroadcast_interval = '2s'
    })
    const follower = await f.cluster.addPeer(c => {
      c.cluster.monitor_ping_interval = '1s'
      c.cluster.follower_mode = true
      c.consensus.crdt.rebroadcast_interval = '2s'
    })
    await f.cluster.waitReady([outsider, follower].map(p => p), 90_000).catch(() => {})
    // Both hear the trusted writers: the pinset reaches them.
    const seen = await allocationCids(p0)
    await until(async () => JSON.stringify(await allocationCids(follower)) === JSON.stringify(seen) ? true : undefined, 'the follower has the pinset', 60_000)
    await until(async () => JSON.stringify(await allocationCids(outsider)) === JSON.stringify(seen) ? true : undefined, 'the outsider has the pinset', 60_000)

    // The outsider's own pin stays its own: trusted peers drop its broadcasts.
    const ignored = await blockOn(outsider, 'from an untrusted peer')
    expect((await fetch(`${outsider.restUrl}/pins/${ignored}`, { method: 'POST' })).status).toBe(200)
    expect(await allocated(outsider, ignored)).toBe(true)
    await new Promise(resolve => setTimeout(resolve, 6_000))
    expect(await allocated(p0, ignored)).toBe(false)

    // The follower cannot write, and pins what a trusted peer allocates to it.
    const refused = await fetch(`${follower.restUrl}/pins/${ignored}`, { method: 'POST' })
    expect(refused.status).toBeGreaterThanOrEqual(400)
    const cid = await blockOn(p0, 'for the follower')
    const pinned = await fetch(`${p0.restUrl}/pins/${cid}?replication=1&user-allocations=${follower.id}`, { method: 'POST' })
    expect(pinned.status).toBe(200)
    await until(async () => (await statuses(follower, cid))[follower.id] === 'pinned' ? true : undefined, 'the follower pinned its allocation', 60_000)
  }, 240_000)
})

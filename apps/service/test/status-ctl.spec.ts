// Go's ipfs-cluster-ctl `status` over a small pinset, against real daemons: the status of all
// pins (the peers' streams merged by CID) prints what `status <cid>` prints for each CID (the
// per-CID fan-out), in CID order, and filters keep working
// (as Go's: an entry lists the peers whose status matches). IPFS APIs are stand-ins
// (bench/lib/fake-kubo.ts).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { syntheticCid, until } from '@cluster/test-utils'
import { FakeKubo } from '../../../bench/lib/fake-kubo.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'

const run = promisify(execFile)
const N = 12
const cids = Array.from({ length: N }, (_, i) => syntheticCid(900_000 + i).toString())

/** The timestamps differ between two calls (remote entries are made when asked): masked. */
const masked = (text: string): string => text.replace(/\d{4}-\d\d-\d\dT[0-9:.]+Z/g, 'TIME')

/** The blocks of a `status` text output (one per CID: the header line and one line per peer). */
function blocks (text: string): string[] {
  return masked(text).trim().split(/\n(?=\S)/)
}

describe('Go ipfs-cluster-ctl status on 3 peers, small pinset', () => {
  const f = localClusterFixture('status-ctl-', {
    consensus: 'crdt',
    peers: 3,
    metrics: ['ping'],
    ipfsFor: async () => { const k = new FakeKubo(); await k.start(); return k },
    configure: c => {
      c.cluster.monitor_ping_interval = '1s'
      c.consensus.crdt.rebroadcast_interval = '2s'
    }
  })

  it('`status` prints, in CID order, exactly what `status <cid>` prints for each; filters select as before', async () => {
    const host = ['--host', f.p0.restApi]
    const body = cids.map((cid, i) => JSON.stringify({ cid, name: `small-${i}`, 'replication-min': 2, 'replication-max': 2 })).join('\n')
    expect((await fetch(`${f.p0.restUrl}/pins`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body })).status).toBe(200)
    // Every peer has every pin, and every allocated peer has pinned it.
    await until(async () => {
      const lines = (await (await fetch(`${f.p0.restUrl}/pins`)).text()).split('\n').filter(l => l !== '')
      if (lines.length !== N) return undefined
      const ok = lines.every(l => {
        const e = JSON.parse(l) as { peer_map: Record<string, { status: string }> }
        const s = Object.values(e.peer_map).map(p => p.status).sort()
        return s.join() === 'pinned,pinned,remote'
      })
      return ok ? true : undefined
    }, 'every pin pinned twice and remote once', 60_000, 500)

    const all = await run('ipfs-cluster-ctl', [...host, 'status'])
    const each = await Promise.all([...cids].sort().map(async cid => (await run('ipfs-cluster-ctl', [...host, 'status', cid])).stdout))
    expect(blocks(all.stdout)).toEqual(each.flatMap(blocks))
    expect(blocks(all.stdout)).toHaveLength(N)
    expect(all.stdout.match(/PINNED/g)).toHaveLength(2 * N)
    expect(all.stdout.match(/REMOTE/g)).toHaveLength(N)

    // As Go's: each peer lists only its statuses that match, so the entries are those peers'.
    const pinned = await run('ipfs-cluster-ctl', [...host, 'status', '--filter', 'pinned'])
    expect(blocks(pinned.stdout)).toEqual(blocks(all.stdout).map(b => b.split('\n').filter(l => !l.includes(': REMOTE |')).join('\n')))
    const failed = await run('ipfs-cluster-ctl', [...host, 'status', '--filter', 'pin_error,error'])
    expect(failed.stdout.trim()).toBe('')
    const json = await run('ipfs-cluster-ctl', [...host, '--enc', 'json', 'status', '--filter', 'remote'])
    const objects = JSON.parse(`[${json.stdout.trim().replace(/\}\n\{/g, '},{')}]`) as Array<{ cid: string }>
    expect(objects.map(o => o.cid)).toEqual([...cids].sort())
  }, 120_000)
})

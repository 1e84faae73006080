/**
 * Rebalance on a CRDT cluster that grows: pins made on 3 peers, a 4th peer joins, and
 * `POST /pins/rebalance` (curl) moves a share of the copies onto it, every pin keeping its 2
 * copies in the Kubos throughout.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { until } from '@cluster/test-utils'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture, waitForMetrics } from './helpers/local-cluster.ts'
import { PIN_BYTES, allocationsOf, copies, countsOf, rebalanceConfig, sampleCopies } from './helpers/rebalance.ts'

const run = promisify(execFile)
const PINS = 12

function crdtConfig (c: Record<string, any>, trusted: string[]): void {
  rebalanceConfig(c)
  c.consensus.crdt.rebroadcast_interval = '2s'
  c.consensus.crdt.trusted_peers = trusted
}

describe('rebalance on a CRDT cluster a 4th peer joins', () => {
  const fx = localClusterFixture('rebalance-crdt-', { consensus: 'crdt', peers: 3, metrics: ['freespace', 'tag:group'], configure: (c, _i, ids) => { crdtConfig(c, ids) } })

  it('moves copies onto the new peer, never below 2 copies', async () => {
    const p0 = fx.p0
    const cids: string[] = []
    for (let i = 0; i < PINS; i++) {
      const form = new FormData()
      form.append('file', new Blob([randomBytes(PIN_BYTES)]))
      cids.push((await p0.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key)
    }
    const pinned = await fetch(`${p0.restUrl}/pins`, { method: 'POST', body: JSON.stringify(cids.map((cid, i) => ({ cid, name: `crdt-${i}` }))) })
    expect(pinned.status).toBe(200)
    await until(async () => (await copies(fx.cluster, cids)).every(n => n === 2) ? true : undefined, 'two Kubos to pin every block', 60_000)

    const p3 = await fx.cluster.addPeer(c => { crdtConfig(c, ['*']) })
    await fx.cluster.waitReady([p3])
    await waitForMetrics(fx.cluster, ['freespace', 'tag:group'])
    const sampler = sampleCopies(fx.cluster, cids)
    const { stdout } = await run('curl', ['-sS', '-X', 'POST', `${p0.restUrl}/pins/rebalance?name-prefix=crdt-`], { timeout: 180_000 })
    const { fewest } = await sampler.stop()
    const lines = stdout.trim().split('\n').map(l => JSON.parse(l) as { result?: string, to?: string[], summary?: { moved: number, failed: number, checked: number } })
    const summary = lines.pop()?.summary
    expect(summary).toMatchObject({ checked: PINS, failed: 0, moved: lines.length })
    expect(lines.every(l => l.result === 'moved')).toBe(true)
    expect(fewest).toBe(2)

    // Every peer applied the new allocations; the new peer holds a share (24 copies over 4 peers).
    const allocations = await allocationsOf(p0)
    const counts = countsOf(allocations)
    expect(counts[p3.id]).toBeGreaterThanOrEqual(4)
    expect([...allocations.values()].every(a => a.length === 2)).toBe(true)
    await until(async () => {
      const elsewhere = await allocationsOf(p3)
      return cids.every(cid => elsewhere.get(cid)?.join() === allocations.get(cid)?.join()) ? true : undefined
    }, 'the new peer to see the new allocations', 30_000)
    await until(async () => (await copies(fx.cluster, cids)).every(n => n === 2) ? true : undefined, 'the old copies to be unpinned', 30_000)
    expect((fx.cluster.peers as LocalPeer[]).length).toBe(4)
  }, 300_000)
})

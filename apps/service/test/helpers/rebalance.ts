/**
 * Rebalance tests' setup on a LocalCluster of 3: pins made while the last peer is down (so they
 * are all on the first two), the last peer back, and a sampler of how many Kubos really hold
 * each pin (the copies, whatever the daemons say).
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { until } from '@cluster/test-utils'
import type { LocalCluster, LocalPeer } from '../../dev/local-cluster.ts'
import { waitForMetrics } from './local-cluster.ts'

/** 3 peers, 2 copies a pin, metrics every second (they live 5 s), no automatic repinning. */
export function rebalanceConfig (c: Record<string, any>): void {
  c.cluster.replication_factor_min = 2
  c.cluster.replication_factor_max = 2
  c.cluster.disable_repinning = true
  c.cluster.monitor_ping_interval = '1s'
  c.monitor.pubsubmon.check_interval = '1s'
  for (const informer of ['disk', 'tags', 'pinqueue']) c.informer[informer].metric_ttl = '5s'
}

/** Block size of each pin: big beside a fresh Kubo repository (20 kB), so free space shows the pins. */
export const PIN_BYTES = 256 * 1024

async function metricPeers (peer: LocalPeer, name: string): Promise<string[]> {
  return (await (await fetch(`${peer.restUrl}/monitor/metrics/${name}`)).json() as Array<{ peer: string }>).map(m => m.peer).sort()
}

/**
 * Pins `count` blocks of PIN_BYTES while the last peer is down: each lands on the first two.
 * Returns their CIDs once both have pinned them and the last peer is back with its metrics.
 */
export async function pinsOnTwoOfThree (cluster: LocalCluster, count: number): Promise<string[]> {
  const [p0, p1, p2] = cluster.peers as [LocalPeer, LocalPeer, LocalPeer]
  await cluster.kill(p2.index)
  const two = [p0.id, p1.id].sort().join()
  await until(async () => (await metricPeers(p0, 'freespace')).join() === two ? true : undefined, 'the stopped peer\'s metrics to expire', 30_000)
  const cids: string[] = []
  for (let i = 0; i < count; i++) {
    const form = new FormData()
    form.append('file', new Blob([randomBytes(PIN_BYTES)]))
    cids.push((await p0.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key)
  }
  const res = await fetch(`${p0.restUrl}/pins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cids.map((cid, i) => ({ cid, name: `rebalance-${i}` }))) })
  expect(res.status).toBe(200)
  const lines = (await res.text()).trim().split('\n').map(l => JSON.parse(l) as { pin?: { allocations: string[] } })
  expect(lines.every(l => l.pin?.allocations.slice().sort().join() === two)).toBe(true)
  await until(async () => (await copies(cluster, cids)).every(n => n === 2) ? true : undefined, 'the first two Kubos to pin every block', 60_000)
  await cluster.startPeer(p2.index)
  await cluster.waitReady(cluster.peers)
  await waitForMetrics(cluster, ['freespace', 'tag:group'])
  // The free space p0 knows of shows the blocks on the first two (informers run every few seconds).
  await until(async () => {
    const free = new Map((await (await fetch(`${p0.restUrl}/monitor/metrics/freespace`)).json() as Array<{ peer: string, value: string }>).map(m => [m.peer, Number(m.value)]))
    const gap = (free.get(p2.id) ?? 0) - Math.max(free.get(p0.id) ?? Infinity, free.get(p1.id) ?? Infinity)
    return gap > count * PIN_BYTES * 0.9 ? true : undefined
  }, 'the free space metrics to show the pins', 30_000)
  return cids
}

/** The CIDs each peer's Kubo holds pinned (recursive), by cluster peer ID. */
export async function heldBy (cluster: LocalCluster): Promise<Map<string, Set<string>>> {
  return new Map(await Promise.all(cluster.peers.map(async p => [p.id, new Set(Object.keys((await p.kubo!.rpc<{ Keys: Record<string, unknown> }>('pin/ls', { type: 'recursive' })).Keys ?? {}))] as const)))
}

/** How many Kubos hold each CID pinned. */
export async function copies (cluster: LocalCluster, cids: string[]): Promise<number[]> {
  const held = [...(await heldBy(cluster)).values()]
  return cids.map(cid => held.filter(set => set.has(cid)).length)
}

/** Samples the copies of `cids` until stopped; `fewest` is the lowest count seen for any CID. */
export function sampleCopies (cluster: LocalCluster, cids: string[]): { stop: () => Promise<{ fewest: number, samples: number }> } {
  let running = true
  let fewest = Infinity
  let samples = 0
  const loop = (async () => {
    while (running) {
      try {
        fewest = Math.min(fewest, ...(await copies(cluster, cids)))
        samples++
      } catch {
        // A Kubo busy for a moment: the next sample counts.
      }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  })()
  return { stop: async () => { running = false; await loop; return { fewest, samples } } }
}

/** The pins' allocations, by CID. */
export async function allocationsOf (peer: LocalPeer): Promise<Map<string, string[]>> {
  const text = await (await fetch(`${peer.restUrl}/allocations`)).text()
  return new Map(text.trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l) as { cid: string, allocations: string[] }).map(p => [p.cid, p.allocations]))
}

/** Allocations per peer. */
export function countsOf (allocations: Map<string, string[]>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const peers of allocations.values()) for (const p of peers) counts[p] = (counts[p] ?? 0) + 1
  return counts
}

// The status of a big pinset (issue #18): `GET /pins` streams every pin's status with bounded
// memory, merging the peers' streams by CID, and a peer killed mid-stream shows as cluster_error
// on the CIDs it had not answered for. Real daemons; the IPFS APIs are stand-ins
// (bench/lib/fake-kubo.ts) that answer at once. Times and the coordinator's peak RSS are printed
// for the reader (not asserted, beyond generous sanity bounds: the machine may be shared).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { syntheticCid, until } from '@cluster/test-utils'
import { FakeKubo } from '../../../bench/lib/fake-kubo.ts'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'

const PINS = Number(process.env.STATUS_BIG_PINS ?? 100_000)
const BATCH = Math.min(10_000, PINS)

async function allocationCount (peer: LocalPeer): Promise<number> {
  const res = await fetch(`${peer.restUrl}/allocations`, { signal: AbortSignal.timeout(60_000) })
  let n = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) for (const byte of chunk) if (byte === 10) n++
  return n
}

/** The daemon's resident set (MiB), from /proc. */
function rssMiB (peer: LocalPeer): number {
  const status = readFileSync(`/proc/${peer.daemon?.pid ?? 0}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

interface Entry { cid: string, peer_map: Record<string, { status: string, error: string }> }

/** Reads `GET /pins` line by line, calling `each` on every parsed entry. */
async function statusStream (peer: LocalPeer, each: (e: Entry, n: number) => void | Promise<void>): Promise<{ status: number, lines: number, firstMs: number, totalMs: number, trailer: string | null }> {
  const t0 = performance.now()
  const res = await fetch(`${peer.restUrl}/pins?local=false`, { signal: AbortSignal.timeout(300_000) })
  let firstMs = -1
  let lines = 0
  let rest = ''
  const decoder = new TextDecoder()
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    if (firstMs < 0) firstMs = performance.now() - t0
    const parts = (rest + decoder.decode(chunk, { stream: true })).split('\n')
    rest = parts.pop() ?? ''
    for (const line of parts) {
      if (line === '') continue
      await each(JSON.parse(line) as Entry, lines++)
    }
  }
  return { status: res.status, lines, firstMs, totalMs: performance.now() - t0, trailer: res.headers.get('x-stream-error') }
}

describe(`GET /pins over ${PINS.toLocaleString('en')} pins on 3 peers`, () => {
  const f = localClusterFixture('status-big-', {
    consensus: 'crdt',
    peers: 3,
    metrics: ['ping'],
    ipfsFor: async () => { const k = new FakeKubo(); await k.start(); return k },
    // Pings every 5 s: a loaded machine must not let a peer's ping expire (out of the peerset).
    configure: c => {
      c.cluster.monitor_ping_interval = '5s'
      c.consensus.crdt.rebroadcast_interval = '2s'
    },
    ready: async f => {
      const p0 = f.p0
      for (let start = 0; start < PINS; start += BATCH) {
        const body = Array.from({ length: BATCH }, (_, i) => JSON.stringify({
          cid: syntheticCid(start + i).toString(), name: `big-${start + i}`, 'replication-min': 2, 'replication-max': 2
        })).join('\n')
        const res = await fetch(`${p0.restUrl}/pins`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body })
        expect(res.status).toBe(200)
        await res.arrayBuffer()
      }
      for (const peer of f.cluster.peers) {
        await until(async () => await allocationCount(peer) === PINS ? true : undefined, `${peer.id} has every pin`, 120_000, 1_000)
      }
    },
    startTimeoutMs: 240_000
  })

  it('streams the first item at once and every item, in CID order, each with every peer\'s entry; the coordinator\'s memory stays bounded', async () => {
    const p0 = f.p0
    const ids = f.cluster.peers.map(p => p.id).sort()
    const before = rssMiB(p0)
    let peak = before
    const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(p0)) }, 50)
    let last = ''
    let misses = 0
    const errors = new Map<string, number>()
    const peerSets = new Map<string, number>()
    const r = await statusStream(p0, e => {
      if (!(e.cid > last)) misses++
      last = e.cid
      const set = Object.keys(e.peer_map).sort().join()
      if (set !== ids.join()) { misses++; peerSets.set(set, (peerSets.get(set) ?? 0) + 1) }
      for (const s of Object.values(e.peer_map)) if (s.status === 'cluster_error') errors.set(s.error, (errors.get(s.error) ?? 0) + 1)
    }).finally(() => { clearInterval(sampler) })
    expect([...errors]).toEqual([])
    expect([...peerSets]).toEqual([])
    console.log(`GET /pins, ${PINS} pins, 3 peers: first item after ${r.firstMs.toFixed(0)} ms, all ${r.lines} after ${(r.totalMs / 1000).toFixed(1)} s; coordinator RSS ${before.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB`)
    expect(r.status).toBe(200)
    expect(r.lines).toBe(PINS)
    expect(misses).toBe(0)
    // Sanity only (a whole-pinset buffer took GiBs): the first item long before the end.
    expect(r.firstMs).toBeLessThan(30_000)
    expect(peak - before).toBeLessThan(1024)
  }, 300_000)

  it('a peer killed mid-stream: its entries until then, cluster_error on every later CID, and the stream completes', async () => {
    const p0 = f.p0
    const victim = f.cluster.peers[2] as LocalPeer
    let errors = 0
    let before = 0
    let bad = 0
    let firstError = ''
    const r = await statusStream(p0, async (e, n) => {
      const v = e.peer_map[victim.id]
      if (v === undefined || Object.keys(e.peer_map).length !== 3) bad++
      else if (v.status === 'cluster_error') {
        if (errors++ === 0) firstError = `${v.error} (item ${n})`
        if (v.error === '') bad++
      } else if (errors > 0) bad++ // a real entry after an error one: the merge went back
      else before++
      if (n === 5_000) await f.cluster.kill(2)
    })
    console.log(`peer killed mid-stream: ${before} entries of it before, ${errors} cluster_error after (first: ${firstError}), ${r.lines} items`)
    expect(r.status).toBe(200)
    expect(r.lines).toBe(PINS)
    expect(bad).toBe(0)
    expect(before).toBeGreaterThan(5_000)
    expect(errors).toBeGreaterThan(0)
  }, 300_000)
})

// A new CRDT peer, started empty, catches up a 100,000-pin state from the others' heads (walking
// the DAG over bitswap). Real daemons; the IPFS APIs are stand-ins (bench/lib/fake-kubo.ts) that
// answer at once, so what is measured is the consensus, not Kubo. Pins have one copy each: the
// new peer is allocated none of them, and tracking them costs it no IPFS call.
import { describe, expect, it } from 'vitest'
import { syntheticCid, until } from '@cluster/test-utils'
import { FakeKubo } from '../../../bench/lib/fake-kubo.ts'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture } from './helpers/local-cluster.ts'

const PINS = Number(process.env.CRDT_CATCHUP_PINS ?? 100_000)
const BATCH = Math.min(10_000, PINS)

async function allocationCount (peer: LocalPeer): Promise<number> {
  const res = await fetch(`${peer.restUrl}/allocations`, { signal: AbortSignal.timeout(30_000) })
  let n = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) for (const byte of chunk) if (byte === 10) n++
  return n
}

describe('CRDT consensus: catching up a big state', () => {
  const f = localClusterFixture('crdt-catchup-', {
    consensus: 'crdt',
    peers: 2,
    metrics: ['ping'],
    ipfsFor: async () => { const k = new FakeKubo(); await k.start(); return k },
    configure: c => {
      c.cluster.monitor_ping_interval = '1s'
      c.consensus.crdt.rebroadcast_interval = '2s'
    }
  })

  it(`a peer started empty catches up ${PINS.toLocaleString('en')} pins from the others' heads`, async () => {
    const p0 = f.p0
    for (let start = 0; start < PINS; start += BATCH) {
      const body = Array.from({ length: BATCH }, (_, i) => JSON.stringify({
        cid: syntheticCid(start + i).toString(), name: `big-${start + i}`, 'replication-min': 1, 'replication-max': 1
      })).join('\n')
      const res = await fetch(`${p0.restUrl}/pins`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body })
      expect(res.status).toBe(200)
      const lines = (await res.text()).split('\n').filter(l => l !== '')
      expect(lines).toHaveLength(BATCH)
      expect(lines.filter(l => l.includes('"error"'))).toEqual([])
    }
    expect(await allocationCount(p0)).toBe(PINS)
    await until(async () => await allocationCount(f.cluster.peers[1]!) === PINS ? true : undefined, 'peer1 has every pin', 120_000, 2_000)

    const started = Date.now()
    const fresh = await f.cluster.addPeer(c => {
      c.cluster.monitor_ping_interval = '1s'
      c.consensus.crdt.rebroadcast_interval = '2s'
    })
    await until(async () => { try { return await allocationCount(fresh) === PINS ? true : undefined } catch { return undefined } }, 'the new peer has every pin', 180_000, 2_000)
    const seconds = (Date.now() - started) / 1000
    // Not a timing assertion: the time is reported for the reader (benchmarks measure it properly).
    console.log(`new CRDT peer caught up ${PINS} pins in ${seconds.toFixed(1)} s (start included)`)
    const pin = await (await fetch(`${fresh.restUrl}/allocations/${syntheticCid(PINS - 1).toString()}`)).json() as { name: string, allocations: string[] }
    expect(pin.name).toBe(`big-${PINS - 1}`)
    expect(pin.allocations).toHaveLength(1)
    expect(f.cluster.peers.slice(0, 2).map(p => p.id)).toContain(pin.allocations[0])
    // Remote pins that were never pinned here cost the new peer no IPFS call (Go makes a pin/rm each).
    expect((fresh.ipfs as FakeKubo).calls.get('pin/rm') ?? 0).toBe(0)
  }, 420_000)
})

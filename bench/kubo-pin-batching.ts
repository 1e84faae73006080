// Does Kubo pin faster when given many CIDs per `pin/add` (one of the levers of issue #18)? Three
// real Kubos connected to each other (no routing, as the cluster's tests run them); N fresh
// 64-byte blocks are put on Kubo 0 for each run, then pinned on Kubo 0 itself ("local") or on
// Kubo 1, which fetches them from Kubo 0 over bitswap ("remote": what an allocation to another
// peer costs), one CID per call with 10 calls in flight (the tracker's way, concurrent_pins 10)
// or many CIDs per call. Modes alternate within each round; medians of the rounds.
// Run: `node --conditions=source bench/kubo-pin-batching.ts [pins=2000] [rounds=3]`.
// Results: bench/results/kubo-pin-batching-<date>.{md,json}.
import { KuboDaemon } from '@cluster/test-utils'
import { summarize, writeResults } from '../scripts/lib/bench-results.ts'
import { putBlocks } from './lib/kubo-blocks.ts'

const PINS = Number(process.argv[2] ?? 2000)
const ROUNDS = Number(process.argv[3] ?? 3)

interface Mode { label: string, remote: boolean, perCall: number, inFlight: number }
const MODES: Mode[] = [
  { label: 'local, 1 CID per call, 10 in flight', remote: false, perCall: 1, inFlight: 10 },
  { label: 'local, 50 CIDs per call, 2 in flight', remote: false, perCall: 50, inFlight: 2 },
  { label: 'remote, 1 CID per call, 10 in flight', remote: true, perCall: 1, inFlight: 10 },
  { label: 'remote, 10 CIDs per call, 10 in flight', remote: true, perCall: 10, inFlight: 10 },
  { label: 'remote, 50 CIDs per call, 10 in flight', remote: true, perCall: 50, inFlight: 10 }
]

/** Pins `cids` on `kubo` (`pin/add?progress=true`, recursive) as `mode` says; returns pins/s. */
async function pinAll (kubo: KuboDaemon, cids: string[], mode: Mode): Promise<number> {
  const t0 = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: mode.inFlight }, async () => {
    while (next < cids.length) {
      const chunk = cids.slice(next, next + mode.perCall)
      next += mode.perCall
      const url = new URL(kubo.url('pin/add', { progress: 'true', recursive: 'true' }))
      for (const cid of chunk) url.searchParams.append('arg', cid)
      const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(120_000) })
      const text = await res.text()
      if (!res.ok || text.includes('"Type":"error"')) throw new Error(`pin/add: ${res.status} ${text.slice(0, 200)}`)
    }
  }))
  return cids.length / ((performance.now() - t0) / 1000)
}

const started = Date.now()
const kubos = await Promise.all([0, 1, 2].map(async () => await KuboDaemon.start()))
const rates = new Map<string, number[]>(MODES.map(m => [m.label, []]))
try {
  for (const a of kubos) for (const b of kubos) if (a !== b) await a.connect(b).catch(() => {})
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of MODES) {
      const cids = await putBlocks(kubos[0] as KuboDaemon, PINS)
      const rate = await pinAll((mode.remote ? kubos[1] : kubos[0]) as KuboDaemon, cids, mode)
      rates.get(mode.label)?.push(rate)
      console.log(`round ${round}: ${mode.label}: ${rate.toFixed(0)} pins/s`)
    }
  }
} finally {
  await Promise.all(kubos.map(async k => { await k.stop() }))
}

writeResults('kubo-pin-batching', MODES.map(mode => summarize(`Kubo pin/add, ${mode.label}`, 'pins/s', rates.get(mode.label) ?? [],
  `${PINS} fresh 64-byte blocks put on Kubo 0 per run; modes alternate`)), { pins: PINS, rounds: ROUNDS, minutes: (Date.now() - started) / 60_000 })

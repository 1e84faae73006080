// A/B of the latency of POST /pins at 1 client between this checkout and another built one,
// by the peer that takes the writes: a 3-peer cluster on Kubo stand-ins gets `--pins` pins from
// one client through each of its peers in turn, and the three p50s are sorted. On Raft the write
// through the leader skips the hand-over to it, so a single "1 client" figure depends on where
// the election put the leader; sorted, the rounds compare like with like. An unmeasured load of
// `--warmup` pins through every peer comes first (else the first peer measured meets a cold JIT).
// Run: `node --conditions=source bench/latency-ab.ts --base <built checkout> [--rounds 4] [--pins 400] [--warmup 300] [--consensus crdt] [--label x]`
// Results: bench/results/latency-ab-<date>[-<label>].{json,md}.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { baseFlavour, withStandInCluster } from './lib/ab.ts'
import { randomCids } from './lib/cids.ts'
import { percentile, pinLoad } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers } from './lib/processes.ts'
import { log, stats } from './lib/report.ts'
import { tsFlavour } from './lib/ts-cluster.ts'

const argv = process.argv.slice(2)
const arg = (name: string): string | undefined => argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined
const baseRoot = arg('--base')
if (baseRoot === undefined) throw new Error('--base <built checkout> is required')
const ROUNDS = Number(arg('--rounds') ?? 4)
const PINS = Number(arg('--pins') ?? 400)
const WARMUP = Number(arg('--warmup') ?? 300)
const LABEL = arg('--label')
const CONSENSUS = arg('--consensus') === 'crdt' ? 'crdt' : 'raft'
const sides = [{ name: 'base', flavour: baseFlavour(baseRoot) }, { name: 'this', flavour: tsFlavour }] as const
type SideName = typeof sides[number]['name']

installCleanupHandlers()
await tsFlavour.prepare()
const started = Date.now()
/** Per side, per round: the three p50s (ms), lowest first. */
const rounds: Record<SideName, number[][]> = { base: [], this: [] }
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const p50s = await withStandInCluster({ flavour: side.flavour, consensus: CONSENSUS, prefix: 'latency-ab' }, async (cluster) => {
        await pinLoad(cluster.peers.map(p => p.restUrl), randomCids(WARMUP), 3)
        const byPeer: number[] = []
        for (const peer of cluster.peers) byPeer.push(percentile((await pinLoad([peer.restUrl], randomCids(PINS), 1)).latencies, 0.5))
        return byPeer.sort((a, b) => a - b)
      })
      rounds[side.name].push(p50s)
      log(`${side.name} round ${round}: p50 ${p50s.map(x => x.toFixed(2)).join(' / ')} ms`)
    }
  }
} finally {
  cleanupAll()
}

const date = new Date().toISOString().slice(0, 10)
const name = `latency-ab-${date}${LABEL === undefined ? '' : `-${LABEL}`}`
const median = (side: SideName, rank: number): string => stats(rounds[side].map(r => r[rank] as number)).median.toFixed(2)
const lines = [
  `# POST /pins latency at 1 client, by the peer taking the writes: this checkout vs ${baseRoot} (${date})`,
  '',
  `3-peer ${CONSENSUS === 'raft' ? 'Raft' : 'CRDT'} clusters (replication factor 2) on Kubo stand-ins, built packages; in each round a fresh cluster per side (sides alternating) takes ${WARMUP} pins from 3 clients (unmeasured), then ${PINS} from one client through each peer in turn; the three p50s sorted (on Raft the lowest is most often the leader's). Medians of ${ROUNDS} rounds. Suite time ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
  '',
  '| | lowest p50 (ms) | middle | highest |',
  '|---|---|---|---|',
  ...sides.map(s => `| ${s.name} | ${median(s.name, 0)} | ${median(s.name, 1)} | ${median(s.name, 2)} |`),
  '',
  'Rounds (p50s, ms):',
  '',
  ...sides.map(s => `- ${s.name}: ${rounds[s.name].map(r => r.map(x => x.toFixed(2)).join(' / ')).join('; ')}`)
]
const dir = join(import.meta.dirname, 'results')
writeFileSync(join(dir, `${name}.md`), lines.join('\n') + '\n')
writeFileSync(join(dir, `${name}.json`), JSON.stringify({ base: baseRoot, rounds: ROUNDS, pins: PINS, consensus: CONSENSUS, p50s: rounds }, null, 2) + '\n')
log(`written: bench/results/${name}.{json,md}`)

// A/B of our CRDT write path between this checkout and another built one (e.g. the commit before
// a change): 3-peer CRDT clusters on Kubo stand-ins, as workload 1 of bench/crdt.ts (no
// batching, replication factor 2), POST /pins at 1, 16 and 64 clients; each round starts a fresh
// cluster per side, the sides alternating, so both meet the machine in the same states.
// Besides rate and latency: the daemons' CPU per pin during the load, split between peer 0 (every
// write at 1 client) and the others.
// Run: `node --conditions=source bench/crdt-ab.ts --base <built checkout> [--rounds 4] [--label x] [--batching] [--clients 1,16] [--consensus raft]`
// (`--consensus raft`: the same runs on Raft clusters.)
// (`git worktree add /tmp/base <rev>`, then `pnpm install --offline && pnpm exec turbo run build`
// there). Results: bench/results/crdt-ab-<date>[-<label>].{json,md}.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { baseFlavour, withStandInCluster } from './lib/ab.ts'
import type { Flavour } from './lib/cluster.ts'
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
const LABEL = arg('--label')
const PINS: Record<number, number> = { 1: 2000, 16: 3000, 64: 4000 }
/** --clients 1,16: only these client counts (default 1, 16 and 64). */
const CLIENTS = (arg('--clients') ?? '1,16,64').split(',').map(Number).filter(n => PINS[n] !== undefined)
const CONSENSUS = arg('--consensus') === 'raft' ? 'raft' : 'crdt'
/** --batching: Go's crdt.batching as workload 1 of bench/crdt.ts sets it (100 pins, 50 ms). */
const BATCHING = argv.includes('--batching') ? { max_batch_size: 100, max_batch_age: '50ms' } : undefined

const sides = [{ name: 'base', flavour: baseFlavour(baseRoot) }, { name: 'this', flavour: tsFlavour }] as const
type SideName = typeof sides[number]['name']

interface Run { rate: number, p50: number, p99: number, cpuPerPin: number, writerCpu: number, otherCpu: number, errors: number }

async function oneRun (flavour: Flavour, clients: number): Promise<Run> {
  return await withStandInCluster({ flavour, consensus: CONSENSUS, crdt: BATCHING === undefined ? {} : { batching: BATCHING }, prefix: 'crdt-ab' }, async (cluster) => {
    const before = cluster.cpuPerPeer()
    const r = await pinLoad(cluster.peers.map(p => p.restUrl), randomCids(PINS[clients] as number), clients)
    const split = cluster.cpuSplitSince(before, r.done)
    return {
      rate: r.rate,
      p50: percentile(r.latencies, 0.5),
      p99: percentile(r.latencies, 0.99),
      cpuPerPin: split.writer + 2 * split.others,
      writerCpu: split.writer,
      otherCpu: split.others,
      errors: r.errors
    }
  })
}

installCleanupHandlers()
await tsFlavour.prepare()
const started = Date.now()
const results: Record<number, Record<SideName, Run[]>> = {}
try {
  for (const clients of CLIENTS) {
    results[clients] = { base: [], this: [] }
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const run = await oneRun(side.flavour, clients)
        results[clients][side.name].push(run)
        log(`${side.name} c=${clients} round ${round}: ${run.rate.toFixed(0)} pins/s, p50 ${run.p50.toFixed(2)} ms, CPU ${run.cpuPerPin.toFixed(2)} ms/pin (peer 0 ${run.writerCpu.toFixed(2)}, others ${run.otherCpu.toFixed(2)})${run.errors > 0 ? `, ${run.errors} errors` : ''}`)
      }
    }
  }
} finally {
  cleanupAll()
}

const date = new Date().toISOString().slice(0, 10)
const name = `crdt-ab-${date}${LABEL === undefined ? '' : `-${LABEL}`}`
const fmt = (n: number, d = 2): string => n.toFixed(d)
const lines = [
  `# ${CONSENSUS === 'raft' ? 'Raft' : 'CRDT'} write path A/B: this checkout vs ${baseRoot} (${date})`,
  '',
  `3-peer ${CONSENSUS === 'raft' ? 'Raft' : 'CRDT'} clusters (${CONSENSUS === 'raft' ? 'Raft' : BATCHING === undefined ? 'no batching' : `batching ${BATCHING.max_batch_size}/${BATCHING.max_batch_age}`}, replication factor 2) on Kubo stand-ins, built packages; ${ROUNDS} rounds per side and client count, a fresh cluster per round, sides alternating. Medians of rounds. Suite time ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
  '',
  '| clients | pins/s base → this | ratio | p50 ms base → this | CPU ms/pin (3 daemons) base → this | peer 0 / each other peer, base → this |',
  '|---|---|---|---|---|---|'
]
for (const clients of CLIENTS) {
  const r = results[clients] as Record<SideName, Run[]>
  const m = (side: SideName, k: keyof Run): number => stats(r[side].map(x => x[k])).median
  lines.push(`| ${clients} | ${fmt(m('base', 'rate'), 0)} → ${fmt(m('this', 'rate'), 0)} | ${fmt(m('this', 'rate') / m('base', 'rate'))} | ${fmt(m('base', 'p50'))} → ${fmt(m('this', 'p50'))} | ${fmt(m('base', 'cpuPerPin'))} → ${fmt(m('this', 'cpuPerPin'))} | ${fmt(m('base', 'writerCpu'))} / ${fmt(m('base', 'otherCpu'))} → ${fmt(m('this', 'writerCpu'))} / ${fmt(m('this', 'otherCpu'))} |`)
}
lines.push('', 'Rounds (pins/s):', '')
for (const clients of CLIENTS) {
  const r = results[clients] as Record<SideName, Run[]>
  lines.push(`- ${clients} client${clients === 1 ? '' : 's'}: base ${r.base.map(x => fmt(x.rate, 0)).join(', ')}; this ${r.this.map(x => fmt(x.rate, 0)).join(', ')}`)
}
const dir = join(import.meta.dirname, 'results')
writeFileSync(join(dir, `${name}.md`), lines.join('\n') + '\n')
writeFileSync(join(dir, `${name}.json`), JSON.stringify({ base: baseRoot, rounds: ROUNDS, pins: PINS, results }, null, 2) + '\n')
log(`written: bench/results/${name}.{json,md}`)

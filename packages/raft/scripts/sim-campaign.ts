/**
 * Long simulation campaign for the Raft core.
 *
 *   node --conditions=source packages/raft/scripts/sim-campaign.ts --seeds 100000
 *   node --conditions=source packages/raft/scripts/sim-campaign.ts --seed 1234 --nodes 5 --verbose   # replay one seed
 *
 * Options: --seeds N (default 1000), --start S (first seed, default 1), --nodes 3|5|mixed
 * (default mixed: odd seeds 3 nodes, even seeds 5), --steps T (default 3000), --out FILE.
 * Writes a summary JSON to bench/results/raft-sim-<date>.json and exits 1 if any seed failed.
 * Imports only from this package's src/ and test/sim/.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runSimulation } from '../test/sim/simulator.ts'

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    start: { type: 'string', default: '1' },
    seed: { type: 'string' },
    nodes: { type: 'string', default: 'mixed' },
    steps: { type: 'string', default: '3000' },
    out: { type: 'string' },
    verbose: { type: 'boolean', default: false }
  }
})

const steps = Number(values.steps)
const nodesFor = (seed: number): number => values.nodes === 'mixed' ? (seed % 2 === 1 ? 3 : 5) : Number(values.nodes)

if (values.seed !== undefined) {
  const seed = Number(values.seed)
  const r = runSimulation({ seed, nodes: nodesFor(seed), steps, verbose: values.verbose })
  process.stdout.write(r.trace.join('\n') + '\n')
  process.stdout.write(JSON.stringify({ seed, nodes: r.nodes, ok: r.ok, violation: r.violation, linearizability: r.linearizability, stats: r.stats, config: r.config }, null, 2) + '\n')
  process.exit(r.ok ? 0 : 1)
}

const seeds = Number(values.seeds)
const start = Number(values.start)
const t0 = performance.now()
const totals: Record<string, number> = {}
const failures: Array<{ seed: number, nodes: number, violation: string, trace: string[] }> = []
const lin = { ok: 0, unknown: 0, failed: 0, skipped: 0 }
for (let i = 0; i < seeds; i++) {
  const seed = start + i
  const r = runSimulation({ seed, nodes: nodesFor(seed), steps })
  lin[r.linearizability]++
  for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + v
  if (!r.ok) {
    failures.push({ seed, nodes: r.nodes, violation: r.violation ?? '', trace: r.trace.slice(-60) })
    process.stderr.write(`FAIL seed ${seed} (${r.nodes} nodes): ${r.violation ?? ''}\n` +
      `  replay: node --conditions=source packages/raft/scripts/sim-campaign.ts --seed ${seed} --nodes ${r.nodes} --steps ${steps} --verbose\n`)
  }
  if ((i + 1) % 500 === 0) process.stderr.write(`${i + 1}/${seeds} seeds, ${failures.length} failed, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`)
}
const durationMs = Math.round(performance.now() - t0)
const date = new Date().toISOString().slice(0, 10)
const summary = {
  date,
  seeds,
  firstSeed: start,
  stepsPerSeed: steps,
  nodes: values.nodes,
  passed: seeds - failures.length,
  failed: failures.length,
  linearizability: lin,
  durationMs,
  seedsPerSecond: Number((seeds / (durationMs / 1000)).toFixed(2)),
  totals,
  failures
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const out = values.out ?? join(root, 'bench', 'results', `raft-sim-${date}.json`)
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify(summary, null, 2) + '\n')
process.stdout.write(`${summary.passed}/${seeds} seeds passed in ${(durationMs / 1000).toFixed(1)} s -> ${out}\n`)
process.exit(failures.length === 0 ? 0 : 1)

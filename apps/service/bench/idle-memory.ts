// Memory of an idle peer (empty pinset, no Kubo answering), from the built package: RSS, its
// anonymous part and the V8 heap in use, read in the peer's process after forced collections,
// in CRDT and Raft mode; beside bare Node and Node with the libp2p stack merely imported, the
// floor any peer built on js-libp2p starts from. Runs alternate; medians of BENCH_RUNS (5).
// Run: node --conditions=source apps/service/bench/idle-memory.ts [dist folder of an older build]
// (with a folder, its peer is measured too, alternating with this one: a before/after).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { summarize, writeResults, type BenchRow } from '../../../scripts/lib/bench-results.ts'

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, '..', 'dist')
const before = process.argv[2]
const RUNS = Number(process.env.BENCH_RUNS ?? (process.env.QUICK !== undefined ? 3 : 5))
const base = mkdtempSync(join(tmpdir(), 'idle-memory-'))

interface Sample { rss: number, anon: number, heapUsed: number }

function init (consensus: 'crdt' | 'raft', name: string = consensus): string {
  const folder = join(base, name)
  execFileSync(process.execPath, [join(dist, 'cli', 'run.js'), '-c', folder, 'init', '--consensus', consensus, '--randomports'], { stdio: 'ignore' })
  return folder
}

function measure (mode: string, folder = '', build = dist): Sample {
  const out = execFileSync(process.execPath, ['--expose-gc', join(here, 'lib', 'idle-child.mjs'), mode, folder, build], {
    encoding: 'utf8', timeout: 60_000, cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'ignore']
  })
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Sample
}

const modes: Array<{ label: string, mode: string, folder?: string, build?: string }> = [
  { label: 'bare Node (setTimeout)', mode: 'bare' },
  { label: 'Node + libp2p stack imported', mode: 'libp2p' },
  { label: 'idle peer, CRDT', mode: 'peer', folder: init('crdt') },
  { label: 'idle peer, Raft', mode: 'peer', folder: init('raft') },
  ...(before === undefined ? [] : [{ label: 'idle peer, CRDT, older build', mode: 'peer', folder: init('crdt', 'crdt-before'), build: before }])
]
const samples = new Map(modes.map(m => [m.label, [] as Sample[]]))
try {
  for (let run = 0; run < RUNS; run++) {
    for (const m of modes) {
      const s = measure(m.mode, m.folder, m.build)
      samples.get(m.label)?.push(s)
      console.log(`run ${run} ${m.label}: RSS ${s.rss.toFixed(1)} MiB, anon ${s.anon.toFixed(1)}, heap ${s.heapUsed.toFixed(1)}`)
    }
  }
} finally {
  rmSync(base, { recursive: true, force: true })
}
const rows: BenchRow[] = []
for (const m of modes) {
  const list = samples.get(m.label) ?? []
  rows.push(summarize(`${m.label}: RSS`, 'MiB', list.map(s => s.rss)))
  rows.push(summarize(`${m.label}: anonymous RSS`, 'MiB', list.map(s => s.anon)))
  rows.push(summarize(`${m.label}: V8 heap used`, 'MiB', list.map(s => s.heapUsed)))
}
writeResults('idle-memory', rows, { dist, ...(before === undefined ? {} : { before }) })

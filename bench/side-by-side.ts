// Side-by-side benchmark: our cluster against Go IPFS Cluster v1.1.6, same machine, same
// settings (3 peers, Raft, replication factor 2, 2 s monitoring), same load generator, runs
// alternating between the two. Workloads:
//  1. cluster overhead: POST /pins/<cid> at 1, 16, 64 concurrent clients, Kubo replaced by a
//     stand-in that answers instantly (bench/lib/fake-kubo.ts); before it, the RSS of the idle
//     peers with an empty pinset;
//  2. a real Kubo per peer: N blocks put on one Kubo, pinned through the cluster, time until all
//     are `pinned` on their allocations;
//  3. a big pinset (state import + stand-in): GET /allocations, GET /pins, RSS of the peers;
//  4. failure: kill -9 one peer (on the cluster of 2), time until its pins are re-allocated and
//     pinned elsewhere;
//  5. `ipfs-cluster-ctl version` / `id` cold start, beside bare `node -e 0`.
// Run: `pnpm bench side-by-side` (or `node --conditions=source bench/side-by-side.ts [--quick]
// [--only 1,3] [--flavour ts] [--big-pins 1000000]`). Results: bench/results/side-by-side-<date>[-quick].{json,md}; a
// partial run (--only, --flavour) writes side-by-side-only-1-3-ts-<date>… beside it.
import { execFile } from 'node:child_process'
import { writeFileSync, mkdirSync } from 'node:fs'
import { Agent } from 'node:http'
import { join } from 'node:path'
import { KuboDaemon } from '@cluster/test-utils'
import { machine, median, resultsDir } from '../scripts/lib/bench-results.ts'
import { BenchCluster, restingCpu, waitAllQuiet, type Flavour } from './lib/cluster.ts'
import { FakeKubo } from './lib/fake-kubo.ts'
import { goCtl, goFlavour } from './lib/go-cluster.ts'
import { tsCtlDist, tsCtlSource, tsFlavour } from './lib/ts-cluster.ts'
import { randomCids } from './lib/cids.ts'
import { putBlocks } from './lib/kubo-blocks.ts'
import { percentile, pinLoad, sleep, streamNdjson } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers, runCounted, tempDir } from './lib/processes.ts'
import { timeStateImport } from './lib/state-import.ts'

const argv = process.argv.slice(2)
const QUICK = argv.includes('--quick') || (process.env.QUICK !== undefined && process.env.QUICK !== '' && process.env.QUICK !== '0')
const onlyArg = argv[argv.indexOf('--only') + 1]
const ONLY = argv.includes('--only') && onlyArg !== undefined ? new Set(onlyArg.split(',').map(Number)) : undefined
const wants = (w: number): boolean => ONLY === undefined || ONLY.has(w)

const P = QUICK
  ? { w1Runs: 2, w1Pins: { 1: 60, 16: 300, 64: 400 } as Record<number, number>, w1Warmup: 200, w1QuietMaxMs: 30_000, w1DeadlineMs: 8_000, w3Pins: 5_000, w3Runs: 2, w2Pins: 500, w2Runs: 1, w5Runs: 4, pollTimeoutMs: 45_000 }
  : { w1Runs: 3, w1Pins: { 1: 300, 16: 1500, 64: 2500 } as Record<number, number>, w1Warmup: 500, w1QuietMaxMs: 60_000, w1DeadlineMs: 20_000, w3Pins: 100_000, w3Runs: 3, w2Pins: 10_000, w2Runs: 1, w5Runs: 10, pollTimeoutMs: 360_000 }

// `--big-pins N`: workload 3 with N pins (e.g. 1000000), one listing of each kind, without the
// "import alone" rows (measured at the default size); results go to a file of their own.
const bigArg = argv[argv.indexOf('--big-pins') + 1]
const BIG_PINS = argv.includes('--big-pins') && bigArg !== undefined ? Number(bigArg) : undefined
if (BIG_PINS !== undefined) {
  if (!Number.isInteger(BIG_PINS) || BIG_PINS < 1) throw new Error(`--big-pins wants a pin count, got ${bigArg}`)
  P.w3Pins = BIG_PINS
  P.w3Runs = 1
}

const flavourArg = argv[argv.indexOf('--flavour') + 1]
const flavours: Flavour[] = [goFlavour, tsFlavour].filter(f => !argv.includes('--flavour') || f.name === flavourArg)
/** Alternating order: Go first on even runs, ours first on odd runs. */
const order = (run: number): Flavour[] => run % 2 === 0 ? flavours : [...flavours].reverse()

interface Stats { median: number, min: number, max: number, runs: number, samples: number[] }
interface Row { workload: string, unit: string, better: 'higher' | 'lower', go: Stats, ts: Stats, ratio: number, note: string }

const rows: Row[] = []
const details: Record<string, unknown> = {}
const log = (...args: unknown[]): void => { console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args) }

function stats (samples: number[]): Stats {
  const ok = samples.filter(s => Number.isFinite(s))
  if (ok.length === 0) return { median: NaN, min: NaN, max: NaN, runs: 0, samples }
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), runs: ok.length, samples }
}

function addRow (workload: string, unit: string, better: 'higher' | 'lower', samples: Record<'go' | 'ts', number[]>, note = ''): void {
  const go = stats(samples.go)
  const ts = stats(samples.ts)
  rows.push({ workload, unit, better, go, ts, ratio: ts.median / go.median, note })
  log(`${workload}: Go ${fmt(go.median)} ${unit}, ours ${fmt(ts.median)} ${unit} (ours/Go ${fmt(ts.median / go.median)}) ${note}`)
}

function fmt (n: number): string {
  if (!Number.isFinite(n)) return '—'
  return Math.abs(n) >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)))
}

const MiB = 2 ** 20

// ---------------------------------------------------------------------------------------------
// Workload 1: pure cluster overhead (stand-in Kubo).

async function standIns (n: number): Promise<FakeKubo[]> {
  const kubos = Array.from({ length: n }, () => new FakeKubo())
  await Promise.all(kubos.map(async k => { await k.start() }))
  return kubos
}

async function workload1 (): Promise<void> {
  log('workload 1: starting both clusters on stand-in Kubos')
  const setups = await Promise.all(flavours.map(async f => {
    const kubos = await standIns(3)
    const cluster = new BenchCluster({ flavour: f, kuboApis: kubos.map(k => k.apiMultiaddr) })
    await cluster.start()
    return { f, kubos, cluster }
  }))
  const by = (f: Flavour): typeof setups[number] => setups.find(s => s.f === f) as typeof setups[number]
  try {
    // Measured as workload 3 measures a big pinset's: 5 s after the start, before any request.
    await sleep(5_000)
    const emptyRss: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
    for (const { f, cluster } of setups) emptyRss[f.name] = cluster.peers.map((_, i) => cluster.rss(i) / MiB)
    addRow('1. RSS at rest, empty pinset (per peer)', 'MiB', 'lower', emptyRss, 'one sample per peer, 5 s after the start')
    // Quiet before a run = below what both clusters use at rest (they ping, check, heartbeat) + 0.1 core.
    const quietCores = await restingCpu(setups.map(x => x.cluster)) + 0.1
    log(`  both clusters at rest: ${(quietCores - 0.1).toFixed(2)} cores`)
    // Not measured: a first load, as a peer that has run a while has had (caches, V8's optimised code).
    if (wants(1)) for (const { cluster } of setups) await pinLoad(cluster.peers.map(p => p.restUrl), randomCids(P.w1Warmup), 16, P.w1DeadlineMs)
    for (const concurrency of wants(1) ? [1, 16, 64] : []) {
      const rates: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
      const lat: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
      const cpuPerPin: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
      for (let run = 0; run < P.w1Runs; run++) {
        for (const f of order(run)) {
          const { cluster } = by(f)
          // Both clusters stay up: each run starts once neither is still busy with the last one.
          if (await waitAllQuiet(setups.map(x => x.cluster), P.w1QuietMaxMs, quietCores) >= P.w1QuietMaxMs) log(`  (the daemons were still busy after ${P.w1QuietMaxMs / 1000} s: measuring anyway)`)
          const cpu0 = cluster.cpu()
          const r = await pinLoad(cluster.peers.map(p => p.restUrl), randomCids(P.w1Pins[concurrency] as number), concurrency, P.w1DeadlineMs)
          const cpu = cluster.cpu() - cpu0
          if (r.errors > 0) log(`  ${f.name}: ${r.errors} failed pins (first: ${r.firstError})`)
          rates[f.name].push(r.rate)
          lat[f.name].push(...r.latencies)
          cpuPerPin[f.name].push(r.done > 0 ? 1000 * cpu / r.done : NaN)
          log(`  ${f.name} c=${concurrency} run ${run}: ${r.done} pins in ${r.seconds.toFixed(2)} s = ${r.rate.toFixed(1)} pins/s, p50 ${percentile(r.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(r.latencies, 0.99).toFixed(1)} ms, daemons' CPU ${(1000 * cpu / Math.max(1, r.done)).toFixed(2)} ms/pin`)
        }
      }
      for (const l of Object.values(lat)) l.sort((a, b) => a - b)
      const p = (name: 'go' | 'ts', q: number): string => percentile(lat[name], q).toFixed(1)
      addRow(`1. POST /pins, ${concurrency} client${concurrency === 1 ? '' : 's'} (stand-in Kubo)`, 'pins/s', 'higher', rates,
        `p50/p99 ms: Go ${p('go', 0.5)}/${p('go', 0.99)}, ours ${p('ts', 0.5)}/${p('ts', 0.99)}; daemons' CPU ms/pin: Go ${fmt(median(cpuPerPin.go))}, ours ${fmt(median(cpuPerPin.ts))}`)
      details[`w1-c${concurrency}-latency-ms`] = Object.fromEntries((['go', 'ts'] as const).map(n => [n, { p50: percentile(lat[n], 0.5), p90: percentile(lat[n], 0.9), p99: percentile(lat[n], 0.99), max: lat[n].at(-1) }]))
    }
    // Both ctls ask the same peer (Go's when it runs): the REST API is the same.
    if (wants(5)) await workload5((setups.find(s => s.f === goFlavour) ?? setups[0])?.cluster.peers[0]?.restApi as string)
  } finally {
    await Promise.all(setups.map(async s => {
      await s.cluster.stop()
      await Promise.all(s.kubos.map(async k => { await k.stop() }))
    }))
  }
}

// ---------------------------------------------------------------------------------------------
// Workload 3: big pinset, loaded with `state import`; the stand-ins already hold the pins.

function pinJson (cid: string, allocations: string[]): string {
  return JSON.stringify({
    replication_factor_min: 2, replication_factor_max: 2, name: '', mode: 'recursive', shard_size: 0, user_allocations: null,
    expire_at: '0001-01-01T00:00:00Z', metadata: null, pin_update: null, origins: [], cid, type: 'pin', allocations, max_depth: -1,
    reference: null, timestamp: '2026-01-01T00:00:00Z'
  })
}

async function workload3 (): Promise<void> {
  log(`workload 3: ${P.w3Pins} pins imported, one cluster at a time (an idle cluster with a big pinset still uses CPU)`)
  const dir = tempDir('side-by-side-state-')
  const cids = randomCids(P.w3Pins)
  const allocRates: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const pinsSecs: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const peakAlloc: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const peakPins: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const restRss: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const startSecs: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const ctlLsSecs: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const ctlLsPeak: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const agent = new Agent({ keepAlive: true })
  const measure = async (cluster: BenchCluster, path: string): Promise<{ seconds: number, items: number, peakMiB: number }> => {
    let peak = 0
    const sample = (): void => { for (let i = 0; i < cluster.peers.length; i++) peak = Math.max(peak, cluster.rss(i)) }
    const sampler = setInterval(sample, 50)
    const t0 = performance.now()
    try {
      const items = await streamNdjson(agent, `${cluster.peers[0]?.restUrl}${path}`)
      const seconds = (performance.now() - t0) / 1000
      // A listing shorter than the sampling period still gets one sample, right after it.
      sample()
      return { seconds, items, peakMiB: peak / MiB }
    } finally { clearInterval(sampler) }
  }
  try {
    for (const f of flavours) {
      const kubos = await standIns(3)
      const cluster = new BenchCluster({
        flavour: f,
        kuboApis: kubos.map(k => k.apiMultiaddr),
        importState: (ids) => {
          // Balanced allocations (each pin on 2 of the 3 peers), and each stand-in pre-filled with
          // the pins allocated to its peer, so the trackers find nothing to do.
          const file = join(dir, `${f.name}.ndjson`)
          const lines: string[] = []
          for (const [i, cid] of cids.entries()) {
            const a = i % 3
            const b = (i + 1) % 3
            lines.push(pinJson(cid, [ids[a] as string, ids[b] as string]))
            kubos[a]?.pins.set(cid, 'recursive')
            kubos[b]?.pins.set(cid, 'recursive')
          }
          writeFileSync(file, lines.join('\n') + '\n')
          return file
        }
      })
      try {
        const t0 = performance.now()
        await cluster.start(300_000)
        startSecs[f.name].push((performance.now() - t0) / 1000)
        log(`  ${f.name}: up with ${P.w3Pins} pins in ${((performance.now() - t0) / 1000).toFixed(1)} s (state import + start: ${Object.entries(cluster.startPhases).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')})`)
        // At rest: once what the start set going is over (ours checks every pin against IPFS a
        // second after its start: at 1M pins that pass would overlap the first listing).
        const quietMs = await cluster.waitQuiet()
        log(`  ${f.name}: quiet ${(quietMs / 1000).toFixed(1)} s after it was up${quietMs >= 120_000 ? ' (gave up waiting: still busy)' : ''}`)
        await sleep(5_000)
        restRss[f.name] = cluster.peers.map((_, i) => cluster.rss(i) / MiB)
        for (let run = 0; run < P.w3Runs; run++) {
          const a = await measure(cluster, '/allocations')
          if (a.items !== P.w3Pins) log(`  ${f.name}: /allocations listed ${a.items} of ${P.w3Pins}`)
          allocRates[f.name].push(a.items / a.seconds)
          peakAlloc[f.name].push(a.peakMiB)
          const s = await measure(cluster, '/pins')
          if (s.items !== P.w3Pins) log(`  ${f.name}: /pins listed ${s.items} of ${P.w3Pins}`)
          pinsSecs[f.name].push(s.items === P.w3Pins ? s.seconds : NaN)
          peakPins[f.name].push(s.peakMiB)
          log(`  ${f.name} run ${run}: /allocations ${a.items} in ${a.seconds.toFixed(2)} s; /pins ${s.items} in ${s.seconds.toFixed(2)} s; peak RSS ${a.peakMiB.toFixed(0)} / ${s.peakMiB.toFixed(0)} MiB`)
          await sleep(1_000)
        }
        // Each side's own ctl (ours: the built bin) listing the pinset into a pipe.
        const ctl = f.name === 'go' ? { command: goCtl, args: [] } : tsCtlDist
        for (let run = 0; run < P.w3Runs; run++) {
          const r = await runCounted(ctl.command, [...ctl.args, '--host', cluster.peers[0]?.restApi as string, 'pin', 'ls'], 600_000)
          if (r.stdoutLines !== P.w3Pins) log(`  ${f.name}: ctl pin ls printed ${r.stdoutLines} lines of ${P.w3Pins}`)
          ctlLsSecs[f.name].push(r.seconds)
          ctlLsPeak[f.name].push(r.peakRssBytes / MiB)
          log(`  ${f.name} run ${run}: ipfs-cluster-ctl pin ls ${r.stdoutLines} lines in ${r.seconds.toFixed(2)} s, peak RSS ${(r.peakRssBytes / MiB).toFixed(0)} MiB`)
        }
      } finally {
        await cluster.stop()
        await Promise.all(kubos.map(async k => { await k.stop() }))
      }
    }
  } finally { agent.destroy() }
  // The import alone, one peer per mode, sides alternating (the file of the last cluster).
  const importSecs: Record<'raft' | 'crdt', Record<'go' | 'ts', number[]>> = { raft: { go: [], ts: [] }, crdt: { go: [], ts: [] } }
  for (let run = 0; run < (BIG_PINS === undefined ? 2 : 0); run++) {
    for (const f of order(run)) {
      for (const mode of ['raft', 'crdt'] as const) importSecs[mode][f.name].push(await timeStateImport(f, mode, join(dir, `${f.name}.ndjson`)))
    }
  }
  const k = `${P.w3Pins / 1000}k`
  if (BIG_PINS === undefined) {
    addRow(`3. state import alone (one peer, Raft), ${k} pins`, 's', 'lower', importSecs.raft, 'the command, from spawn to exit; 2 runs')
    addRow(`3. state import alone (one peer, CRDT), ${k} pins`, 's', 'lower', importSecs.crdt, 'the command, from spawn to exit; 2 runs; Go with its Pebble datastore')
  }
  addRow(`3. state import + start, ${k} pins`, 's', 'lower', startSecs, 'until every peer answers and a pin commits')
  addRow(`3. GET /allocations, ${k} pins`, 'items/s', 'higher', allocRates)
  addRow(`3. GET /pins (global status), ${k} pins`, 's', 'lower', pinsSecs)
  addRow(`3. RSS at rest, ${k} pins (per peer)`, 'MiB', 'lower', restRss, 'one sample per peer, 5 s after the daemons went quiet (below 0.1 CPU over 2 s, at most 120 s)')
  addRow(`3. peak RSS during GET /allocations, ${k} pins`, 'MiB', 'lower', peakAlloc, 'largest peer, sampled every 50 ms')
  addRow(`3. peak RSS during GET /pins, ${k} pins`, 'MiB', 'lower', peakPins, 'largest peer, sampled every 50 ms')
  addRow(`3. ipfs-cluster-ctl pin ls, ${k} pins`, 's', 'lower', ctlLsSecs, 'each side\'s ctl (ours: the built bin), stdout to a pipe read as it comes')
  addRow(`3. peak RSS of ipfs-cluster-ctl pin ls, ${k} pins`, 'MiB', 'lower', ctlLsPeak, 'VmHWM read every 20 ms')
}

// ---------------------------------------------------------------------------------------------
// Workloads 2 and 4: a real Kubo per peer. Pin N local blocks, wait for `pinned`; then kill -9
// one peer and wait until its pins are re-allocated and pinned on the two others.

interface StatusItem { cid: string, allocations: string[] | null, peer_map: Record<string, { status: string }> | null }

function pinnedOnAllocations (item: StatusItem, dead?: string): boolean {
  const allocs = item.allocations ?? []
  if (allocs.length < 2 || (dead !== undefined && allocs.includes(dead))) return false
  return allocs.every(a => item.peer_map?.[a]?.status === 'pinned')
}

interface PinWait { all: number, p99: number, stuck: number, stuckBy: Record<string, number> }

/**
 * Polls GET /pins until every CID of `wanted` is pinned on its allocations (without `dead`).
 * Returns the time to 95 % and to 100 % (NaN when some pins stay unpinned: it gives up after
 * `timeoutMs`, or 15 s (quick) / 30 s without progress once 95 % are pinned), and what the stuck ones show.
 */
async function waitPinned (agent: Agent, restUrl: string, wanted: Set<string>, timeoutMs: number, dead?: string): Promise<PinWait> {
  const t0 = performance.now()
  let pending = new Map<string, number>()
  let p99 = NaN
  let best = 0
  let lastProgress = t0
  let ok = 0
  while (performance.now() - t0 < timeoutMs) {
    ok = 0
    pending = new Map()
    const tPoll = performance.now()
    try {
      await streamNdjson(agent, `${restUrl}/pins`, (item: StatusItem) => {
        if (!wanted.has(item.cid)) return
        if (pinnedOnAllocations(item, dead)) { ok++; return }
        for (const a of item.allocations ?? []) {
          const st = item.peer_map?.[a]?.status ?? 'missing'
          if (st !== 'pinned') pending.set(st, (pending.get(st) ?? 0) + 1)
        }
      })
    } catch (err) { log(`  poll failed: ${(err as Error).message}`) }
    const elapsed = (performance.now() - t0) / 1000
    if (ok >= 0.95 * wanted.size && Number.isNaN(p99)) p99 = elapsed
    if (ok >= wanted.size) return { all: elapsed, p99, stuck: 0, stuckBy: {} }
    if (ok > best) { best = ok; lastProgress = performance.now() }
    if (!Number.isNaN(p99) && performance.now() - lastProgress > (QUICK ? 15_000 : 30_000)) break
    await sleep(Math.max(250, Math.min(2_000, performance.now() - tPoll)))
  }
  const stuckBy = Object.fromEntries(pending)
  log(`  gave up: ${wanted.size - ok} pins not pinned on their allocations; their allocations' statuses: ${JSON.stringify(stuckBy)}`)
  return { all: NaN, p99, stuck: wanted.size - ok, stuckBy }
}

/** Polls GET /allocations until no pin of `victims` is allocated to `dead`. */
async function waitReallocated (agent: Agent, restUrl: string, victims: Set<string>, dead: string, timeoutMs: number): Promise<boolean> {
  const t0 = performance.now()
  while (performance.now() - t0 < timeoutMs) {
    let moved = 0
    try {
      await streamNdjson(agent, `${restUrl}/allocations`, (pin: { cid: string, allocations: string[] | null }) => {
        if (victims.has(pin.cid) && !(pin.allocations ?? []).includes(dead) && (pin.allocations ?? []).length >= 2) moved++
      })
    } catch (err) { log(`  poll failed: ${(err as Error).message}`) }
    if (moved === victims.size) return true
    await sleep(250)
  }
  return false
}

async function workloads2and4 (): Promise<void> {
  const pinTimes: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const postRates: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const failover: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const failover99: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const reallocTimes: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const pinTimes99: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const stuck: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const stuck4: Record<'go' | 'ts', number[]> = { go: [], ts: [] }
  const stuckNote = (s: Record<'go' | 'ts', number[]>): string => `pins never pinned (per run): Go [${s.go.join(', ')}], ours [${s.ts.join(', ')}]`
  const victimsCount: number[] = []
  for (let run = 0; run < P.w2Runs; run++) {
    for (const f of order(run)) {
      log(`workload 2/4: ${f.name} run ${run}: 3 Kubos + cluster`)
      const kubos = await Promise.all([0, 1, 2].map(async () => await KuboDaemon.start()))
      const cluster = new BenchCluster({ flavour: f, kuboApis: kubos.map(k => k.apiMultiaddr) })
      const agent = new Agent({ keepAlive: true })
      try {
        for (const a of kubos) for (const b of kubos) if (a !== b) await a.connect(b).catch(() => {})
        await cluster.start()
        const cids = await putBlocks(kubos[0] as KuboDaemon, P.w2Pins)
        const t0 = performance.now()
        const load = await pinLoad(cluster.peers.map(p => p.restUrl), cids, 16)
        if (load.errors > 0) log(`  ${f.name}: ${load.errors} failed pins (first: ${load.firstError})`)
        const tWait = performance.now()
        const w = await waitPinned(agent, cluster.peers[0]?.restUrl as string, new Set(cids), P.pollTimeoutMs)
        const offset = (tWait - t0) / 1000
        pinTimes[f.name].push(w.all + offset)
        pinTimes99[f.name].push(w.p99 + offset)
        stuck[f.name].push(w.stuck)
        postRates[f.name].push(load.rate)
        log(`  ${f.name}: ${cids.length} POSTs in ${load.seconds.toFixed(1)} s (${load.rate.toFixed(0)}/s); 95 % pinned after ${(w.p99 + offset).toFixed(1)} s, all after ${(w.all + offset).toFixed(1)} s`)
        if (!wants(4)) continue

        // Workload 4: kill -9 peer 2 (its Kubo stays up; blocks live on Kubo 0).
        const dead = cluster.peers[2]?.id as string
        const victims = new Set<string>()
        await streamNdjson(agent, `${cluster.peers[0]?.restUrl}/allocations`, (pin: { cid: string, allocations: string[] | null }) => {
          if ((pin.allocations ?? []).includes(dead)) victims.add(pin.cid)
        })
        victimsCount.push(victims.size)
        const k0 = performance.now()
        await cluster.kill(2)
        const moved = await waitReallocated(agent, cluster.peers[0]?.restUrl as string, victims, dead, P.pollTimeoutMs)
        const reallocated = (performance.now() - k0) / 1000
        const left = P.pollTimeoutMs - (performance.now() - k0)
        // Pins that never got pinned before the kill are not counted against the failover.
        const w4 = moved ? await waitPinned(agent, cluster.peers[0]?.restUrl as string, victims, left, dead) : { all: NaN, p99: NaN, stuck: victims.size, stuckBy: {} }
        failover[f.name].push(w4.all + reallocated)
        failover99[f.name].push(w4.p99 + reallocated)
        reallocTimes[f.name].push(moved ? reallocated : NaN)
        stuck4[f.name].push(w4.stuck)
        log(`  ${f.name}: killed peer2 holding ${victims.size} pins; re-allocated after ${reallocated.toFixed(1)} s, 95 % pinned after ${(w4.p99 + reallocated).toFixed(1)} s, all after ${(w4.all + reallocated).toFixed(1)} s`)
      } finally {
        agent.destroy()
        await cluster.stop()
        await Promise.all(kubos.map(async k => { await k.stop() }))
      }
    }
  }
  if (wants(2)) {
    addRow(`2. ${P.w2Pins} pins of local blocks, real Kubo: time to 95 % pinned`, 's', 'lower', pinTimes99, 'from first POST (16 clients) until 95 % are pinned on both allocations; polling GET /pins')
    addRow(`2. same: time to all pinned`, 's', 'lower', pinTimes, `"failed" = some never showed pinned; ${stuckNote(stuck)}`)
    addRow(`2. same: POST /pins rate with real Kubo (16 clients)`, 'pins/s', 'higher', postRates)
  }
  if (wants(4)) {
    const v = `${fmt(median(victimsCount))} of its pins`
    addRow(`4. kill -9 one of 3 peers (${v}): time until all re-allocated`, 's', 'lower', reallocTimes, 'from kill until GET /allocations shows none on the dead peer; monitor_ping_interval 2s, check_interval 2s, metric_ttl 4s')
    addRow(`4. same: time until 95 % re-pinned elsewhere`, 's', 'lower', failover99)
    addRow(`4. same: time until all re-pinned elsewhere`, 's', 'lower', failover, stuckNote(stuck4))
  }
}

// ---------------------------------------------------------------------------------------------
// Workload 5: ipfs-cluster-ctl cold start (both against the same peer).

function timeCommand (command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    execFile(command, args, { timeout: 30_000 }, (err) => {
      if (err !== null) reject(err)
      else resolve((performance.now() - t0) / 1000 * 1000)
    })
  })
}

async function workload5 (host: string): Promise<void> {
  log('workload 5: ctl cold start')
  const variants: Array<{ name: string, command: string, args: string[] }> = [
    { name: 'go', command: goCtl, args: [] },
    { name: 'ts', ...tsCtlSource },
    { name: 'ts-dist', ...tsCtlDist },
    // The floor of any Node program, for the target "within 15 ms of bare Node".
    { name: 'node', command: process.execPath, args: ['-e', '0'] }
  ]
  const distWorks = await timeCommand(tsCtlDist.command, [...tsCtlDist.args, '--host', host, 'version']).then(() => true, () => false)
  if (!distWorks) log('  (apps/ctl/dist is not built or does not run: only the source variant is measured)')
  for (const sub of ['version', 'id']) {
    const samples: Record<string, number[]> = { go: [], ts: [], 'ts-dist': [], node: [] }
    for (let run = 0; run < P.w5Runs; run++) {
      const vs = run % 2 === 0 ? variants : [...variants].reverse()
      for (const v of vs) {
        if (v.name === 'ts-dist' && !distWorks) continue
        samples[v.name]?.push(await timeCommand(v.command, v.name === 'node' ? v.args : [...v.args, '--host', host, sub]))
      }
    }
    // Ours = the installed program (bin → dist/, what npm installs) when it is built; the run
    // from TypeScript sources (type stripping on every start) is reported beside it.
    const source = stats(samples.ts ?? [])
    const ours = distWorks ? samples['ts-dist'] ?? [] : samples.ts ?? []
    const bare = stats(samples.node ?? [])
    const overBare = `bare \`node -e 0\`: median ${fmt(bare.median)} ms, ours ${fmt(stats(ours).median - bare.median)} ms above it`
    addRow(`5. ipfs-cluster-ctl ${sub} (cold start)`, 'ms', 'lower', { go: samples.go ?? [], ts: ours },
      distWorks
        ? `ours = the built bin (bin/ipfs-cluster-ctl.js → dist/); ${overBare}; from sources (--conditions=source): median ${fmt(source.median)} ms (${fmt(source.min)}–${fmt(source.max)})`
        : `ours from sources (--conditions=source): dist/ is not built; ${overBare}`)
  }
}

// ---------------------------------------------------------------------------------------------

function writeReport (startedAt: number): void {
  mkdirSync(resultsDir, { recursive: true })
  const date = new Date().toISOString().slice(0, 10)
  // A partial run (some workloads, one side) gets its own file: it must not replace the suite's.
  const partial = [ONLY === undefined ? '' : `only-${[...ONLY].join('-')}`, argv.includes('--flavour') ? flavours.map(f => f.name).join('-') : '',
    BIG_PINS === undefined ? '' : `w3-${BIG_PINS}`].filter(p => p !== '')
  const name = ['side-by-side', ...partial].join('-')
  const m = machine()
  const cell = (s: Stats): string => s.runs === 0 ? 'failed' : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`
  const verdict = (r: Row): string => {
    if (!Number.isFinite(r.ratio)) return '—'
    const better = r.better === 'higher' ? r.ratio >= 1 : r.ratio <= 1
    return `${fmt(r.ratio)}${better ? '' : ' ✗'}`
  }
  const table = [
    '| workload | unit | Go v1.1.6: median (min–max) | ours: median (min–max) | ours/Go | note |',
    '|---|---|---|---|---|---|',
    ...rows.map(r => `| ${r.workload} | ${r.unit} (${r.better} is better) | ${cell(r.go)} | ${cell(r.ts)} | ${verdict(r)} | ${r.note} |`)
  ].join('\n')
  const minutes = ((performance.now() - startedAt) / 60_000).toFixed(1)
  const md = `# Side by side: ours vs Go IPFS Cluster v1.1.6 (${date}${QUICK ? ', quick mode' : ''})\n\n` +
    `Machine: ${m.cpus} × ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}. Suite time ${minutes} min.\n` +
    'Both clusters: 3 peers on loopback, Raft, replication factor 2, monitor_ping_interval 2s, check_interval 2s, informer metric_ttl 4s, repinning on; ' +
    'runs alternate between the two (in workload 1 each once both clusters are quiet, below their CPU at rest + 0.1 core over 2 s, after an unmeasured first load); the load generator and the Kubo stand-ins share the machine with the daemons. ✗ marks where ours is worse.\n\n' +
    `${table}\n`
  const base = join(resultsDir, `${name}-${date}${QUICK ? '-quick' : ''}`)
  writeFileSync(`${base}.json`, JSON.stringify({ name, date, quick: QUICK, machine: m, minutes: Number(minutes), params: P, rows, details }, null, 2) + '\n')
  writeFileSync(`${base}.md`, md)
  console.log('\n' + md)
  console.log(`written: ${base}.{json,md}`)
}

installCleanupHandlers()
const startedAt = performance.now()
try {
  log(`side-by-side benchmark${QUICK ? ' (quick)' : ''}: preparing the Go cluster tools`)
  for (const f of flavours) await f.prepare()
  if (wants(1) || wants(5)) await workload1()
  if (wants(3)) await workload3()
  if (wants(2) || wants(4)) await workloads2and4()
  writeReport(startedAt)
} catch (err) {
  console.error(err)
  if (rows.length > 0) writeReport(startedAt)
  process.exitCode = 1
} finally {
  cleanupAll()
}

// CRDT side by side: our cluster against Go IPFS Cluster v1.1.6 in CRDT mode (Go's default),
// same machine, same settings (3 peers, trusted_peers '*', Go's pebble datastore, replication
// factor 2, 2 s monitoring), same load generator, Kubo replaced by stand-ins that answer at once
// (bench/lib/fake-kubo.ts). Workloads:
//  1. POST /pins/<cid> at 1, 16, 64 concurrent clients, (a) without batching, (b) with
//     crdt.batching max_batch_size 100, max_batch_age 50ms on both; besides the answered rate,
//     the rate until every pin is listed by GET /allocations on all 3 peers;
//  2. catch-up: N pins written as users do (64 parallel clients of single POST /pins, no
//     batching), then a 4th empty peer started with --bootstrap: time until its GET /allocations
//     lists N pins, its peak RSS, its CRDT store's size on disk. Several fresh peers per seeded
//     cluster; one cluster at a time (an idle cluster with a big pinset still uses CPU).
// Run: `pnpm bench crdt [--quick]` (or `node --conditions=source bench/crdt.ts [--quick]
// [--only 1,2] [--flavour go|ts]`); workload 2 takes `--seed-batching` (the seeded cluster runs
// with workload 1's batching, so the new peer walks one delta per ~100 pins: Go's advice for big
// pinsets), `--catch-pins N` and `--catch-timeout <s>`; BENCH_SMOKE=1 shrinks everything to a few seconds (results
// to a temporary folder). Results: bench/results/crdt-<date>[-quick].{json,md}; a partial run
// (--only, --flavour) writes crdt-only-1-ts-<date>… beside it.
import { execFileSync } from 'node:child_process'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { BenchCluster, restingCpu, waitAllQuiet, type CrdtSettings, type Flavour } from './lib/cluster.ts'
import { FakeKubo } from './lib/fake-kubo.ts'
import { goFlavour } from './lib/go-cluster.ts'
import { tsFlavour } from './lib/ts-cluster.ts'
import { randomCids } from './lib/cids.ts'
import { percentile, pinLoad, sleep, streamNdjson } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers, rssBytes } from './lib/processes.ts'
import { fmt, log, perSide, Report, stats, type Side } from './lib/report.ts'

const argv = process.argv.slice(2)
const envOn = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0'
const SMOKE = argv.includes('--smoke') || envOn(process.env.BENCH_SMOKE)
const QUICK = SMOKE || argv.includes('--quick') || envOn(process.env.QUICK)
const onlyArg = argv[argv.indexOf('--only') + 1]
const ONLY = argv.includes('--only') && onlyArg !== undefined ? new Set(onlyArg.split(',').map(Number)) : undefined
const wants = (w: number): boolean => ONLY === undefined || ONLY.has(w)

const P = SMOKE
  ? { w1Runs: 1, w1Pins: { 1: 10, 16: 48, 64: 128 } as Record<number, number>, w1Warmup: 20, w1QuietMaxMs: 10_000, w1DeadlineMs: 5_000, visibleTimeoutMs: 90_000, catchPins: 300, catchRuns: 1, catchTimeoutMs: 120_000 }
  : QUICK
    ? { w1Runs: 2, w1Pins: { 1: 60, 16: 300, 64: 400 } as Record<number, number>, w1Warmup: 200, w1QuietMaxMs: 30_000, w1DeadlineMs: 8_000, visibleTimeoutMs: 90_000, catchPins: 10_000, catchRuns: 2, catchTimeoutMs: 300_000 }
    : { w1Runs: 3, w1Pins: { 1: 300, 16: 1500, 64: 2500 } as Record<number, number>, w1Warmup: 500, w1QuietMaxMs: 60_000, w1DeadlineMs: 20_000, visibleTimeoutMs: 90_000, catchPins: 100_000, catchRuns: 3, catchTimeoutMs: 1_800_000 }
const numberArg = (name: string): number | undefined => argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : undefined
P.catchPins = numberArg('--catch-pins') ?? P.catchPins
P.catchTimeoutMs = (numberArg('--catch-timeout') ?? P.catchTimeoutMs / 1000) * 1000
const SEED_BATCHING = argv.includes('--seed-batching')
const BATCHING = { max_batch_size: 100, max_batch_age: '50ms' }
/** Go's default is 1m: a new peer would mostly wait for the next rebroadcast of the heads. */
const CATCHUP_REBROADCAST = '5s'
const SEED_CLIENTS = 64

const flavourArg = argv[argv.indexOf('--flavour') + 1]
const flavours: Flavour[] = [goFlavour, tsFlavour].filter(f => !argv.includes('--flavour') || f.name === flavourArg)
/** Alternating order: Go first on even runs, ours first on odd runs. */
const order = (run: number): Flavour[] => run % 2 === 0 ? flavours : [...flavours].reverse()
// A partial run (some workloads, one side) gets its own file: it must not replace the suite's.
const partial = [ONLY === undefined ? '' : `only-${[...ONLY].join('-')}`, argv.includes('--flavour') ? flavours.map(f => f.name).join('-') : '', SEED_BATCHING ? 'seed-batching' : ''].filter(p => p !== '')
const report = new Report(['crdt', ...partial].join('-'), 'CRDT side by side: ours vs Go IPFS Cluster v1.1.6', QUICK && !SMOKE)
const MiB = 2 ** 20

async function standIns (n: number): Promise<FakeKubo[]> {
  const kubos = Array.from({ length: n }, () => new FakeKubo())
  await Promise.all(kubos.map(async k => { await k.start() }))
  return kubos
}

/**
 * Creates and starts a cluster; again (up to 3 times) when a peer could not listen on a port
 * `init --randomports` had found free (other programs on the machine may take it in between).
 */
async function startCluster (opts: ConstructorParameters<typeof BenchCluster>[0]): Promise<BenchCluster> {
  for (let attempt = 1; ; attempt++) {
    const cluster = new BenchCluster(opts)
    try {
      await cluster.start()
      return cluster
    } catch (err) {
      await cluster.stop()
      if (attempt >= 3 || !/EADDRINUSE|address already in use/.test((err as Error).message)) throw err
      log(`  ${cluster.name}: a port found free at init was taken before the start; again (${(err as Error).message.split('\n').at(-1)})`)
    }
  }
}

/** Number of pins GET /allocations lists on a peer (NaN when it does not answer). */
async function allocationCount (agent: Agent, restUrl: string): Promise<number> {
  try { return await streamNdjson(agent, `${restUrl}/allocations`, undefined, 120_000) } catch { return NaN }
}

/** Polls every peer until each lists at least `want` pins; performance.now() then, or NaN on timeout. */
async function waitListed (agent: Agent, urls: string[], want: number, timeoutMs: number, everyMs = 100): Promise<number> {
  const deadline = performance.now() + timeoutMs
  let counts: number[] = []
  while (performance.now() < deadline) {
    counts = await Promise.all(urls.map(async u => await allocationCount(agent, u)))
    if (counts.every(c => c >= want)) return performance.now()
    await sleep(everyMs)
  }
  log(`  gave up waiting: peers list ${JSON.stringify(counts)} pins, ${want} expected`)
  return NaN
}

// ---------------------------------------------------------------------------------------------
// Workload 1: POST /pins at 1/16/64 clients, without and with batching.

async function workload1 (batching: boolean): Promise<void> {
  const label = batching ? `batching ${BATCHING.max_batch_size}/${BATCHING.max_batch_age}` : 'no batching'
  log(`workload 1 (${label}): starting both CRDT clusters on stand-in Kubos`)
  const crdt: CrdtSettings = batching ? { batching: BATCHING } : {}
  const setups = await Promise.all(flavours.map(async f => {
    const kubos = await standIns(3)
    const cluster = await startCluster({ flavour: f, consensus: 'crdt', crdt, prefix: 'crdt-bench', kuboApis: kubos.map(k => k.apiMultiaddr) })
    return { f, kubos, cluster, listed: 0 }
  }))
  const by = (f: Flavour): typeof setups[number] => setups.find(s => s.f === f) as typeof setups[number]
  const agent = new Agent({ keepAlive: true })
  try {
    // Quiet before a run = below what both clusters use at rest (they ping and check) + 0.1 core.
    await sleep(3_000) // what the start leaves to do
    const quietCores = await restingCpu(setups.map(x => x.cluster)) + 0.1
    log(`  both clusters at rest: ${(quietCores - 0.1).toFixed(2)} cores`)
    // Not measured: a first load, as a peer that has run a while has had (caches, V8's optimised code).
    for (const s of setups) {
      const warm = await pinLoad(s.cluster.peers.map(p => p.restUrl), randomCids(P.w1Warmup), 16, P.w1DeadlineMs)
      await waitListed(agent, s.cluster.peers.map(p => p.restUrl), s.listed + warm.done, P.visibleTimeoutMs)
      s.listed += warm.done
    }
    for (const concurrency of [1, 16, 64]) {
      const rates = perSide()
      const visibleRates = perSide()
      const lat: Record<Side, number[]> = perSide()
      const cpuPerPin = perSide()
      // With one client every write goes to peer 0: how its CPU and the others' split, during the load.
      const writerCpu = perSide()
      const otherCpu = perSide()
      for (let run = 0; run < P.w1Runs; run++) {
        for (const f of order(run)) {
          const s = by(f)
          const { cluster } = s
          await quietBeforeRun(setups.map(x => x.cluster), quietCores)
          const cpu0 = cluster.cpu()
          const perPeer0 = cluster.cpuPerPeer()
          const t0 = performance.now()
          const r = await pinLoad(cluster.peers.map(p => p.restUrl), randomCids(P.w1Pins[concurrency] as number), concurrency, P.w1DeadlineMs)
          const split = cluster.cpuSplitSince(perPeer0, r.done)
          writerCpu[f.name].push(split.writer)
          otherCpu[f.name].push(split.others)
          const tVisible = await waitListed(agent, cluster.peers.map(p => p.restUrl), s.listed + r.done, P.visibleTimeoutMs)
          const cpu = cluster.cpu() - cpu0
          s.listed += r.done
          if (r.errors > 0) log(`  ${f.name}: ${r.errors} failed pins (first: ${r.firstError})`)
          const visibleSeconds = (tVisible - t0) / 1000
          rates[f.name].push(r.rate)
          visibleRates[f.name].push(r.done / visibleSeconds)
          lat[f.name].push(...r.latencies)
          cpuPerPin[f.name].push(r.done > 0 ? 1000 * cpu / r.done : NaN)
          log(`  ${f.name} ${label} c=${concurrency} run ${run}: ${r.done} pins answered in ${r.seconds.toFixed(2)} s = ${r.rate.toFixed(1)} pins/s, ` +
            `listed on all 3 peers after ${visibleSeconds.toFixed(2)} s = ${(r.done / visibleSeconds).toFixed(1)} pins/s, p50 ${percentile(r.latencies, 0.5).toFixed(1)} ms, ` +
            `p99 ${percentile(r.latencies, 0.99).toFixed(1)} ms, daemons' CPU ${(1000 * cpu / Math.max(1, r.done)).toFixed(2)} ms/pin`)
        }
      }
      for (const l of Object.values(lat)) l.sort((a, b) => a - b)
      const p = (name: Side, q: number): string => percentile(lat[name], q).toFixed(1)
      const clients = `${concurrency} client${concurrency === 1 ? '' : 's'}`
      const split = concurrency === 1
        ? `; CPU ms/pin during the load, peer taking the writes / each other peer: Go ${fmt(median(writerCpu.go))} / ${fmt(median(otherCpu.go))}, ours ${fmt(median(writerCpu.ts))} / ${fmt(median(otherCpu.ts))}`
        : ''
      report.add(`1. POST /pins, ${clients}, ${label}: answered`, 'pins/s', 'higher', rates,
        `p50/p99 ms: Go ${p('go', 0.5)}/${p('go', 0.99)}, ours ${p('ts', 0.5)}/${p('ts', 0.99)}; daemons' CPU ms/pin (until listed everywhere): Go ${fmt(median(cpuPerPin.go))}, ours ${fmt(median(cpuPerPin.ts))}${split}`)
      report.add(`1. same, ${clients}, ${label}: listed on all 3 peers`, 'pins/s', 'higher', visibleRates,
        'pins / time from the first POST until GET /allocations on every peer lists them (polled every 100 ms)')
      report.details[`w1-${batching ? 'batching' : 'plain'}-c${concurrency}-latency-ms`] = Object.fromEntries((['go', 'ts'] as const).map(n => [n, { p50: percentile(lat[n], 0.5), p90: percentile(lat[n], 0.9), p99: percentile(lat[n], 0.99), max: lat[n].at(-1) }]))
    }
  } finally {
    agent.destroy()
    await Promise.all(setups.map(async s => {
      await s.cluster.stop()
      await Promise.all(s.kubos.map(async k => { await k.stop() }))
    }))
  }
}

/** Both clusters stay up: each run starts once neither is still busy with the last one. */
async function quietBeforeRun (clusters: BenchCluster[], cores: number): Promise<void> {
  const waited = await waitAllQuiet(clusters, P.w1QuietMaxMs, cores)
  if (waited >= P.w1QuietMaxMs) log(`  (the daemons were still busy after ${P.w1QuietMaxMs / 1000} s: measuring anyway)`)
}

/** Median of the finite samples (NaN when none). */
const median = (xs: number[]): number => stats(xs).median

// ---------------------------------------------------------------------------------------------
// Workload 2: catch-up of a new peer.

function diskMiB (path: string): number {
  try { return Number(execFileSync('du', ['-sk', path], { encoding: 'utf8' }).split('\t')[0]) / 1024 } catch { return NaN }
}

async function workload2 (): Promise<void> {
  const N = P.catchPins
  const k = N >= 1000 ? `${N / 1000}k` : String(N)
  log(`workload 2: catch-up of ${k} pins, one cluster at a time`)
  const seedRates = perSide()
  const seedListed = perSide()
  const catchSecs = perSide()
  const firstSecs = perSide()
  const peakRss = perSide()
  const disk = perSide()
  const sourceDisk = perSide()
  const pinRm = perSide()
  const agent = new Agent({ keepAlive: true })
  try {
    for (const f of flavours) {
      const kubos = await standIns(3)
      let cluster: BenchCluster | undefined
      try {
        const crdt: CrdtSettings = { rebroadcastInterval: CATCHUP_REBROADCAST, ...(SEED_BATCHING ? { batching: BATCHING } : {}) }
        cluster = await startCluster({ flavour: f, consensus: 'crdt', crdt, prefix: 'crdt-bench', kuboApis: kubos.map(k => k.apiMultiaddr) })
        const urls = cluster.peers.map(p => p.restUrl)
        const t0 = performance.now()
        const seed = await pinLoad(urls, randomCids(N), SEED_CLIENTS)
        if (seed.errors > 0) log(`  ${f.name}: ${seed.errors} failed pins while seeding (first: ${seed.firstError})`)
        const tListed = await waitListed(agent, urls, seed.done, P.catchTimeoutMs, 1_000)
        seedRates[f.name].push(seed.rate)
        seedListed[f.name].push((tListed - t0) / 1000)
        sourceDisk[f.name].push(diskMiB(cluster.dataFolder(0)))
        log(`  ${f.name}: seeded ${seed.done} pins in ${seed.seconds.toFixed(1)} s (${seed.rate.toFixed(0)}/s), listed on all 3 peers after ${((tListed - t0) / 1000).toFixed(1)} s`)
        // A peer that never lists them all (seen with Go: its DAG walk stalls) does not stop the
        // catch-up measurement: the new peer fetches from every peer.
        if (Number.isNaN(tListed)) log(`  ${f.name}: the seeded pins never showed on every peer (BENCH_LOG_DIR=<dir> keeps the daemon logs); measuring the catch-up anyway`)
        await sleep(3_000)
        for (let run = 0; run < P.catchRuns; run++) {
          const kubo = new FakeKubo()
          await kubo.start()
          const p = await cluster.addPeer(kubo.apiMultiaddr)
          const started = p.startedAt as number
          let peak = 0
          const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(p.daemon?.pid)) }, 100)
          let count = 0
          let first = NaN
          let done = NaN
          try {
            while (performance.now() - started < P.catchTimeoutMs) {
              if (p.daemon?.exitCode !== null && p.daemon?.exitCode !== undefined) throw new Error(`${f.name}: the new peer exited (${p.daemon.exitCode}): see ${p.folder}/daemon.log`)
              const tPoll = performance.now()
              count = await allocationCount(agent, p.restUrl)
              if (count > 0 && Number.isNaN(first)) first = (performance.now() - started) / 1000
              if (count >= seed.done) { done = (performance.now() - started) / 1000; break }
              await sleep(Math.max(500, performance.now() - tPoll))
            }
          } finally { clearInterval(sampler) }
          peak = Math.max(peak, rssBytes(p.daemon?.pid))
          catchSecs[f.name].push(done)
          firstSecs[f.name].push(first)
          peakRss[f.name].push(peak / MiB)
          disk[f.name].push(diskMiB(cluster.dataFolder(p.index)))
          pinRm[f.name].push(kubo.calls.get('pin/rm') ?? 0)
          log(`  ${f.name} run ${run}: new peer${p.index} lists ${Number.isNaN(done) ? `only ${count} of ${seed.done} after ${P.catchTimeoutMs / 1000} s` : `all ${seed.done} pins after ${done.toFixed(1)} s`} ` +
            `(first pin after ${first.toFixed(1)} s), peak RSS ${(peak / MiB).toFixed(0)} MiB, store ${fmt(disk[f.name].at(-1) as number)} MiB, pin/rm calls to its IPFS ${pinRm[f.name].at(-1)}`)
          await cluster.stopPeer(p.index)
          await kubo.stop()
        }
      } finally {
        await cluster?.stop()
        await Promise.all(kubos.map(async k => { await k.stop() }))
      }
    }
  } finally { agent.destroy() }
  const seeding = SEED_BATCHING ? `batching ${BATCHING.max_batch_size}/${BATCHING.max_batch_age}` : 'no batching'
  report.add(`2. seeding ${k} pins: POST /pins, ${SEED_CLIENTS} clients, ${seeding}`, 'pins/s', 'higher', seedRates)
  report.add('2. same: until listed on all 3 peers', 's', 'lower', seedListed, 'from the first POST')
  report.add(`2. catch-up of a new (4th) peer, ${k} pins`, 's', 'lower', catchSecs,
    `from spawning the daemon (--bootstrap peer 0) until its GET /allocations lists all; polled every max(0.5 s, poll time); rebroadcast_interval ${CATCHUP_REBROADCAST} on both; first pin listed after (median) Go ${fmt(median(firstSecs.go))} s, ours ${fmt(median(firstSecs.ts))} s`)
  report.add(`2. same: peak RSS of the new peer`, 'MiB', 'lower', peakRss, 'sampled every 100 ms')
  report.add(`2. same: the new peer's CRDT store on disk`, 'MiB', 'lower', disk, `du -sk of <config>/pebble (Go) or <config>/crdt (ours); a seeded peer's: Go ${fmt(median(sourceDisk.go))} MiB, ours ${fmt(median(sourceDisk.ts))} MiB`)
  report.details['w2-pin-rm-calls-of-new-peer'] = pinRm
  report.details['w2-first-pin-seconds'] = firstSecs
}

// ---------------------------------------------------------------------------------------------

function write (): void {
  const setup = 'Both clusters: 3 peers on loopback, CRDT (trusted_peers "*", `init --datastore pebble`: Go keeps its state in Pebble, ours in SQLite files), ' +
    'replication factor 2, monitor_ping_interval 2s, check_interval 2s, informer metric_ttl 4s, Kubo stand-ins answering at once; ' +
    'runs alternate between the two in workload 1, each once both clusters are quiet (below their CPU at rest + 0.1 core over 2 s, at most ' + `${P.w1QuietMaxMs / 1000} s), after an unmeasured first load of ${P.w1Warmup} pins on each; the load generator and the stand-ins share the machine with the daemons.`
  const notes = [
    `With batching (max_batch_size ${BATCHING.max_batch_size}, max_batch_age ${BATCHING.max_batch_age}) both answer POST /pins before the batch commits: Go once the pin is queued in memory, ours once it is in the batching journal on disk (it survives kill -9). The "listed on all 3 peers" rate measures when the batches are committed and merged everywhere.`,
    'Workload 1 keeps Go\'s default rebroadcast_interval (1m) on both sides; a peer that misses a broadcast lists the pins only after a later write or rebroadcast (seen with Go in smoke runs: a peer listing 51 of 58 pins for 90 s; while seeding, a peer stuck at 97 of 300 for 2 min, its log showing at shutdown "error processing new head: error getting root delta priority: context canceled"), which the "listed" rate shows as it is (it gives up after 90 s: "failed").',
    'On this 2-core machine the three daemons share the CPU, so the answered rate also depends on what the peers that did not take the write do meanwhile. The 1-client rows split the CPU used during the load between the peer taking the writes and each other peer: ours merge every delta as it arrives (and list the pin within ~0.1 s), Go\'s do little during the load and merge later (its "listed" rate).',
    SEED_BATCHING
      ? `Catch-up: the pinset is written by 64 clients of single POST /pins to a cluster batching ${BATCHING.max_batch_size} writes or ${BATCHING.max_batch_age}, so the new peer walks about one delta per ${BATCHING.max_batch_size} pins on both sides; several fresh peers join each seeded cluster, one after the other.`
      : 'Catch-up: the pinset is written as users write it, one POST /pins per pin from 64 clients without batching, so the new peer walks one delta per pin on both sides; several fresh peers join each seeded cluster, one after the other.'
  ]
  report.write(setup, { ...P, batching: BATCHING, seedBatching: SEED_BATCHING, catchupRebroadcast: CATCHUP_REBROADCAST, seedClients: SEED_CLIENTS }, notes, SMOKE ? tmpdir() : undefined)
}

installCleanupHandlers()
try {
  log(`CRDT side-by-side benchmark${SMOKE ? ' (smoke)' : QUICK ? ' (quick)' : ''}: preparing the Go cluster tools`)
  for (const f of flavours) await f.prepare()
  if (wants(1)) { await workload1(false); await workload1(true) }
  if (wants(2)) await workload2()
  write()
} catch (err) {
  console.error(err)
  if (report.rows.length > 0) write()
  process.exitCode = 1
} finally {
  cleanupAll()
}

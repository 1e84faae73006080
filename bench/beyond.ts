// Beyond Go (issue #21): searching, batch pinning and rebalancing, which Go IPFS Cluster v1.1.6
// does not have, measured on our cluster (Kubo replaced by stand-ins that answer at once,
// bench/lib/fake-kubo.ts; replication factor 2, the settings of bench/lib/cluster.ts):
//  1. search over a big pinset (1M pins, `state import` into the stopped peers; 3 peers, Raft):
//     name filters (exact, prefix, substring) and metadata filters on GET /allocations and
//     GET /pins, a first page (`limit`) and every page through `X-Next-Cursor`; time to the first
//     and to the last item, peak RSS of the peer answering; beside them the unfiltered
//     GET /allocations a client has to filter itself (all Go offers);
//  2. batch pinning: 10k CIDs in one POST /pins (JSON array) vs 10k single POST /pins/{cid} from
//     16 clients on ours, and the 10k single POSTs on Go (no batch endpoint: Go answers 405), in
//     Raft and in CRDT: time until answered and until GET /allocations lists them on all 3 peers;
//  3. rebalance: 10k pins on 3 CRDT peers (state import), a 4th joins, POST /pins/rebalance:
//     total time, and the minimum replication during the move, sampled every ~200 ms from every
//     peer's GET /pins?local=true and from the pins the IPFS stand-ins hold (must stay ≥ rf_min).
// Run: `pnpm bench beyond [--quick]` (or `node --conditions=source bench/beyond.ts [--quick]
// [--only 1,2,3] [--consensus raft,crdt]`); BENCH_SMOKE=1 (or --smoke) shrinks everything to a
// couple of minutes (results to a temporary folder). Results: bench/results/beyond-<date>[-quick].{json,md}.
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchCluster, Consensus, Flavour } from './lib/cluster.ts'
import { FakeKubo } from './lib/fake-kubo.ts'
import { goFlavour } from './lib/go-cluster.ts'
import { tsFlavour } from './lib/ts-cluster.ts'
import { randomCids } from './lib/cids.ts'
import { pinLoad, sleep } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers, rssBytes, tempDir } from './lib/processes.ts'
import { fmt, log, stats } from './lib/report.ts'
import { BeyondReport, cell } from './lib/beyond-report.ts'
import { ReplicationSampler, rssSampler, standIns, startCluster, timedRequest, waitListed, waitQuiet, writeStateFile, type Timed } from './lib/beyond-helpers.ts'

const argv = process.argv.slice(2)
const envOn = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0'
const SMOKE = argv.includes('--smoke') || envOn(process.env.BENCH_SMOKE)
const QUICK = SMOKE || argv.includes('--quick') || envOn(process.env.QUICK)
const argOf = (flag: string): string | undefined => argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined
const ONLY = argOf('--only') === undefined ? undefined : new Set((argOf('--only') as string).split(',').map(Number))
const wants = (w: number): boolean => ONLY === undefined || ONLY.has(w)
const CONSENSUS = (argOf('--consensus') ?? 'raft,crdt').split(',') as Consensus[]

const P = SMOKE
  ? { searchPins: 3_000, searchRuns: 2, batchPins: 300, batchRuns: 1, listedTimeoutMs: 60_000, rebalancePins: 300, rebalanceRuns: 1, rebalanceTimeoutMs: 180_000, startTimeoutMs: 120_000, quietMs: 10_000 }
  : QUICK
    ? { searchPins: 200_000, searchRuns: 3, batchPins: 10_000, batchRuns: 2, listedTimeoutMs: 180_000, rebalancePins: 10_000, rebalanceRuns: 1, rebalanceTimeoutMs: 1_200_000, startTimeoutMs: 900_000, quietMs: 120_000 }
    : { searchPins: 1_000_000, searchRuns: 5, batchPins: 10_000, batchRuns: 3, listedTimeoutMs: 300_000, rebalancePins: 10_000, rebalanceRuns: 2, rebalanceTimeoutMs: 1_800_000, startTimeoutMs: 2_400_000, quietMs: 300_000 }
const CLIENTS = 16
/** Page sizes of the search: the first page, and the pages of the cursor walk (smaller in smoke mode, to walk several). */
const PAGE = SMOKE ? { first: 10, walk: 10 } : { first: 100, walk: 1000 }
const RF_MIN = 2
const SAMPLE_MS = 200
const MiB = 2 ** 20
const k = (n: number): string => n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n)
const report = new BeyondReport('beyond', 'Beyond Go: search, batch pinning and rebalancing on our cluster', QUICK && !SMOKE)
const NO_BATCH = 'no batch endpoint (POST /pins: 405)'

// ---------------------------------------------------------------------------------------------
// Workload 1: search over a big pinset. Pin i is named g<i%100>/w<(i+⌊i/100⌋)%100>-<i>, with
// metadata tenant t<⌊i/7⌋%100> and tier cold (⌊i/1000⌋%10 = 0) or hot: each criterion below matches ~1 %.

const nameOf = (i: number): string => `g${i % 100}/w${(i + Math.floor(i / 100)) % 100}-${i}`
const tenantOf = (i: number): string => `t${Math.floor(i / 7) % 100}`
const tierOf = (i: number): string => Math.floor(i / 1000) % 10 === 0 ? 'cold' : 'hot'

interface Query { label: string, path: string, match: (i: number) => boolean, limit?: number, paged?: boolean }

function queries (n: number): Query[] {
  const mid = Math.floor(n / 2)
  const prefix = (i: number): boolean => i % 100 === 42
  const tenant = (i: number): boolean => tenantOf(i) === 't42'
  return [
    { label: 'GET /allocations, name exact (one pin)', path: `/allocations?name=${encodeURIComponent(nameOf(mid))}`, match: i => i === mid },
    { label: 'GET /allocations, name-prefix g42/', path: '/allocations?name-prefix=g42%2F', match: prefix },
    { label: 'GET /allocations, name-contains /w37-', path: '/allocations?name-contains=%2Fw37-', match: i => (i + Math.floor(i / 100)) % 100 === 37 },
    { label: 'GET /allocations, meta-tenant=t42', path: '/allocations?meta-tenant=t42', match: tenant },
    { label: 'GET /allocations, meta-tenant=t42 & meta-tier=cold', path: '/allocations?meta-tenant=t42&meta-tier=cold', match: i => tenant(i) && tierOf(i) === 'cold' },
    { label: 'GET /allocations, name-prefix g42/ & meta-tier=cold', path: '/allocations?name-prefix=g42%2F&meta-tier=cold', match: i => prefix(i) && tierOf(i) === 'cold' },
    { label: `GET /allocations, name-prefix g42/, limit=${PAGE.first} (first page)`, path: `/allocations?name-prefix=g42%2F&limit=${PAGE.first}`, match: prefix, limit: PAGE.first },
    { label: `GET /allocations, meta-tenant=t42, every page of ${PAGE.walk} (cursor)`, path: `/allocations?meta-tenant=t42&limit=${PAGE.walk}`, match: tenant, paged: true },
    { label: 'GET /pins (statuses), meta-tenant=t42', path: '/pins?meta-tenant=t42', match: tenant },
    { label: `GET /pins (statuses), name-prefix g42/, limit=${PAGE.first}`, path: `/pins?name-prefix=g42%2F&limit=${PAGE.first}`, match: prefix, limit: PAGE.first },
    { label: 'reference: GET /allocations, no filter (every pin)', path: '/allocations', match: () => true }
  ]
}

/** One query (every page when `paged`): first item of the first page, last item of the last. */
async function runQuery (agent: Agent, url: string, q: Query): Promise<{ first: number, last: number, items: number, pages: number }> {
  const t0 = performance.now()
  let first = NaN
  let items = 0
  let cursor: string | undefined
  let pages = 0
  while (pages < 100_000) {
    pages++
    const r: Timed = await timedRequest(agent, url + q.path + (cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`))
    if (r.status !== 200 && r.status !== 204) throw new Error(`GET ${q.path}: ${r.status} ${r.body.slice(0, 300)}`)
    if (r.streamError !== '') throw new Error(`GET ${q.path}: stream error ${r.streamError}`)
    if (Number.isNaN(first)) first = (performance.now() - t0) - r.lastMs + r.firstMs
    items += r.items
    const next = r.headers['x-next-cursor']
    cursor = typeof next === 'string' && next !== '' ? next : undefined
    if (q.paged !== true || cursor === undefined) break
  }
  return { first, last: performance.now() - t0, items, pages }
}

async function workload1 (): Promise<void> {
  const N = P.searchPins
  log(`workload 1: search over ${k(N)} pins (state import on 3 Raft peers)`)
  const dir = tempDir('beyond-search-')
  const cids = randomCids(N)
  const kubos = await standIns(3)
  const agent = new Agent({ keepAlive: true })
  let cluster: BenchCluster | undefined
  try {
    const t0 = performance.now()
    cluster = await startCluster({
      flavour: tsFlavour,
      prefix: 'beyond',
      kuboApis: kubos.map(kb => kb.apiMultiaddr),
      importState: (ids) => {
        const file = join(dir, 'state.ndjson')
        writeStateFile(file, N, i => {
          const a = i % 3
          const b = (i + 1) % 3
          kubos[a]?.pins.set(cids[i] as string, 'recursive')
          kubos[b]?.pins.set(cids[i] as string, 'recursive')
          return { cid: cids[i] as string, allocations: [ids[a] as string, ids[b] as string], name: nameOf(i), metadata: { tenant: tenantOf(i), tier: tierOf(i) } }
        })
        log(`  state file of ${k(N)} pins written after ${((performance.now() - t0) / 1000).toFixed(1)} s; importing`)
        return file
      }
    }, P.startTimeoutMs)
    const up = (performance.now() - t0) / 1000
    const quiet = await waitQuiet(cluster, P.quietMs)
    const url = cluster.peers[0]?.restUrl as string
    const pid = cluster.peers[0]?.daemon?.pid
    const restRss = rssBytes(pid) / MiB
    log(`  up after ${up.toFixed(1)} s (state file + import + start), quiet after ${quiet.toFixed(1)} s more; peer 0 RSS ${restRss.toFixed(0)} MiB`)
    const qs = queries(N)
    const res = qs.map(() => ({ first: [] as number[], last: [] as number[], peak: [] as number[], expect: 0 }))
    for (const [j, q] of qs.entries()) {
      let matches = 0
      for (let i = 0; i < N; i++) if (q.match(i)) matches++
      ;(res[j] as typeof res[number]).expect = q.limit !== undefined ? Math.min(q.limit, matches) : matches
    }
    for (let run = 0; run < P.searchRuns; run++) {
      for (const [j, q] of qs.entries()) {
        const r = res[j] as typeof res[number]
        await sleep(200)
        const sampler = rssSampler(pid)
        let m: Awaited<ReturnType<typeof runQuery>> | undefined
        try { m = await runQuery(agent, url, q) } catch (err) { log(`  ${q.label}: ${(err as Error).message}`) }
        const peak = sampler.stop() / MiB
        const right = m !== undefined && m.items === r.expect ? m : undefined
        if (right === undefined) log(`  ${q.label}: ${m?.items ?? 'no'} items, ${r.expect} expected: not counted`)
        r.first.push(right?.first ?? NaN)
        r.last.push(right?.last ?? NaN)
        r.peak.push(peak)
        if (run === 0) log(`  ${q.label}: ${m?.items} items${m !== undefined && m.pages > 1 ? ` in ${m.pages} pages` : ''}, first after ${fmt(m?.first ?? NaN)} ms, last after ${fmt(m?.last ?? NaN)} ms, peak RSS ${peak.toFixed(0)} MiB`)
      }
    }
    report.table(`1. Search over ${k(N)} pins (3 Raft peers; ${P.searchRuns} runs; peer 0 at rest: ${restRss.toFixed(0)} MiB)`,
      ['query', 'items', 'first item, ms', 'last item, ms', 'peak RSS of peer 0, MiB'],
      qs.map((q, j) => { const r = res[j] as typeof res[number]; return [q.label, String(r.expect), cell(stats(r.first)), cell(stats(r.last)), cell(stats(r.peak))] }))
    report.details.search = { pins: N, upSeconds: up, quietSeconds: quiet, restRssMiB: restRss, queries: qs.map((q, j) => ({ label: q.label, path: q.path, ...res[j] })) }
  } finally {
    agent.destroy()
    await cluster?.stop()
    await Promise.all(kubos.map(async kb => { await kb.stop() }))
  }
}

// ---------------------------------------------------------------------------------------------
// Workload 2: one batch vs single POSTs. Both clusters up at once, runs alternate between them
// (and, on ours, between the batch and the single POSTs); fresh CIDs every time.

async function workload2 (consensus: Consensus): Promise<void> {
  const N = P.batchPins
  log(`workload 2 (${consensus}): ${k(N)} pins, one batch vs single POSTs from ${CLIENTS} clients`)
  const flavours: Flavour[] = [goFlavour, tsFlavour]
  const setups: Array<{ f: Flavour, kubos: FakeKubo[], cluster?: BenchCluster, listed: number }> = flavours.map(f => ({ f, kubos: [], listed: 0 }))
  const agent = new Agent({ keepAlive: true })
  const single = { answered: { go: [] as number[], ts: [] as number[] }, listed: { go: [] as number[], ts: [] as number[] }, cpu: { go: [] as number[], ts: [] as number[] } }
  const batch = { answered: [] as number[], first: [] as number[], listed: [] as number[], cpu: [] as number[] }
  try {
    await Promise.all(setups.map(async s => {
      s.kubos = await standIns(3)
      s.cluster = await startCluster({ flavour: s.f, consensus, prefix: 'beyond', kuboApis: s.kubos.map(kb => kb.apiMultiaddr) })
    }))
    for (let run = 0; run < P.batchRuns; run++) {
      for (const s of run % 2 === 0 ? setups : [...setups].reverse()) {
        const cluster = s.cluster as BenchCluster
        const urls = cluster.peers.map(p => p.restUrl)
        const methods = s.f.name === 'go' ? ['single'] : run % 2 === 0 ? ['batch', 'single'] : ['single', 'batch']
        for (const method of methods) {
          await sleep(1_000)
          const cids = randomCids(N)
          const body = method === 'batch' ? JSON.stringify(cids.map(cid => ({ cid }))) : ''
          const cpu0 = cluster.cpu()
          const t0 = performance.now()
          let done = 0
          let answered = NaN
          if (method === 'single') {
            const r = await pinLoad(urls, cids, CLIENTS)
            if (r.errors > 0) log(`  ${s.f.name}: ${r.errors} failed POSTs (first: ${r.firstError})`)
            done = r.done
            answered = r.seconds
          } else {
            let errors = 0
            let firstError = ''
            const r = await timedRequest(agent, `${urls[0]}/pins`, { method: 'POST', body, timeoutMs: P.listedTimeoutMs, onItem: (item: { error?: { message?: string } }) => { if (item.error !== undefined) { errors++; firstError ||= item.error.message ?? '' } } })
            if (r.status !== 200 || r.streamError !== '') log(`  batch: ${r.status} ${r.body.slice(0, 300)} ${r.streamError}`)
            if (errors > 0) log(`  batch: ${errors} items failed (first: ${firstError})`)
            done = r.status === 200 ? r.items - errors : 0
            answered = r.status === 200 && done > 0 ? r.lastMs / 1000 : NaN
            batch.first.push(r.firstMs / 1000)
          }
          const tListed = await waitListed(agent, urls, s.listed + done, P.listedTimeoutMs)
          s.listed += done
          const listed = (tListed - t0) / 1000
          const cpu = 1000 * (cluster.cpu() - cpu0) / Math.max(1, done)
          if (method === 'batch') { batch.answered.push(answered); batch.listed.push(listed); batch.cpu.push(cpu) } else {
            single.answered[s.f.name].push(answered); single.listed[s.f.name].push(listed); single.cpu[s.f.name].push(cpu)
          }
          log(`  ${s.f.name} ${consensus} run ${run}, ${method}: ${done} pins answered after ${answered.toFixed(2)} s, listed on all 3 peers after ${listed.toFixed(2)} s, daemons' CPU ${cpu.toFixed(2)} ms/pin`)
        }
      }
    }
  } finally {
    agent.destroy()
    await Promise.all(setups.map(async s => {
      await s.cluster?.stop()
      await Promise.all(s.kubos.map(async kb => { await kb.stop() }))
    }))
  }
  const med = (xs: number[]): string => fmt(stats(xs).median)
  report.add(`2. ${consensus}: ${k(N)} pins in one POST /pins (JSON array): answered`, 's', 'lower', batch.answered, NO_BATCH,
    `to peer 0; first result line after ${med(batch.first)} s; daemons' CPU ${med(batch.cpu)} ms/pin (until listed everywhere)`)
  report.add(`2. ${consensus}: same batch: listed on all 3 peers`, 's', 'lower', batch.listed, NO_BATCH, 'from sending the body until GET /allocations on every peer lists the pins (polled every ≥ 200 ms)')
  report.add(`2. ${consensus}: ${k(N)} single POST /pins/{cid}, ${CLIENTS} clients: answered`, 's', 'lower', single.answered.ts, single.answered.go,
    `clients spread over the 3 peers; daemons' CPU ms/pin (until listed everywhere): Go ${med(single.cpu.go)}, ours ${med(single.cpu.ts)}`)
  report.add(`2. ${consensus}: same single POSTs: listed on all 3 peers`, 's', 'lower', single.listed.ts, single.listed.go, `gives up after ${P.listedTimeoutMs / 1000} s ("failed")`)
  const ratio = stats(single.listed.ts).median / stats(batch.listed).median
  report.details[`batch-${consensus}`] = { batch, single, singleOverBatchListed: ratio }
}

// ---------------------------------------------------------------------------------------------
// Workload 3: rebalance after a 4th peer joins (CRDT: a peer joins with --bootstrap).

/** Per run with a sample below rf_min: the statuses (peers 0–3) of the CID that had the fewest peers pinned. */
const lows: string[] = []

async function workload3 (run: number, out: Record<string, number[]>): Promise<void> {
  const N = P.rebalancePins
  log(`workload 3 run ${run}: ${k(N)} pins on 3 CRDT peers, a 4th joins, POST /pins/rebalance`)
  const dir = tempDir('beyond-rebalance-')
  const cids = randomCids(N)
  const kubos = await standIns(3)
  const agent = new Agent({ keepAlive: true })
  let cluster: BenchCluster | undefined
  let sampler: ReplicationSampler | undefined
  try {
    cluster = await startCluster({
      flavour: tsFlavour,
      consensus: 'crdt',
      crdt: { rebroadcastInterval: '5s' },
      prefix: 'beyond',
      kuboApis: kubos.map(kb => kb.apiMultiaddr),
      importState: (ids) => {
        const file = join(dir, 'state.ndjson')
        writeStateFile(file, N, i => {
          const [a, b] = [i % 3, (i + 1) % 3]
          kubos[a]?.pins.set(cids[i] as string, 'recursive')
          kubos[b]?.pins.set(cids[i] as string, 'recursive')
          return { cid: cids[i] as string, allocations: [ids[a] as string, ids[b] as string], name: `r-${i}` }
        })
        return file
      }
    }, P.startTimeoutMs)
    const urls = cluster.peers.map(p => p.restUrl)
    if (Number.isNaN(await waitListed(agent, urls, N, P.listedTimeoutMs))) throw new Error('the imported pins never showed on every peer')
    const kubo = new FakeKubo()
    await kubo.start()
    kubos.push(kubo)
    const joined = performance.now()
    const p = await cluster.addPeer(kubo.apiMultiaddr)
    urls.push(p.restUrl)
    if (Number.isNaN(await waitListed(agent, [p.restUrl], N, P.listedTimeoutMs))) throw new Error(`the 4th peer never listed the pinset: see ${p.folder}/daemon.log`)
    // The rebalance plans with the metrics peer 0 holds: wait until it has the new peer's.
    for (const deadline = performance.now() + 120_000; performance.now() < deadline; await sleep(500)) {
      const r = await fetch(`${urls[0]}/monitor/metrics/freespace`, { signal: AbortSignal.timeout(10_000) }).then(async res => await res.json() as Array<{ peer: string }>).catch(() => [])
      if (Array.isArray(r) && r.some(m => m.peer === p.id)) break
    }
    log(`  4th peer lists the ${k(N)} pins and its metrics reached peer 0 after ${((performance.now() - joined) / 1000).toFixed(1)} s`)
    await waitQuiet(cluster, P.quietMs)
    const held = (): number[] => kubos.map(kb => cids.reduce((n, c) => n + (kb.pins.has(c) ? 1 : 0), 0))
    const before = held()
    // Samplers: the stand-ins' pins every 200 ms; every peer's local status back to back, ≥ 200 ms apart.
    sampler = new ReplicationSampler(agent, urls, kubos, cids, SAMPLE_MS, P.rebalanceTimeoutMs + 180_000)
    const results: Record<string, number> = {}
    let summary: Record<string, number> = {}
    const rss = rssSampler(cluster.peers[0]?.daemon?.pid, 100)
    const t0 = performance.now()
    const r = await timedRequest(agent, `${urls[0]}/pins/rebalance`, {
      method: 'POST',
      timeoutMs: P.rebalanceTimeoutMs,
      onItem: (item: { result?: string, summary?: Record<string, number> }) => {
        if (item.summary !== undefined) summary = item.summary
        else results[item.result ?? '?'] = (results[item.result ?? '?'] ?? 0) + 1
      }
    })
    const total = (performance.now() - t0) / 1000
    if (r.status !== 200 || r.streamError !== '') throw new Error(`POST /pins/rebalance: ${r.status} ${r.body.slice(0, 300)} ${r.streamError}`)
    // Then until the old peers have unpinned: the stand-ins hold exactly 2 copies of each pin.
    let settled = NaN
    for (const deadline = performance.now() + 120_000; performance.now() < deadline; await sleep(SAMPLE_MS)) {
      if (held().reduce((a, b) => a + b, 0) === RF_MIN * N) { settled = (performance.now() - t0) / 1000; break }
    }
    const { clusterMin, clusterSamples, kuboMin, kuboSamples, every, clusterLow } = await sampler.stop()
    if (clusterLow !== undefined && clusterLow.count < RF_MIN) lows.push(`run ${run}: ${JSON.stringify(clusterLow.statuses)}`)
    if (clusterLow !== undefined && clusterLow.count < RF_MIN) log(`  fewest peers pinned: ${clusterLow.count}, ${(clusterLow.atMs / 1000).toFixed(1)} s after sampling began (the rebalance began after ${((t0 - sampler.startedAt) / 1000).toFixed(1)} s): ${clusterLow.cid}, statuses ${JSON.stringify(clusterLow.statuses)}`)
    const peak = rss.stop() / MiB
    const after = held()
    log(`  rebalance: ${JSON.stringify(summary)} in ${total.toFixed(1)} s, old copies gone after ${fmt(settled)} s; stand-ins' pins ${JSON.stringify(before)} → ${JSON.stringify(after)}; ` +
      `min replication: cluster status ${clusterMin} (${clusterSamples} samples, one per ${every.toFixed(0)} ms), stand-ins ${kuboMin} (${kuboSamples} samples); peak RSS of peer 0 ${peak.toFixed(0)} MiB`)
    out.total?.push(summary.moved !== undefined && summary.moved > 0 ? total : NaN)
    out.settled?.push(settled)
    out.moved?.push(summary.moved ?? NaN)
    out.clusterMin?.push(clusterSamples > 0 ? clusterMin : NaN)
    out.kuboMin?.push(kuboSamples > 0 ? kuboMin : NaN)
    out.clusterEvery?.push(every)
    out.peak?.push(peak)
    ;(report.details.rebalance as unknown[]).push({ run, summary, results, before, after, total, settled, clusterMin, clusterSamples, clusterEveryMs: every, clusterLow, kuboMin, kuboSamples, peakRssMiB: peak })
  } finally {
    await sampler?.stop()
    agent.destroy()
    await cluster?.stop()
    await Promise.all(kubos.map(async kb => { await kb.stop() }))
  }
}

async function workload3All (): Promise<void> {
  const out: Record<string, number[]> = { total: [], settled: [], moved: [], clusterMin: [], kuboMin: [], clusterEvery: [], peak: [] }
  report.details.rebalance = []
  for (let run = 0; run < P.rebalanceRuns; run++) {
    try { await workload3(run, out) } catch (err) { log(`  run ${run} failed: ${(err as Error).message}`) }
  }
  const N = k(P.rebalancePins)
  const none = 'no rebalance in Go v1.1.6'
  const at = (key: string): number[] => out[key] ?? []
  report.add(`3. rebalance of ${N} pins after a 4th peer joins: until the answer's summary`, 's', 'lower', at('total'), none,
    `POST /pins/rebalance on peer 0 (CRDT, allocate_by tag:group,freespace); moves per run: ${at('moved').join(', ')}`)
  report.add('3. same: until the old peers have unpinned', 's', 'lower', at('settled'), none, 'until the stand-ins hold exactly 2 copies of every pin')
  const verdict = (xs: number[]): string => xs.length > 0 && xs.every(x => x >= RF_MIN) ? `never below replication_factor_min ${RF_MIN}` : `BELOW replication_factor_min ${RF_MIN} (or not sampled)`
  report.add('3. same: minimum replication seen, cluster status', 'peers pinned', 'higher', at('clusterMin'), none,
    `${verdict(at('clusterMin'))}; every peer's GET /pins?local=true, read in peer order and back (a CID counts its better pass), one sample per ${fmt(stats(at('clusterEvery')).median)} ms (median)` +
    (lows.length > 0 ? `; the lowest sample's statuses of its CID on peers 0–3: ${lows.join('; ')}` : ''))
  report.add('3. same: minimum replication seen, pins held by the IPFS stand-ins', 'copies', 'higher', at('kuboMin'), none, `${verdict(at('kuboMin'))}; sampled every ${SAMPLE_MS} ms`)
  report.add('3. same: peak RSS of peer 0 (running the rebalance)', 'MiB', 'lower', at('peak'), none, 'sampled every 100 ms')
}

// ---------------------------------------------------------------------------------------------

function write (): void {
  const setup = 'Our cluster (and Go IPFS Cluster v1.1.6 where it can do the same): peers on loopback, replication factor 2, monitor_ping_interval 2s, ' +
    'check_interval 2s, informer metric_ttl 4s, Kubo stand-ins answering at once, sharing the machine with the load generator.'
  const notes = [
    'Search: the pinset is loaded with `ipfs-cluster-service state import` into every stopped peer (Raft); every criterion matches about 1 % of the pins (the combined ones 0.1 %). ' +
      '"first item" is from sending the request to the first NDJSON line, "last item" to the end of the answer (of the last page for the cursor walk). ' +
      'Go v1.1.6 has no search: a Go client lists every pin (the reference line) and filters on its side.',
    `Batch: Go v1.1.6 has no batch endpoint (POST /pins answers 405), so only its single POSTs are measured. The batch goes to peer 0 as one JSON array; the single POSTs come from ${CLIENTS} keep-alive clients spread over the 3 peers.`,
    `Rebalance: the pins are imported onto 3 peers (balanced, 2 copies each), a 4th (empty) peer joins; the minimum replication is sampled all through the move, at least every ${SAMPLE_MS} ms, and must never fall below replication_factor_min (${RF_MIN}). ` +
      'The cluster-status count takes only `pinned`. The peers are read one after the other, in peer order and back, and a CID counts the better of the two passes: a move pins on the new peer before it unpins on the old one, so in the pass that reads the old peer first a copy the old peer gave up is already on the new one (reading all peers at once would count such a CID short). The stand-ins\' count is the copies IPFS actually holds.'
  ]
  report.write(setup, { ...P, clients: CLIENTS, consensus: CONSENSUS }, notes, SMOKE ? tmpdir() : undefined)
}

installCleanupHandlers()
try {
  log(`beyond-Go benchmark${SMOKE ? ' (smoke)' : QUICK ? ' (quick)' : ''}: preparing the programs`)
  await tsFlavour.prepare()
  if (wants(2)) await goFlavour.prepare()
  if (wants(1)) await workload1()
  if (wants(2)) for (const c of CONSENSUS) await workload2(c)
  if (wants(3)) await workload3All()
  write()
} catch (err) {
  console.error(err)
  if (report.rows.length > 0 || report.tables.length > 0) write()
  process.exitCode = 1
} finally {
  cleanupAll()
}

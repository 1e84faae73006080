// What metrics and tracing cost on the pin path: the same 3-peer Raft cluster of ours (built
// package, Kubo stand-ins answering at once, replication factor 2) three times — observability off
// (the default), `enable_stats` on (the /metrics endpoint scraped every 5 s, as a Prometheus server
// would, more often than its default 15 s), and `enable_stats` + `enable_tracing` with
// sampling_prob 1 (every pin traced, spans exported over OTLP/HTTP to a sink in this process
// that reads and drops them). POST /pins at 1 and 16 clients; runs alternate between the three
// clusters. Reported: pins/s and the daemons' CPU per pin, medians, and each as a ratio to "off".
// Run: `pnpm bench observability-cost [--quick]` (or `node --conditions=source
// bench/observability-cost.ts [--quick]`); BENCH_SMOKE=1 for a few seconds. Results:
// bench/results/observability-cost-<date>[-quick].md.
import { createServer, type Server } from 'node:http'
import { Agent } from 'node:http'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as netServer } from 'node:net'
import { BenchCluster } from './lib/cluster.ts'
import { FakeKubo } from './lib/fake-kubo.ts'
import { tsFlavour } from './lib/ts-cluster.ts'
import { randomCids } from './lib/cids.ts'
import { call, pinLoad, sleep } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers } from './lib/processes.ts'
import { fmt, log, stats } from './lib/report.ts'

const argv = process.argv.slice(2)
const envOn = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0'
const SMOKE = argv.includes('--smoke') || envOn(process.env.BENCH_SMOKE)
const QUICK = SMOKE || argv.includes('--quick') || envOn(process.env.QUICK)
const P = SMOKE
  ? { runs: 1, pins: { 1: 20, 16: 100 } as Record<number, number> }
  : QUICK
    ? { runs: 3, pins: { 1: 150, 16: 600 } as Record<number, number> }
    : { runs: 5, pins: { 1: 400, 16: 2000 } as Record<number, number> }

type Variant = 'off' | 'metrics' | 'metrics+tracing'
const VARIANTS: Variant[] = ['off', 'metrics', 'metrics+tracing']
interface Setup { variant: Variant, kubos: FakeKubo[], cluster: BenchCluster, metricsUrls: string[] }
interface Samples { rate: number[], cpu: number[] }

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = netServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const port = (s.address() as { port: number }).port; s.close(() => { resolve(port) }) })
  })
}

/** An OTLP/HTTP receiver that reads every export and drops it (counting spans' bytes). */
async function otlpSink (): Promise<{ server: Server, url: string, bytes: () => number }> {
  let bytes = 0
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => { bytes += chunk.length })
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }).end('{}') })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, bytes: () => bytes }
}

async function main (): Promise<void> {
  installCleanupHandlers()
  const started = Date.now()
  await tsFlavour.prepare()
  const sink = await otlpSink()
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  const setups: Setup[] = []
  for (const variant of VARIANTS) {
    const kubos = Array.from({ length: 3 }, () => new FakeKubo())
    await Promise.all(kubos.map(async k => { await k.start() }))
    const metricsPorts = await Promise.all(kubos.map(async () => await freePort()))
    const cluster = new BenchCluster({
      flavour: tsFlavour,
      prefix: `obs-cost-${variant.replace('+', '-')}-`,
      kuboApis: kubos.map(k => k.apiMultiaddr),
      configure: (c, i) => {
        c.observations ??= {}
        c.observations.metrics = { ...(c.observations.metrics ?? {}), enable_stats: variant !== 'off', prometheus_endpoint: `/ip4/127.0.0.1/tcp/${metricsPorts[i] as number}` }
        c.observations.tracing = { ...(c.observations.tracing ?? {}), enable_tracing: variant === 'metrics+tracing', sampling_prob: 1, otlp_endpoint: sink.url }
      }
    })
    await cluster.start()
    setups.push({ variant, kubos, cluster, metricsUrls: metricsPorts.map(p => `http://127.0.0.1:${p}/metrics`) })
  }
  // Scrapes, as a Prometheus server would, while the stats variants run.
  let scrapes = 0
  const scraper = setInterval(() => {
    for (const s of setups) {
      if (s.variant === 'off') continue
      for (const url of s.metricsUrls) void call(agent, url, 'GET', 5_000).then(r => { if (r.status === 200) scrapes++ }, () => {})
    }
  }, 5_000)
  const results: Record<string, Record<Variant, Samples>> = {}
  try {
    for (const concurrency of [1, 16]) {
      const row = results[`c${concurrency}`] = Object.fromEntries(VARIANTS.map(v => [v, { rate: [] as number[], cpu: [] as number[] }])) as Record<Variant, Samples>
      for (let run = 0; run < P.runs; run++) {
        // Rotating order: each variant goes first, second and third equally often.
        const order = VARIANTS.map((_, i) => setups[(i + run) % setups.length] as Setup)
        for (const s of order) {
          await sleep(500)
          const cpu0 = s.cluster.cpu()
          const r = await pinLoad(s.cluster.peers.map(p => p.restUrl), randomCids(P.pins[concurrency] as number), concurrency)
          const cpu = s.cluster.cpu() - cpu0
          if (r.errors > 0) log(`  ${s.variant}: ${r.errors} failed pins (first: ${r.firstError})`)
          row[s.variant].rate.push(r.rate)
          row[s.variant].cpu.push(1000 * cpu / Math.max(1, r.done))
          log(`  ${s.variant} c=${concurrency} run ${run}: ${r.rate.toFixed(1)} pins/s, daemons' CPU ${(1000 * cpu / Math.max(1, r.done)).toFixed(2)} ms/pin`)
        }
      }
    }
  } finally {
    clearInterval(scraper)
    for (const s of setups) {
      await s.cluster.stop()
      await Promise.all(s.kubos.map(async k => { await k.stop() }))
    }
    sink.server.close()
    agent.destroy()
  }

  const lines = [
    `# What metrics and tracing cost on the pin path (${new Date().toISOString().slice(0, 10)}${QUICK && !SMOKE ? ', quick mode' : ''})`,
    '',
    `Suite time ${((Date.now() - started) / 60_000).toFixed(1)} min. Three 3-peer Raft clusters of ours (built package, replication factor 2, Kubo stand-ins answering at once): observability off; \`enable_stats\` (each peer's /metrics scraped every 5 s: ${scrapes} scrapes); \`enable_stats\` + \`enable_tracing\` with sampling_prob 1 (every pin traced; ${(sink.bytes() / 2 ** 20).toFixed(1)} MiB of OTLP exports received and dropped). POST /pins/<cid>, ${P.runs} runs per variant and concurrency, order rotating. Medians (min–max); the ratio is to "off".`,
    '',
    '| clients | variant | pins/s | ratio | daemons\' CPU ms/pin | ratio |',
    '|---|---|---|---|---|---|'
  ]
  for (const [key, row] of Object.entries(results)) {
    const off = row.off
    for (const v of VARIANTS) {
      const rate = stats(row[v].rate)
      const cpu = stats(row[v].cpu)
      lines.push(`| ${key.slice(1)} | ${v} | ${fmt(rate.median)} (${fmt(rate.min)}–${fmt(rate.max)}) | ${fmt(rate.median / stats(off.rate).median)} | ${fmt(cpu.median)} (${fmt(cpu.min)}–${fmt(cpu.max)}) | ${fmt(cpu.median / stats(off.cpu).median)} |`)
    }
  }
  const out = SMOKE ? tmpdir() : join(import.meta.dirname, 'results')
  const file = join(out, `observability-cost-${new Date().toISOString().slice(0, 10)}${QUICK && !SMOKE ? '-quick' : ''}.md`)
  writeFileSync(file, lines.join('\n') + '\n')
  console.log(lines.join('\n'))
  log(`written: ${file}`)
}

main().then(() => { cleanupAll(); process.exit(0) }, (err: unknown) => {
  console.error(err)
  cleanupAll()
  process.exit(1)
})

// A/B of the REST API's answer path between this checkout and another built one: a 3-peer CRDT
// cluster per round and side (built packages, Kubo stand-ins), then GET /version — a whole JSON
// answer and nothing else — from 16 keep-alive clients to peer 0; the peer's CPU per request and
// the request rate. Sides alternate, as in crdt-ab.ts.
// Run: `node --conditions=source bench/rest-ab.ts --base <built checkout> [--rounds 4] [--requests 4000] [--label x]`
// Results: bench/results/rest-ab-<date>[-<label>].{json,md}.
import http from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { baseFlavour, withStandInCluster } from './lib/ab.ts'
import type { Flavour } from './lib/cluster.ts'
import { cleanupAll, installCleanupHandlers } from './lib/processes.ts'
import { log, stats } from './lib/report.ts'
import { tsFlavour } from './lib/ts-cluster.ts'

const argv = process.argv.slice(2)
const arg = (name: string): string | undefined => argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined
const baseRoot = arg('--base')
if (baseRoot === undefined) throw new Error('--base <built checkout> is required')
const ROUNDS = Number(arg('--rounds') ?? 4)
const REQUESTS = Number(arg('--requests') ?? 4000)
const LABEL = arg('--label')
const CLIENTS = 16
const PATH = '/version'

const sides = [
  { name: 'base', flavour: baseFlavour(baseRoot) },
  { name: 'this', flavour: tsFlavour }
] as const
type SideName = typeof sides[number]['name']
interface Run { rate: number, cpuUsPerRequest: number }

/** REQUESTS GETs of PATH from CLIENTS keep-alive connections; resolves with the elapsed ms. */
async function load (url: URL): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS })
  let left = REQUESTS
  const one = async (): Promise<void> => { await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: 'GET', path: PATH, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET ${PATH}: HTTP ${res.statusCode ?? 0}`))
      res.resume()
      res.on('end', () => { resolve() })
    })
    req.on('error', reject)
    req.end()
  }) }
  const started = performance.now()
  try {
    await Promise.all(Array.from({ length: CLIENTS }, async () => { while (left-- > 0) await one() }))
  } finally {
    agent.destroy()
  }
  return performance.now() - started
}

async function oneRun (flavour: Flavour): Promise<Run> {
  return await withStandInCluster({ flavour, consensus: 'crdt', prefix: 'rest-ab' }, async (cluster) => {
    const url = new URL(cluster.peers[0]!.restUrl)
    await load(url) // warm-up: the code paths compiled and optimised on both sides
    const before = cluster.cpuPerPeer()
    const ms = await load(url)
    const cpuSeconds = (cluster.cpuPerPeer()[0] ?? 0) - (before[0] ?? 0)
    return { rate: REQUESTS / ms * 1000, cpuUsPerRequest: cpuSeconds * 1e6 / REQUESTS }
  })
}

installCleanupHandlers()
await tsFlavour.prepare()
const started = Date.now()
const results: Record<SideName, Run[]> = { base: [], this: [] }
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const run = await oneRun(side.flavour)
      results[side.name].push(run)
      log(`${side.name} round ${round}: ${run.rate.toFixed(0)} req/s, peer 0 CPU ${run.cpuUsPerRequest.toFixed(0)} µs/request`)
    }
  }
} finally {
  cleanupAll()
}

const date = new Date().toISOString().slice(0, 10)
const name = `rest-ab-${date}${LABEL === undefined ? '' : `-${LABEL}`}`
const median = (side: SideName, k: keyof Run): number => stats(results[side].map(r => r[k])).median
const lines = [
  `# REST answer path A/B: this checkout vs ${baseRoot} (${date})`,
  '',
  `3-peer CRDT clusters on Kubo stand-ins, built packages; GET ${PATH} to peer 0 from ${CLIENTS} keep-alive clients, ${REQUESTS} requests after as many to warm up; ${ROUNDS} rounds per side, a fresh cluster per round, sides alternating. Medians of rounds. Suite time ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
  '',
  '| | base | this | this/base |',
  '|---|---|---|---|',
  `| requests/s | ${median('base', 'rate').toFixed(0)} | ${median('this', 'rate').toFixed(0)} | ${(median('this', 'rate') / median('base', 'rate')).toFixed(2)} |`,
  `| peer 0 CPU per request (µs) | ${median('base', 'cpuUsPerRequest').toFixed(0)} | ${median('this', 'cpuUsPerRequest').toFixed(0)} | ${(median('this', 'cpuUsPerRequest') / median('base', 'cpuUsPerRequest')).toFixed(2)} |`,
  '',
  `Rounds (µs per request): base ${results.base.map(r => r.cpuUsPerRequest.toFixed(0)).join(', ')}; this ${results.this.map(r => r.cpuUsPerRequest.toFixed(0)).join(', ')}`
]
const dir = join(import.meta.dirname, 'results')
writeFileSync(join(dir, `${name}.md`), lines.join('\n') + '\n')
writeFileSync(join(dir, `${name}.json`), JSON.stringify({ base: baseRoot, rounds: ROUNDS, requests: REQUESTS, path: PATH, clients: CLIENTS, results }, null, 2) + '\n')
log(`written: bench/results/${name}.{json,md}`)

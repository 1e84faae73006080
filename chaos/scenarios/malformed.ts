// Malformed input: a bounded flood of bad requests over the REST API, the IPFS proxy and the
// Pinning Service API of every peer (bad paths, query strings, CIDs, JSON and multipart bodies,
// broken chunked framing), bodies 100 times `max_body_bytes`, 1,000-connection bursts of listings
// and slow headers, while the pinning load runs; in two rounds. It fails on any 5xx our code
// answers (the proxy's relayed Kubo answers are told apart by the proxy's `Server` header), on a
// header timeout not enforced, and on a peer whose memory is not back within 20 % of where it was
// before the flood (fresh) after a settle time; crashes are the harness's verdict.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sleep } from '../../bench/lib/load.ts'
import type { ChaosCluster } from '../lib/cluster.ts'
import type { FaultContext, Scenario } from '../lib/scenario.ts'
import { malformedCase, oversizeCase, rng, type Api, type Case, type Ports } from './malformed-requests.ts'
import { exchange, pool, slowHeaders, type RawAnswer } from './malformed-wire.ts'

interface Sizes {
  /** Malformed requests, spread over the APIs and peers. */
  requests: number
  concurrency: number
  /** Bodies of 100 × `max_body_bytes`. */
  oversize: number
  /** Slow-header connections (one header byte every 500 ms). */
  slow: number
  /** Connections per burst. */
  burst: number
  /** Pins in the cluster before the flood (listings cost more with more pins). */
  pins: number
  /** Longest wait for every peer's memory to come back. */
  settleMs: number
  /** Malformed requests of the first round, before the start is measured (see malformedFault). */
  warmUp: number
}

const SIZES: Record<'full' | 'small', Sizes> = {
  full: { requests: 21_000, concurrency: 32, oversize: 12, slow: 48, burst: 1_000, pins: 3_000, settleMs: 90_000, warmUp: 6_000 },
  small: { requests: 1_000, concurrency: 16, oversize: 4, slow: 9, burst: 200, pins: 300, settleMs: 90_000, warmUp: 500 }
}

/** Every burst: one request line against one API of peer 0, `burst` connections at once. */
const BURSTS: Array<[Api, string]> = [
  ['pinsvc', 'GET /pins'],
  ['pinsvc', 'GET /pins?limit=1000'],
  ['rest', 'GET /pins?local=false&filter=&cids='],
  ['proxy', 'POST /api/v0/pin/ls'],
  ['rest', 'GET /id']
]

const HEADER_TIMEOUT_MS = 5_000
/** How late past the header timeout a slow connection may still be open (check interval, load). */
const HEADER_TIMEOUT_SLACK_MS = 2_500
const OURS = 'ipfs-cluster/ipfsproxy/'

/** Tallies of answers: per API, status class; and our 5xx, with examples. */
class Tally {
  readonly byApi = new Map<string, Map<string, number>>()
  readonly ours5xx: string[] = []
  kubo5xx = 0
  shed = 0
  total = 0

  add (c: Case, a: RawAnswer): void {
    this.total++
    const cls = a.status === 0 ? 'no answer' : a.status === 429 ? '429' : `${Math.floor(a.status / 100)}xx`
    const m = this.byApi.get(c.api) ?? new Map<string, number>()
    m.set(cls, (m.get(cls) ?? 0) + 1)
    this.byApi.set(c.api, m)
    if (a.status === 429) this.shed++
    if (a.status < 500) return
    // The proxy relays Kubo's answers as they are: only its own carry its Server header, and a
    // relay that fails answers 502, which Kubo never does.
    if (c.api === 'proxy' && !a.server.startsWith(OURS) && a.status !== 502) { this.kubo5xx++; return }
    this.ours5xx.push(`${c.api} ${c.kind} ${a.status}: ${JSON.stringify(c.req.head.split('\r\n')[0]?.slice(0, 120))} → ${a.bodyStart.slice(0, 160)}`)
  }

  summary (): string {
    return [...this.byApi].map(([api, m]) => `${api} ${[...m].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`).join('; ')
  }
}

function portsOf (cluster: ChaosCluster): Ports[] {
  return cluster.peers.map(p => {
    const api = JSON.parse(readFileSync(join(p.folder, 'service.json'), 'utf8')).api
    const port = (a: string | string[]): number => Number(String([a].flat()[0]).split('/tcp/')[1])
    return { rest: port(api.restapi.http_listen_multiaddress), proxy: port(api.ipfsproxy.listen_multiaddress), pinsvc: port(api.pinsvcapi.http_listen_multiaddress) }
  })
}

/** Samples every peer's RSS until stopped; keeps the peak. */
function rssSampler (cluster: ChaosCluster): { peak: number[], stop: () => void } {
  const peak = cluster.rssMiB()
  const timer = setInterval(() => { cluster.rssMiB().forEach((v, i) => { peak[i] = Math.max(peak[i] ?? 0, v) }) }, 250)
  return { peak, stop: () => { clearInterval(timer) } }
}

async function flood (ports: Ports[], s: Sizes, tally: Tally, seed: number): Promise<void> {
  const r = rng(seed)
  await pool(s.requests, s.concurrency, async (i) => {
    const c = malformedCase(r, ports[i % ports.length] as Ports, Math.floor(i / ports.length))
    return { c, a: await exchange(c.req, 20_000) }
  }, ({ c, a }) => { tally.add(c, a) })
}

async function oversize (ports: Ports[], s: Sizes, bytes: number, tally: Tally): Promise<void> {
  // Two at a time: each is 100 MiB on the wire (the servers answer early and close).
  await pool(s.oversize, 2, async (i) => {
    const c = oversizeCase(ports[i % ports.length] as Ports, i, bytes)
    return { c, a: await exchange(c.req, 60_000) }
  }, ({ c, a }) => { tally.add(c, a) })
}

async function bursts (ports: Ports[], s: Sizes, tally: Tally, note: (t: string) => void = () => {}): Promise<void> {
  const target = ports[0] as Ports
  for (const [api, line] of BURSTS) {
    const t0 = performance.now()
    const statuses = new Map<number, number>()
    await pool(s.burst, s.burst, async () => {
      const c: Case = { api, kind: 'burst', req: { port: target[api], head: `${line} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n` } }
      return { c, a: await exchange(c.req, 120_000) }
    }, ({ c, a }) => { tally.add(c, a); statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1) })
    note(`burst of ${s.burst} × ${api} ${line}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${[...statuses].sort().map(([k, n]) => `${k === 0 ? 'no answer' : k} ×${n}`).join(', ')}`)
  }
}

/** One round: the flood, the oversize bodies, the bursts. */
async function round (ports: Ports[], s: Sizes, maxBody: number, tally: Tally, seed: number, note?: (t: string) => void): Promise<void> {
  await flood(ports, s, tally, seed)
  await oversize(ports, s, 100 * maxBody, tally)
  await bursts(ports, s, tally, note)
}

/**
 * Two rounds of the same kinds of requests. V8 keeps the pages a burst made it grow into (+60–230
 * MiB of RSS while the live heap is back at its size before); the daemon's memory reducer gives
 * them back once the burst is over, so every peer must end within 20 % of its RSS before the flood
 * (fresh), pinning load still running. The RSS after the first round is reported too.
 */
async function malformedFault (ctx: FaultContext): Promise<void> {
  const { cluster } = ctx.env
  const s = SIZES[ctx.mode.name]
  const ports = portsOf(cluster)
  const maxBody = Number(JSON.parse(readFileSync(join(cluster.peers[0]?.folder ?? '', 'service.json'), 'utf8')).api.restapi.max_body_bytes ?? 1 << 20)
  await ctx.load.waitFor(s.pins, 120_000)
  const cold = cluster.rssMiB()
  const tally = new Tally()
  const t0 = performance.now()
  await round(ports, { ...s, requests: s.warmUp }, maxBody, tally, 1)
  await sleep(3_000)
  const start = cluster.rssMiB()
  const sampler = rssSampler(cluster)
  // Slow headers run beside the flood: a third on each API, spread over the peers.
  const slowApis: Api[] = ['rest', 'proxy', 'pinsvc']
  const slow = Promise.all(slowApis.map(async (api, k) => await slowHeaders((ports[k % ports.length] as Ports)[api], Math.ceil(s.slow / 3), 500, HEADER_TIMEOUT_MS + 10_000)))
  await round(ports, s, maxBody, tally, 2, ctx.note)
  const lifetimes = (await slow).flat()
  sampler.stop()
  const seconds = (performance.now() - t0) / 1000
  const requests = tally.total + lifetimes.length

  // Settle: the memory must come back within 20 % of where it was before the flood.
  const settleStart = Date.now()
  let end = cluster.rssMiB()
  const high = (): number[] => end.map((v, i) => i).filter(i => (end[i] ?? 0) > (cold[i] ?? 0) * 1.2)
  while (high().length > 0 && Date.now() - settleStart < s.settleMs) {
    await sleep(1_000)
    end = cluster.rssMiB()
  }
  const settled = (Date.now() - settleStart) / 1000
  ctx.note(`${requests} requests in ${seconds.toFixed(0)} s (${tally.summary()}; slow headers ${lifetimes.length}); 429 (shed) ${tally.shed}; 5xx ours ${tally.ours5xx.length}, Kubo's ${tally.kubo5xx}`)
  ctx.note(`RSS MiB per peer, fresh → after round 1 / peak of round 2 / end: ${start.map((v, i) => `peer${i} ${cold[i] ?? 0} → ${v}/${sampler.peak[i] ?? 0}/${end[i] ?? 0}`).join(', ')} (end ${settled.toFixed(0)} s after round 2)`)
  const longest = Math.max(...lifetimes)
  ctx.note(`slow headers cut after ${(Math.min(...lifetimes) / 1000).toFixed(1)}–${(longest / 1000).toFixed(1)} s (read_header_timeout ${HEADER_TIMEOUT_MS / 1000} s)`)

  const problems: string[] = []
  if (tally.ours5xx.length > 0) problems.push(`${tally.ours5xx.length} 5xx answers of ours, e.g. ${tally.ours5xx.slice(0, 3).join(' | ')}`)
  if (longest > HEADER_TIMEOUT_MS + HEADER_TIMEOUT_SLACK_MS) problems.push(`a slow-header connection lived ${(longest / 1000).toFixed(1)} s`)
  for (const i of high()) problems.push(`peer${i} RSS ${end[i] ?? 0} MiB > 120 % of ${cold[i] ?? 0} MiB (fresh) after ${settled.toFixed(0)} s`)
  if (problems.length > 0) throw new Error(problems.join('; '))
}

export const malformedScenarios: Scenario[] = [{
  name: 'malformed input',
  what: 'two rounds of bad paths, queries, CIDs, JSON, multipart and chunked framing (full: 6k + 21k, small: 0.5k + 1k), 100 × max_body_bytes bodies, bursts of 1,000 (small: 200) listings, and slow headers, on REST API, proxy and Pinning Service API; memory must come back within 20 % of the fresh peer\'s',
  env: 'stand-in',
  // A cluster of its own (the pinset size is part of the test), with the header timeouts stated.
  configure: () => (config) => {
    const t = `${HEADER_TIMEOUT_MS / 1000}s`
    config.api.restapi.read_header_timeout = t
    config.api.pinsvcapi.read_header_timeout = t
    config.api.ipfsproxy.read_header_timeout = t
  },
  maxPins: mode => SIZES[mode.name].pins,
  fault: malformedFault
}]

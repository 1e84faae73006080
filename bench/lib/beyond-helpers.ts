// Helpers of bench/beyond.ts: NDJSON requests timed to their first and last item, a peak-RSS
// sampler, big state files for `state import`, clusters started with a retry, waits (pins
// listed on every peer, daemons gone idle) and a sampler of the minimum replication. Every wait
// is bounded in time.
import { closeSync, openSync, writeSync } from 'node:fs'
import { type Agent, request, type IncomingHttpHeaders } from 'node:http'
import { BenchCluster, waitAllQuiet, type BenchClusterOptions } from './cluster.ts'
import { FakeKubo } from './fake-kubo.ts'
import { sleep, streamNdjson } from './load.ts'
import { rssBytes } from './processes.ts'
import { log } from './report.ts'

export interface Timed {
  status: number
  headers: IncomingHttpHeaders
  /** ms from sending the request until the first complete NDJSON line (NaN: none). */
  firstMs: number
  /** ms from sending the request until the end of the answer. */
  lastMs: number
  /** NDJSON lines received (2xx answers only). */
  items: number
  /** The beginning of the body of an answer that is not 2xx. */
  body: string
  /** The X-Stream-Error trailer, when the server set one. */
  streamError: string
}

export interface TimedOptions {
  method?: string
  body?: string
  contentType?: string
  timeoutMs?: number
  /** Called with each parsed line; without it lines are only counted (no JSON parsing in the client). */
  onItem?: (item: any) => void
}

/** One request whose answer is NDJSON (or empty: 204), timed to its first and last line. */
export function timedRequest (agent: Agent, url: string, o: TimedOptions = {}): Promise<Timed> {
  const method = o.method ?? 'GET'
  const timeoutMs = o.timeoutMs ?? 600_000
  const headers: Record<string, string | number> = {}
  if (o.body !== undefined) {
    headers['Content-Type'] = o.contentType ?? 'application/json'
    headers['Content-Length'] = Buffer.byteLength(o.body)
  }
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const req = request(url, { method, agent, timeout: timeoutMs, headers }, (res) => {
      const status = res.statusCode ?? 0
      const ok = status >= 200 && status < 300
      let firstMs = NaN
      let items = 0
      let body = ''
      let rest = ''
      const line = (text: string): void => {
        if (text.trim() === '') return
        items++
        if (Number.isNaN(firstMs)) firstMs = performance.now() - t0
        o.onItem?.(JSON.parse(text))
      }
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (!ok) { if (body.length < 2_000) body += chunk; return }
        if (o.onItem === undefined) {
          // Count the lines without parsing them: NDJSON lines never hold a raw newline.
          let nl = -1
          let start = 0
          while ((nl = chunk.indexOf('\n', nl + 1)) !== -1) {
            if (nl > start || rest !== '') { items++; if (Number.isNaN(firstMs)) firstMs = performance.now() - t0 }
            rest = ''
            start = nl + 1
          }
          if (start < chunk.length) rest = 'x'
          return
        }
        const text = rest + chunk
        let start = 0
        let nl: number
        while ((nl = text.indexOf('\n', start)) !== -1) {
          line(text.slice(start, nl))
          start = nl + 1
        }
        rest = text.slice(start)
      })
      res.on('end', () => {
        try {
          if (ok && rest !== '') { if (o.onItem === undefined) { items++; if (Number.isNaN(firstMs)) firstMs = performance.now() - t0 } else line(rest) }
        } catch (err) { reject(err); return }
        const trailer = res.trailers['x-stream-error']
        resolve({ status, headers: res.headers, firstMs, lastMs: performance.now() - t0, items, body, streamError: typeof trailer === 'string' ? trailer : '' })
      })
      res.on('error', reject)
    })
    req.on('timeout', () => { req.destroy(new Error(`${method} ${url}: timed out after ${timeoutMs} ms`)) })
    req.on('error', reject)
    req.end(o.body)
  })
}

/** Samples a process's RSS every `everyMs` until `stop()`, which returns the peak in bytes. */
export function rssSampler (pid: number | undefined, everyMs = 50): { stop: () => number } {
  let peak = rssBytes(pid)
  const timer = setInterval(() => { peak = Math.max(peak, rssBytes(pid)) }, everyMs)
  return { stop: () => { clearInterval(timer); return Math.max(peak, rssBytes(pid)) } }
}

export interface StatePin { cid: string, allocations: string[], name?: string, metadata?: Record<string, string> }

/** Writes `n` pins in `state export` form (Go's, one JSON per line) without holding the file in memory. */
export function writeStateFile (path: string, n: number, pinAt: (i: number) => StatePin): void {
  const fd = openSync(path, 'w')
  try {
    let chunk: string[] = []
    for (let i = 0; i < n; i++) {
      const p = pinAt(i)
      chunk.push(JSON.stringify({
        replication_factor_min: 2, replication_factor_max: 2, name: p.name ?? '', mode: 'recursive', shard_size: 0, user_allocations: null,
        expire_at: '0001-01-01T00:00:00Z', metadata: p.metadata ?? null, pin_update: null, origins: [], cid: p.cid, type: 'pin',
        allocations: p.allocations, max_depth: -1, reference: null, timestamp: '2026-01-01T00:00:00Z'
      }))
      if (chunk.length === 10_000) { writeSync(fd, chunk.join('\n') + '\n'); chunk = [] }
    }
    if (chunk.length > 0) writeSync(fd, chunk.join('\n') + '\n')
  } finally { closeSync(fd) }
}

export async function standIns (n: number): Promise<FakeKubo[]> {
  const kubos = Array.from({ length: n }, () => new FakeKubo())
  await Promise.all(kubos.map(async k => { await k.start() }))
  return kubos
}

/**
 * Creates and starts a cluster; again (up to 3 times) when a peer could not listen on a port
 * `init --randomports` had found free (other programs on the machine may take it in between).
 */
export async function startCluster (opts: BenchClusterOptions, timeoutMs = 90_000): Promise<BenchCluster> {
  for (let attempt = 1; ; attempt++) {
    const cluster = new BenchCluster(opts)
    try {
      await cluster.start(timeoutMs)
      return cluster
    } catch (err) {
      await cluster.stop()
      if (attempt >= 3 || !/EADDRINUSE|address already in use/.test((err as Error).message)) throw err
      log(`  ${cluster.name}: a port found free at init was taken before the start; again`)
    }
  }
}

/** Number of pins GET /allocations lists on a peer (NaN when it does not answer). */
export async function allocationCount (agent: Agent, restUrl: string): Promise<number> {
  try { return await streamNdjson(agent, `${restUrl}/allocations`, undefined, 120_000) } catch { return NaN }
}

/** Polls every peer until each lists at least `want` pins; performance.now() then, or NaN on timeout. */
export async function waitListed (agent: Agent, urls: string[], want: number, timeoutMs: number, everyMs = 200): Promise<number> {
  const deadline = performance.now() + timeoutMs
  let counts: number[] = []
  while (performance.now() < deadline) {
    const t = performance.now()
    counts = await Promise.all(urls.map(async u => await allocationCount(agent, u)))
    if (counts.every(c => c >= want)) return performance.now()
    await sleep(Math.max(everyMs, performance.now() - t))
  }
  log(`  gave up waiting after ${timeoutMs / 1000} s: peers list ${JSON.stringify(counts)} pins, ${want} expected`)
  return NaN
}

/**
 * Waits until the daemons of a cluster use less than `share` of a core (over 2 s), at most
 * `maxMs`: after a start with a big pinset, trackers and syncs run for a while. Seconds waited.
 */
export async function waitQuiet (cluster: BenchCluster, maxMs: number, share = 0.1): Promise<number> {
  return await waitAllQuiet([cluster], maxMs, share) / 1000
}

export interface LowSample { cid: string, count: number, statuses: string[] }

/**
 * The fewest peers reporting `pinned` for any of `cids`, from each peer's GET /pins?local=true
 * (undefined: a peer did not answer), and that CID with each peer's status of it.
 *
 * Peers cannot be read at one instant, so the listings are taken one after the other, in peer
 * order and then back (the last peer's listing serves both passes), and a CID counts the better
 * of the two passes. A move adds the new peer before it removes the old one; in the pass that
 * reads the old peer first, a CID the old peer no longer pins is already pinned on the new one —
 * reading them the other way round, or at once, would see a copy missing that never was.
 */
export async function clusterMinReplicas (agent: Agent, urls: string[], cids: string[]): Promise<LowSample | undefined> {
  const listing = async (u: string): Promise<Map<string, string> | undefined> => {
    const statuses = new Map<string, string>()
    const answer = await timedRequest(agent, `${u}/pins?local=true`, {
      timeoutMs: 60_000,
      onItem: (item: { cid: string, peer_map?: Record<string, { status: string }> | null }) => {
        for (const st of Object.values(item.peer_map ?? {})) statuses.set(item.cid, st.status)
      }
    }).catch(() => undefined)
    return answer === undefined || answer.status !== 200 || answer.streamError !== '' ? undefined : statuses
  }
  const forward: Array<Map<string, string>> = []
  for (const u of urls) {
    const m = await listing(u)
    if (m === undefined) return undefined
    forward.push(m)
  }
  const backward: Array<Map<string, string>> = [...forward]
  for (let i = urls.length - 2; i >= 0; i--) {
    const m = await listing(urls[i] as string)
    if (m === undefined) return undefined
    backward[i] = m
  }
  const pinnedIn = (pass: Array<Map<string, string>>, cid: string): number => pass.filter(m => m.get(cid) === 'pinned').length
  let low: LowSample | undefined
  for (const cid of cids) {
    const f = pinnedIn(forward, cid)
    const b = pinnedIn(backward, cid)
    const count = Math.max(f, b)
    if (low === undefined || count < low.count) low = { cid, count, statuses: (f >= b ? forward : backward).map(m => m.get(cid) ?? 'missing') }
  }
  return low
}

/**
 * The minimum replication of `cids` while something moves them: the copies the IPFS stand-ins
 * hold, every `everyMs`; and the peers reporting `pinned` (clusterMinReplicas), back to back,
 * at least `everyMs` apart. Runs until `stop()` or for at most `maxMs`.
 */
export class ReplicationSampler {
  kuboMin = Infinity
  kuboSamples = 0
  clusterMin = Infinity
  clusterSamples = 0
  /** The sample that showed the fewest peers pinned (the first of them), ms after the start. */
  clusterLow: (LowSample & { atMs: number }) | undefined
  private stopped = false
  readonly startedAt = performance.now()
  private readonly timer: NodeJS.Timeout
  private readonly loop: Promise<void>

  constructor (agent: Agent, urls: string[], kubos: FakeKubo[], cids: string[], everyMs: number, maxMs: number) {
    this.timer = setInterval(() => {
      let min = Infinity
      for (const c of cids) {
        let n = 0
        for (const kb of kubos) if (kb.pins.has(c)) n++
        if (n < min) min = n
      }
      this.kuboMin = Math.min(this.kuboMin, min)
      this.kuboSamples++
    }, everyMs)
    this.loop = (async () => {
      const hardStop = this.startedAt + maxMs
      while (!this.stopped && performance.now() < hardStop) {
        const t = performance.now()
        const low = await clusterMinReplicas(agent, urls, cids)
        if (low !== undefined) {
          this.clusterSamples++
          if (low.count < this.clusterMin) this.clusterLow = { ...low, atMs: t - this.startedAt }
          this.clusterMin = Math.min(this.clusterMin, low.count)
        }
        await sleep(Math.max(0, everyMs - (performance.now() - t)))
      }
    })()
  }

  /** Stops sampling; the minimums (NaN when never sampled) and the mean ms between cluster samples. */
  async stop (): Promise<{ kuboMin: number, kuboSamples: number, clusterMin: number, clusterSamples: number, every: number, clusterLow?: LowSample & { atMs: number } }> {
    const elapsed = performance.now() - this.startedAt
    this.stopped = true
    clearInterval(this.timer)
    await this.loop
    return {
      kuboMin: this.kuboSamples > 0 ? this.kuboMin : NaN,
      kuboSamples: this.kuboSamples,
      clusterMin: this.clusterSamples > 0 ? this.clusterMin : NaN,
      clusterSamples: this.clusterSamples,
      every: this.clusterSamples > 0 ? elapsed / this.clusterSamples : NaN,
      ...(this.clusterLow === undefined ? {} : { clusterLow: this.clusterLow })
    }
  }
}

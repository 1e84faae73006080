// REST API layer throughput, against the in-memory fake cluster (so it measures the HTTP server,
// routing, query parsing and JSON encoding only — no consensus, no IPFS):
//  - POST /pins/ipfs/{cid} at 1, 16 and 64 concurrent keep-alive clients: pins/s, p50/p99 latency;
//  - GET /allocations and GET /pins streaming 100k items: items/s and peak RSS (server and
//    client share this process).
// Run: node --conditions=source packages/rest-api/bench/pins.ts   (BENCH_PINS, BENCH_ITEMS to scale)
import { Agent, request } from 'node:http'
import { defaultPinOptions, newRecord, Timestamp } from '@cluster/api'
import type { GlobalPinInfo, LocalOption, Pin, PinInfoShort, PinTypeFilter, TrackerStatusFilter } from '@cluster/api'
import { RestApiServer } from '@cluster/rest-api'
import { FakeCluster, syntheticCid, P1, P2, T0 } from '@cluster/test-utils'
import { summarize, writeResults } from '../../../scripts/lib/bench-results.ts'
import type { BenchRow } from '../../../scripts/lib/bench-results.ts'

const PINS = Number(process.env.BENCH_PINS ?? 4000)
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000)
const RUNS = 3

/** The fake, with lazily generated 100k-item pinset and status streams. */
class BigFake extends FakeCluster {
  override async * allocations (_filter: PinTypeFilter): AsyncGenerator<Pin> {
    const base = { ...defaultPinOptions(), replicationFactorMin: 2, replicationFactorMax: 3, metadata: {} }
    for (let i = 0; i < ITEMS; i++) {
      yield { ...base, cid: syntheticCid(i), type: 'pin', allocations: [P1, P2], maxDepth: -1, reference: undefined, timestamp: T0 }
    }
  }

  override async * statusAll (_filter: TrackerStatusFilter, _opts?: LocalOption): AsyncGenerator<GlobalPinInfo> {
    const short: PinInfoShort = { peername: 'peer0', ipfsPeerId: undefined, ipfsPeerAddresses: [], status: 'pinned', timestamp: T0, error: '', attemptCount: 0, priorityPin: false }
    for (let i = 0; i < ITEMS; i++) {
      const peerMap = newRecord<PinInfoShort>()
      peerMap[P1] = short
      peerMap[P2] = { ...short, peername: 'peer1', status: 'remote' }
      yield { cid: syntheticCid(i), name: '', allocations: [P1, P2], origins: [], created: T0, metadata: null, peerMap }
    }
  }
}

function call (agent: Agent, port: number, method: string, path: string): Promise<{ status: number, lines: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      let lines = 0
      res.on('data', (chunk: Buffer) => { for (const b of chunk) if (b === 10) lines++ })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, lines }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

const fake = new BigFake()
fake.now = () => Timestamp.now()
const server = new RestApiServer(fake, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] })
const { port } = await server.start()
const rows: BenchRow[] = []
let next = 0
const query = 'mode=recursive&name=&replication-max=0&replication-min=0&shard-size=0&user-allocations='

for (const concurrency of [1, 16, 64]) {
  const rates: number[] = []
  const latencies: number[] = []
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  for (let run = 0; run < RUNS; run++) {
    let issued = 0
    const start = performance.now()
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (issued < PINS) {
        issued++
        const cid = syntheticCid(1_000_000 + next++).toString()
        const t0 = performance.now()
        const r = await call(agent, port, 'POST', `/pins/ipfs/${cid}?${query}`)
        latencies.push(performance.now() - t0)
        if (r.status !== 200) throw new Error(`pin answered ${r.status}`)
      }
    }))
    rates.push(PINS / ((performance.now() - start) / 1000))
    fake.pins.clear()
  }
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const note = `p50 ${percentile(latencies, 0.5).toFixed(2)} ms, p99 ${percentile(latencies, 0.99).toFixed(2)} ms (API layer only, fake cluster)`
  rows.push(summarize(`POST /pins/ipfs/{cid}, ${concurrency} concurrent clients, ${PINS} pins/run`, 'pins/s', rates, note))
}

for (const path of ['/allocations', '/pins?local=false&filter=&cids=']) {
  const rates: number[] = []
  globalThis.gc?.()
  const baseRss = process.memoryUsage().rss
  let peakRss = 0
  const agent = new Agent({ keepAlive: true })
  for (let run = 0; run < RUNS; run++) {
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss) }, 20)
    const start = performance.now()
    const r = await call(agent, port, 'GET', path)
    rates.push(r.lines / ((performance.now() - start) / 1000))
    clearInterval(sampler)
    if (r.lines !== ITEMS) throw new Error(`${path}: got ${r.lines} items`)
  }
  agent.destroy()
  rows.push(summarize(`GET ${path.split('?')[0]!} stream of ${ITEMS} items`, 'items/s', rates, `peak RSS ${Math.round(peakRss / 2 ** 20)} MiB, ${Math.round(baseRss / 2 ** 20)} MiB before (server + client in one process)`))
}

await server.stop()
writeResults('rest-api', rows)

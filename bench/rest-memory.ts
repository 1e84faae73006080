// What a CRDT peer holds at rest after taking a big pinset (issue #18's "RSS of an idle peer,
// 100k pins"): a 3-peer CRDT cluster of our built daemons on Kubo stand-ins, N pins posted to
// peer 0 as NDJSON batches of 10k (as test/status-big does), then every peer's RSS sampled at
// rest. With BENCH_NODE_FLAGS=--heapsnapshot-signal=SIGUSR2 the daemons write a heap snapshot
// (in the working directory) when sent SIGUSR2: REST_MEMORY_SNAPSHOT=1 sends it after the last
// sample, REST_MEMORY_SNAPSHOT=busy once the pins are listed (while the peers still pin them).
// Run: `node --conditions=source bench/rest-memory.ts [pins=100000]`
import { readFileSync } from 'node:fs'
import { BenchCluster } from './lib/cluster.ts'
import { FakeKubo } from './lib/fake-kubo.ts'
import { randomCids } from './lib/cids.ts'
import { sleep } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers } from './lib/processes.ts'
import { tsFlavour } from './lib/ts-cluster.ts'

const pins = Number(process.argv[2] ?? 100_000)
const BATCH = 10_000
installCleanupHandlers()
await tsFlavour.prepare()
const kubos = Array.from({ length: 3 }, () => new FakeKubo())
await Promise.all(kubos.map(async k => { await k.start() }))
const cluster = new BenchCluster({ flavour: tsFlavour, consensus: 'crdt', prefix: 'rest-mem', kuboApis: kubos.map(k => k.apiMultiaddr) })
/** RSS of a process (MiB), and its anonymous and file-backed parts. */
function rss (pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return `${(kib('VmRSS') / 1024).toFixed(0)} MiB (anon ${(kib('RssAnon') / 1024).toFixed(0)}, file ${(kib('RssFile') / 1024).toFixed(0)})`
}
let cpuBefore: number[] = []
/** Prints every peer's RSS, and the CPU each used since the previous sample. */
function sample (label: string): void {
  const cpu = cluster.cpuPerPeer()
  const used = cpuBefore.length === 0 ? '' : `; CPU since the previous sample ${cpu.map((c, i) => `${(c - (cpuBefore[i] ?? 0)).toFixed(1)} s`).join(' / ')}`
  cpuBefore = cpu
  console.log(`${label}: ${cluster.peers.map(p => rss(p.daemon?.pid ?? 0)).join(' / ')}${used}`)
}
try {
  await cluster.start()
  await sleep(5000)
  sample('empty, at rest')
  const cids = randomCids(pins)
  const t0 = performance.now()
  let acknowledged = 0
  const errors = new Map<string, number>()
  for (let start = 0; start < pins; start += BATCH) {
    const body = cids.slice(start, start + BATCH).map((cid, i) => JSON.stringify({ cid, name: `rest-${start + i}`, 'replication-min': 2, 'replication-max': 2 })).join('\n')
    const res = await fetch(`${cluster.peers[0]!.restUrl}/pins`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body })
    if (res.status !== 200) throw new Error(`POST /pins: HTTP ${res.status}: ${await res.text()}`)
    for (const line of (await res.text()).split('\n')) {
      if (line === '') continue
      const item = JSON.parse(line) as { error?: { message: string } }
      if (item.error === undefined) acknowledged++
      else errors.set(item.error.message, (errors.get(item.error.message) ?? 0) + 1)
    }
  }
  console.log(`${pins} pins posted in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${acknowledged} acknowledged${[...errors].map(([m, n]) => `; ${n} × ${m}`).join('')}`)
  for (const peer of cluster.peers) {
    for (;;) {
      const res = await fetch(`${peer.restUrl}/allocations`)
      const n = (await res.text()).split('\n').filter(l => l !== '').length
      if (n >= acknowledged) break
      await sleep(1000)
    }
  }
  console.log(`listed on every peer after ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  sample('just after')
  if (process.env.REST_MEMORY_SNAPSHOT === 'busy') {
    for (const p of cluster.peers) process.kill(p.daemon?.pid ?? 0, 'SIGUSR2')
    await sleep(30_000)
  }
  for (const s of [10, 30]) { await sleep(s === 10 ? 10_000 : 20_000); sample(`${s} s later`) }
  if (process.env.REST_MEMORY_SNAPSHOT === '1') {
    for (const p of cluster.peers) process.kill(p.daemon?.pid ?? 0, 'SIGUSR2')
    await sleep(30_000)
    sample('after the heap snapshots')
  }
} finally {
  await cluster.stop()
  await Promise.all(kubos.map(async k => { await k.stop() }))
  cleanupAll()
}

// GET /pins on our built packages, for profiling: a 3-peer Raft cluster on Kubo stand-ins that
// already hold their pins, N pins loaded with `state import` (balanced allocations, as workload 3
// of bench/side-by-side.ts); then each listing in turn, timed from the request to its last item,
// with the CPU each daemon used meanwhile. With BENCH_CPU_PROF=<dir> every daemon writes a V8 CPU
// profile there at exit.
// Run: `BENCH_CPU_PROF=/tmp/prof node --conditions=source bench/status-profile.ts [pins=5000] [runs=10] [paths]`
// (paths: comma-separated, default `/pins?local=true,/pins,/allocations`)
import { Agent } from 'node:http'
import { join } from 'node:path'
import { standIns, writeStateFile } from './lib/beyond-helpers.ts'
import { BenchCluster } from './lib/cluster.ts'
import { randomCids } from './lib/cids.ts'
import { sleep, streamNdjson } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers, tempDir } from './lib/processes.ts'
import { tsFlavour } from './lib/ts-cluster.ts'

const pins = Number(process.argv[2] ?? 5000)
const runs = Number(process.argv[3] ?? 10)
const paths = (process.argv[4] ?? '/pins?local=true,/pins,/allocations').split(',')
installCleanupHandlers()
await tsFlavour.prepare()
const cids = randomCids(pins)
const kubos = await standIns(3)
const file = join(tempDir('status-profile-'), 'state.ndjson')
const cluster = new BenchCluster({
  flavour: tsFlavour,
  kuboApis: kubos.map(k => k.apiMultiaddr),
  prefix: 'status-prof',
  importState: (ids) => {
    writeStateFile(file, pins, i => ({ cid: cids[i] as string, allocations: [ids[i % 3] as string, ids[(i + 1) % 3] as string] }))
    cids.forEach((cid, i) => { for (const k of [kubos[i % 3], kubos[(i + 1) % 3]]) k?.pins.set(cid, 'recursive') })
    return file
  }
})
const agent = new Agent({ keepAlive: true })
try {
  await cluster.start(300_000)
  console.log(`quiet ${((await cluster.waitQuiet()) / 1000).toFixed(1)} s after the start`)
  await sleep(5000)
  console.log(`RSS at rest: ${cluster.peers.map((_, i) => (cluster.rss(i) / 2 ** 20).toFixed(0)).join(' / ')} MiB`)
  // BENCH_REST_MS: a longer rest before the listings (time to take heap snapshots of idle peers).
  await sleep(Number(process.env.BENCH_REST_MS ?? 0))
  for (const path of paths) {
    const times: number[] = []
    let cpu: number[] = []
    const peaks: number[] = []
    for (let run = 0; run < runs; run++) {
      const before = cluster.cpuPerPeer()
      const t0 = performance.now()
      const sample = (): void => { cluster.peers.forEach((_, i) => { peaks[i] = Math.max(peaks[i] ?? 0, cluster.rss(i)) }) }
      const sampler = setInterval(sample, 100)
      const items = await streamNdjson(agent, `${cluster.peers[0]?.restUrl}${path}`).finally(() => { clearInterval(sampler) })
      times.push(performance.now() - t0)
      const after = cluster.cpuPerPeer()
      cpu = after.map((s, i) => 1000 * (s - (before[i] ?? 0)))
      if (items !== pins) console.log(`${path}: ${items} items of ${pins}`)
    }
    times.sort((a, b) => a - b)
    console.log(`${path}: median ${times[Math.floor(times.length / 2)]?.toFixed(0)} ms (min ${times[0]?.toFixed(0)}), last run's CPU per peer ${cpu.map(ms => ms.toFixed(0)).join(' / ')} ms, peak RSS per peer ${peaks.map(b => (b / 2 ** 20).toFixed(0)).join(' / ')} MiB`)
  }
} finally {
  agent.destroy()
  await cluster.stop()
  await Promise.all(kubos.map(async k => { await k.stop() }))
  cleanupAll()
}

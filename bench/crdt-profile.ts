// One write-path run on our built packages, for profiling: a 3-peer CRDT cluster (Raft with
// BENCH_CONSENSUS=raft) on Kubo stand-ins, POST /pins from N clients; prints the answered rate,
// p50 and the daemons' CPU per pin (peer 0 / each other peer). With BENCH_CPU_PROF=<dir> every
// daemon writes a V8 CPU profile there at exit (the three largest files are the daemons).
// Run: `BENCH_CPU_PROF=/tmp/prof node --conditions=source bench/crdt-profile.ts [clients=1] [pins=3000] [batch]`
// (batching 100 pins / 50ms; BENCH_BATCH_SIZE and BENCH_BATCH_AGE change it).
import { BenchCluster } from './lib/cluster.ts'
import { FakeKubo } from './lib/fake-kubo.ts'
import { randomCids } from './lib/cids.ts'
import { percentile, pinLoad, sleep } from './lib/load.ts'
import { cleanupAll, installCleanupHandlers } from './lib/processes.ts'
import { tsFlavour } from './lib/ts-cluster.ts'
const clients = Number(process.argv[2] ?? 1)
const pins = Number(process.argv[3] ?? 3000)
const batching = process.argv[4] === 'batch'
const consensus = process.env.BENCH_CONSENSUS === 'raft' ? 'raft' : 'crdt'
installCleanupHandlers()
await tsFlavour.prepare()
const kubos = Array.from({ length: 3 }, () => new FakeKubo())
await Promise.all(kubos.map(async k => { await k.start() }))
const cluster = new BenchCluster({ flavour: tsFlavour, consensus, crdt: batching ? { batching: { max_batch_size: Number(process.env.BENCH_BATCH_SIZE ?? 100), max_batch_age: process.env.BENCH_BATCH_AGE ?? '50ms' } } : {}, prefix: 'crdt-prof', kuboApis: kubos.map(k => k.apiMultiaddr) })
try {
  await cluster.start()
  await sleep(2000)
  const before = cluster.cpuPerPeer()
  const r = await pinLoad(cluster.peers.map(p => p.restUrl), randomCids(pins), clients)
  const split = cluster.cpuSplitSince(before, r.done)
  console.log(`rate ${r.rate.toFixed(0)} p50 ${percentile(r.latencies, 0.5).toFixed(2)} writer ${split.writer.toFixed(2)} others ${split.others.toFixed(2)} errors ${r.errors}`)
  await sleep(1000)
} finally {
  await cluster.stop()
  await Promise.all(kubos.map(async k => { await k.stop() }))
  cleanupAll()
}

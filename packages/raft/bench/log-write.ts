// Raft log write path: proposals/s, log fsyncs and CPU per proposal of a 3-node group in one
// process (in-memory transport, SQLite storage in a temporary directory), with 1, 16 and 64
// proposers each waiting for its proposal to be applied before sending the next. CPU counts the
// fsyncs on the thread pool too; "event loop busy" (blocking fsyncs included) is the time the one
// JS thread could do nothing else.
// Run alone (other load skews it): node packages/raft/bench/log-write.ts   (built dist/), or
//   node --conditions=source packages/raft/bench/log-write.ts   (src/)
// BENCH_PROPOSALS (default 2000), BENCH_CONCURRENCY (default 1,16,64), BENCH_RUNS (default 3),
// BENCH_WRITE=1 writes bench/results/raft-log-write-<date>.{json,md}.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryNetwork, RaftNode } from '@cluster/raft/node'
import { SqliteStorage } from '@cluster/raft/sqlite'
import { KvStore, encodeCommand } from '../examples/kv-store.ts'
import { median, summarize, writeResults, type BenchRow } from '../../../scripts/lib/bench-results.ts'

const N = Number(process.env.BENCH_PROPOSALS ?? 2000)
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)

/** Log fsyncs so far: the storage's own counter when it has one, else one per transaction (synchronous = full). */
function fsyncCount (s: SqliteStorage, transactions: number): number {
  const stats = (s as unknown as { stats?: { fsyncs: number } }).stats
  return stats?.fsyncs ?? transactions
}

interface Group { nodes: Array<RaftNode<string | undefined>>, leader: RaftNode<string | undefined>, fsyncs: () => number, stop: () => Promise<void> }

async function group (): Promise<Group> {
  const dir = mkdtempSync(join(tmpdir(), 'raft-log-bench-'))
  const net = new MemoryNetwork()
  const ids = ['a', 'b', 'c']
  const storages = ids.map(id => new SqliteStorage(join(dir, `${id}.db`)))
  const transactions = storages.map(() => 0)
  storages.forEach((s, i) => {
    // Counts the old synchronous path's transactions (each one fsync with synchronous = full).
    const persist = s.persist.bind(s)
    s.persist = (update) => { transactions[i] = (transactions[i] ?? 0) + 1; persist(update) }
  })
  const nodes = ids.map((id, i) => new RaftNode(id, { storage: storages[i] as SqliteStorage, transport: net.transport(id), stateMachine: new KvStore(), bootstrap: ids, tickMs: 50 }))
  for (const n of nodes) n.start()
  while (!nodes.some(n => n.isLeader)) await new Promise(resolve => setTimeout(resolve, 20))
  return {
    nodes,
    leader: nodes.find(n => n.isLeader) as RaftNode<string | undefined>,
    fsyncs: () => storages.reduce((sum, s, i) => sum + fsyncCount(s, transactions[i] ?? 0), 0),
    stop: async () => {
      await Promise.all(nodes.map(async n => await n.stop()))
      for (const s of storages) s.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

interface RunResult { rate: number, p50: number, fsyncsPerProposal: number, cpuMsPerProposal: number, mainThreadCpuMsPerProposal: number, loopMsPerProposal: number }

async function run (g: Group, concurrency: number): Promise<RunResult> {
  const latencies: number[] = []
  let next = 0
  const fsyncsBefore = g.fsyncs()
  const cpuBefore = process.cpuUsage()
  const loopBefore = performance.eventLoopUtilization()
  const threadBefore = process.threadCpuUsage()
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < N) {
      const i = next++
      const t0 = performance.now()
      await g.leader.propose(encodeCommand({ op: 'put', key: `k${i}`, value: 'x'.repeat(64) }))
      latencies.push(performance.now() - t0)
    }
  }))
  const seconds = (performance.now() - start) / 1000
  // Followers apply shortly after the leader; their fsyncs belong to this run too.
  const target = g.leader.appliedIndex
  while (g.nodes.some(n => n.appliedIndex < target)) await new Promise(resolve => setTimeout(resolve, 5))
  const cpu = process.cpuUsage(cpuBefore)
  const loop = performance.eventLoopUtilization(loopBefore)
  const thread = process.threadCpuUsage(threadBefore)
  return {
    rate: N / seconds,
    p50: median(latencies),
    fsyncsPerProposal: (g.fsyncs() - fsyncsBefore) / N,
    cpuMsPerProposal: (cpu.user + cpu.system) / 1000 / N,
    mainThreadCpuMsPerProposal: (thread.user + thread.system) / 1000 / N,
    loopMsPerProposal: loop.active / N
  }
}

const rows: BenchRow[] = []
for (const c of CONCURRENCY) {
  const results: RunResult[] = []
  for (let r = 0; r < RUNS; r++) {
    const g = await group()
    results.push(await run(g, c))
    await g.stop()
  }
  const label = `3 nodes in one process, in-memory transport, SQLite, ${c} concurrent`
  rows.push(summarize(`propose ${N} × 64 B, ${label}`, 'proposals/s', results.map(r => r.rate)))
  rows.push(summarize(`  commit latency p50 (${c} concurrent)`, 'ms', results.map(r => r.p50)))
  rows.push(summarize(`  log fsyncs per proposal, 3 nodes together (${c} concurrent)`, 'fsyncs', results.map(r => r.fsyncsPerProposal)))
  rows.push(summarize(`  CPU per proposal, 3 nodes together, all threads (${c} concurrent)`, 'ms', results.map(r => r.cpuMsPerProposal)))
  rows.push(summarize(`  CPU per proposal, 3 nodes together, main thread (${c} concurrent)`, 'ms', results.map(r => r.mainThreadCpuMsPerProposal)))
  rows.push(summarize(`  event loop busy per proposal, 3 nodes together (${c} concurrent)`, 'ms', results.map(r => r.loopMsPerProposal)))
}
if (process.env.BENCH_WRITE === '1') writeResults('raft-log-write', rows)
else for (const r of rows) console.log(`${r.workload}: ${Number(r.median.toPrecision(4))} ${r.unit} (min ${Number(r.min.toPrecision(4))}, max ${Number(r.max.toPrecision(4))})`)

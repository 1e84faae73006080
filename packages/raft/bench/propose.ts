// Proposal throughput of a 3-node group: in-memory (core + driver cost only) and over libp2p on
// loopback with SQLite storage fsyncing every Ready (the production path).
// Run: node --conditions=source packages/raft/bench/propose.ts   (BENCH_PROPOSALS to change N)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { MemoryStorage } from '@cluster/raft'
import { Libp2pTransport } from '@cluster/raft/libp2p'
import { MemoryNetwork, RaftNode, type RaftTransport, type WritableStorage } from '@cluster/raft/node'
import { SqliteStorage } from '@cluster/raft/sqlite'
import { KvStore, encodeCommand } from '../examples/kv-store.ts'
import { median, summarize, writeResults, type BenchRow } from '../../../scripts/lib/bench-results.ts'

const N = Number(process.env.BENCH_PROPOSALS ?? 3000)
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,256').split(',').map(Number)
const RUNS = 3

interface Group { leader: RaftNode<string | undefined>, stop: () => Promise<void> }

async function group (kind: 'memory' | 'libp2p', durable: boolean): Promise<Group> {
  const dir = mkdtempSync(join(tmpdir(), 'raft-bench-'))
  const hosts: Libp2p[] = []
  let transports: RaftTransport[]
  let ids: string[]
  let storages: WritableStorage[]
  if (kind === 'memory') {
    const net = new MemoryNetwork()
    ids = ['a', 'b', 'c']
    transports = ids.map(id => net.transport(id))
    storages = ids.map(id => durable ? new SqliteStorage(join(dir, `${id}.db`)) : new MemoryStorage())
  } else {
    for (let i = 0; i < 3; i++) {
      hosts.push(await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] }))
    }
    for (const a of hosts) for (const b of hosts) if (a !== b) await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })
    ids = hosts.map(h => h.peerId.toString())
    transports = await Promise.all(hosts.map(async h => await Libp2pTransport.create(h)))
    storages = ids.map(id => new SqliteStorage(join(dir, `${id}.db`)))
  }
  const nodes = ids.map((id, i) => new RaftNode(id, { storage: storages[i] as WritableStorage, transport: transports[i] as RaftTransport, stateMachine: new KvStore(), bootstrap: ids, tickMs: 50 }))
  for (const n of nodes) n.start()
  while (!nodes.some(n => n.isLeader)) await new Promise(resolve => setTimeout(resolve, 20))
  return {
    leader: nodes.find(n => n.isLeader) as RaftNode<string | undefined>,
    stop: async () => {
      await Promise.all(nodes.map(async n => await n.stop()))
      for (const s of storages) if (s instanceof SqliteStorage) s.close()
      await Promise.all(hosts.map(async h => await h.stop()))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

async function run (leader: RaftNode<string | undefined>, concurrency: number): Promise<{ rate: number, p50: number, p99: number }> {
  const latencies: number[] = []
  let next = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < N) {
      const i = next++
      const t0 = performance.now()
      await leader.propose(encodeCommand({ op: 'put', key: `k${i}`, value: 'x'.repeat(64) }))
      latencies.push(performance.now() - t0)
    }
  }))
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  return { rate: N / seconds, p50: median(latencies), p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 }
}

const rows: BenchRow[] = []
const setups = [
  { kind: 'memory' as const, durable: false, label: 'in-memory transport, MemoryStorage' },
  { kind: 'memory' as const, durable: true, label: 'in-memory transport, SQLite fsync' },
  { kind: 'libp2p' as const, durable: true, label: 'libp2p loopback, SQLite fsync' }
].filter(s => (process.env.BENCH_SETUPS ?? 'all') === 'all' || (process.env.BENCH_SETUPS ?? '').split(',').includes(`${s.kind}${s.durable ? '-sqlite' : ''}`))
for (const { kind, durable, label } of setups) {
  for (const c of CONCURRENCY) {
    const rates: number[] = []
    const p50s: number[] = []
    const p99s: number[] = []
    for (let r = 0; r < RUNS; r++) {
      const g = await group(kind, durable)
      const res = await run(g.leader, c)
      rates.push(res.rate); p50s.push(res.p50); p99s.push(res.p99)
      await g.stop()
    }
    rows.push(summarize(`propose ${N} × 64 B, 3 nodes, ${label}, ${c} concurrent`, 'proposals/s', rates))
    rows.push(summarize(`  commit latency p50 (${label}, ${c} concurrent)`, 'ms', p50s))
    rows.push(summarize(`  commit latency p99 (${label}, ${c} concurrent)`, 'ms', p99s))
  }
}
writeResults('raft-propose', rows)

// Allocation throughput: 100k pins over 50 peers with 3 metrics (tag:group, pinqueue, freespace),
// rf 2..3, every pin new. Run: node --conditions=source packages/allocator/bench/allocate.ts
import { allocate, type AllocatorMetric } from '@cluster/allocator'
import { summarize, writeResults } from '../../../scripts/lib/bench-results.ts'

const pins = Number(process.env.BENCH_PINS ?? 100_000)
const peers = Array.from({ length: 50 }, (_, i) => `peer-${i}`)
const metrics = new Map<string, AllocatorMetric[]>([
  ['tag:group', peers.map((peer, i) => ({ name: 'tag:group', peer, value: `group-${i % 5}`, weight: 0, partitionable: true }))],
  ['pinqueue', peers.map((peer, i) => ({ name: 'pinqueue', peer, value: String(i % 7), weight: -(i % 7), partitionable: false }))],
  ['freespace', peers.map((peer, i) => ({ name: 'freespace', peer, value: String(1e12 + i * 1e9), weight: 1e12 + i * 1e9, partitionable: false }))]
])
const allocateBy = ['tag:group', 'pinqueue', 'freespace']

const samples: number[] = []
for (let run = 0; run < 5; run++) {
  const start = performance.now()
  for (let i = 0; i < pins; i++) {
    allocate({ allocateBy, metrics, replicationFactorMin: 2, replicationFactorMax: 3 })
  }
  samples.push(pins / ((performance.now() - start) / 1000))
}
writeResults('allocator', [summarize(`allocate ${pins} new pins, 50 peers, 3 metrics, rf 2..3`, 'allocations/s', samples)])

import type { MetricsByName } from './metric.ts'

/**
 * One partition of a level: peers that share a value of a partitionable metric, or a single peer.
 * `aggregated` adds the weights of the partitions below, so heavier subtrees go first.
 */
interface Partition {
  readonly value: string
  weight: bigint
  aggregated: bigint
  readonly peers: string[]
  sub?: Level
}

interface Level {
  readonly partitions: Partition[]
  cursor: number
  exhausted: boolean
}

/**
 * Orders `peers` the way Go's balanced allocator does (cluster-behaviour.md §4.2): a tree of
 * partitions, one level per `allocateBy` name, walked round-robin so two peers of one partition
 * are never taken while another partition still has one. Peers lacking a metric of some level
 * never appear.
 */
export function balancedOrder (allocateBy: readonly string[], metrics: MetricsByName, peers: ReadonlySet<string>): string[] {
  if (peers.size === 0 || allocateBy.length === 0) return []
  const root = buildLevel(allocateBy, metrics, peers)
  const used = new Set<string>()
  const order: string[] = []
  for (let pick = next(root, used); pick !== undefined; pick = next(root, used)) order.push(pick)
  return order
}

function buildLevel (names: readonly string[], metrics: MetricsByName, peers: ReadonlySet<string>): Level {
  const [name, ...rest] = names
  const partitions: Partition[] = []
  const byValue = new Map<string, Partition>()
  for (const m of metrics.get(name ?? '') ?? []) {
    if (!peers.has(m.peer)) continue
    const weight = BigInt(m.weight)
    const shared = m.partitionable ? byValue.get(m.value) : undefined
    if (shared !== undefined) {
      shared.weight += weight
      shared.aggregated += weight
      shared.peers.push(m.peer)
      continue
    }
    const partition: Partition = { value: m.value, weight, aggregated: weight, peers: [m.peer] }
    partitions.push(partition)
    if (m.partitionable) byValue.set(m.value, partition)
  }
  if (rest.length > 0) {
    for (const p of partitions) {
      p.sub = buildLevel(rest, metrics, new Set(p.peers))
      for (const child of p.sub.partitions) p.aggregated += child.aggregated
    }
  }
  partitions.sort(comparePartitions)
  return { partitions, cursor: 0, exhausted: false }
}

function comparePartitions (a: Partition, b: Partition): number {
  if (a.weight !== b.weight) return a.weight > b.weight ? -1 : 1
  if (a.aggregated !== b.aggregated) return a.aggregated > b.aggregated ? -1 : 1
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0
}

function next (level: Level, used: Set<string>): string | undefined {
  if (level.exhausted || level.partitions.length === 0) return undefined
  for (let visits = 0; visits < level.partitions.length; visits++) {
    const p = level.partitions[level.cursor] as Partition
    level.cursor = (level.cursor + 1) % level.partitions.length
    const pick = p.sub !== undefined ? next(p.sub, used) : p.peers.find(peer => !used.has(peer))
    if (pick !== undefined) {
      used.add(pick)
      return pick
    }
  }
  level.exhausted = true
  return undefined
}

/** Go's `allocate(cid, current, candidates, priority)`: priority peers first, then candidates. */
export function balancedAllocate (allocateBy: readonly string[], metrics: MetricsByName, candidates: ReadonlySet<string>, priority: ReadonlySet<string>): string[] {
  return [...balancedOrder(allocateBy, metrics, priority), ...balancedOrder(allocateBy, metrics, candidates)]
}


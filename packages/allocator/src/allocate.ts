import { balancedAllocate } from './balanced.ts'
import { BadReplicationFactorError, InvalidAllocatorConfigError, NotEnoughPeersError } from './errors.ts'
import type { MetricsByName } from './metric.ts'

export interface AllocateRequest {
  /** `allocate_by` of the balanced allocator, e.g. `['tag:group', 'freespace']`. */
  readonly allocateBy: readonly string[]
  /** Latest valid, unexpired metric of each peer in the peerset, per name (the monitor's view). */
  readonly metrics: MetricsByName
  /** Replication factors after the cluster defaults were applied; -1/-1 means everywhere. */
  readonly replicationFactorMin: number
  readonly replicationFactorMax: number
  /** Allocations of the existing pin, in order; empty for a new pin or a former "everywhere" pin. */
  readonly current?: readonly string[]
  /** Peers that must not be chosen (the departing peer during a repin). */
  readonly blacklist?: Iterable<string>
  /** `user_allocations`: chosen before any other candidate. */
  readonly priority?: Iterable<string>
  /** Trust filter (`pin_only_on_trusted_peers` / `pin_only_on_untrusted_peers`); absent = all peers. */
  readonly eligible?: (peer: string) => boolean
}

/**
 * The allocation step of cluster-behaviour.md §4.1: which peers pin a CID. Returns `[]` for pin
 * everywhere. Unlike Go, every order here is deterministic: CURRENT keeps the order of the
 * existing allocation list, and buckets are never iterated in map order.
 */
export function allocate (req: AllocateRequest): string[] {
  const min = req.replicationFactorMin
  const max = req.replicationFactorMax
  if (min + max === 0) throw new BadReplicationFactorError(min, max)
  if (min < 0 && max < 0) return []
  validateAllocateBy(req.allocateBy)

  const current = req.current ?? []
  const blacklist = new Set(req.blacklist ?? [])
  const priority = new Set(req.priority ?? [])
  const usable = peersWithEveryMetric(req.allocateBy, req.metrics, peer =>
    !blacklist.has(peer) && (req.eligible?.(peer) ?? true))

  const currentValid = current.filter(peer => usable.has(peer))
  const currentSet = new Set(currentValid)
  const prioritySet = new Set<string>()
  const candidateSet = new Set<string>()
  for (const peer of usable) {
    if (currentSet.has(peer)) continue
    if (priority.has(peer)) prioritySet.add(peer)
    else candidateSet.add(peer)
  }

  const needed = min - currentValid.length
  const wanted = max - currentValid.length
  const available = prioritySet.size + candidateSet.size
  if (wanted < 0) return currentValid.slice(0, max)
  // Enough valid allocations: keep the list as it is, dead peers included (Go behaviour).
  if (needed <= 0) return [...current]
  if (available < needed) throw new NotEnoughPeersError(needed, wanted, available)

  const ordered = balancedAllocate(req.allocateBy, req.metrics, candidateSet, prioritySet)
  if (ordered.length < needed) throw new NotEnoughPeersError(needed, wanted, ordered.length)
  return [...currentValid, ...ordered.slice(0, Math.min(wanted, ordered.length))]
}

export function validateAllocateBy (allocateBy: readonly string[]): void {
  if (allocateBy.length === 0 || allocateBy.some(name => name === '')) {
    throw new InvalidAllocatorConfigError('metricalloc.allocate_by is invalid')
  }
}

/** Peers passing `keep` that have a metric for every name: the only ones the allocator may use. */
function peersWithEveryMetric (names: readonly string[], metrics: MetricsByName, keep: (peer: string) => boolean): Set<string> {
  let result: Set<string> | undefined
  for (const name of names) {
    const withName = new Set<string>()
    for (const m of metrics.get(name) ?? []) {
      if ((result === undefined || result.has(m.peer)) && keep(m.peer)) withName.add(m.peer)
    }
    result = withName
  }
  return result ?? new Set()
}

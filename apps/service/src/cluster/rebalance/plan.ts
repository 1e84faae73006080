/**
 * The rebalance plan: for each pin, the allocation the balanced allocator would give it now if
 * it were pinned afresh, with the metrics as they will be once the moves planned before it are
 * done. A pin moves when that allocation differs from the one it has.
 *
 * Metrics are a snapshot; what a planned move does to them is simulated on the metrics that
 * measure load: each pin counts `pinBytes` against `freespace` (and for `reposize`) and one pin
 * against `numpin`. A pin's own peers get its share back while it is weighed (it would not be
 * there if pinned afresh), so a pin only moves when another peer is better off by more than the
 * pin itself: the plan converges instead of swapping pins back and forth.
 */
import type { Metric, PeerId, Pin } from '@cluster/api'
import { allocate } from '@cluster/allocator'

export interface PlanContext {
  allocateBy: string[]
  /** Latest valid metrics, by name (a snapshot taken when the plan starts). */
  metrics: ReadonlyMap<string, readonly Metric[]>
  /** Estimated bytes one allocation of a pin takes on a peer. */
  pinBytes: bigint
}

/** What the planned moves so far change on each peer: pins added minus pins removed. */
export type PlannedLoad = Map<string, number>

/** Whether a pin is one the rebalance may move: allocated to chosen peers, not "everywhere". */
export function movable (pin: Pin): boolean {
  if (pin.type === 'meta-pin') return false
  if (pin.replicationFactorMin === -1 && pin.replicationFactorMax === -1) return false
  return (pin.allocations ?? []).length > 0
}

function adjusted (metric: Metric, load: number, ctx: PlanContext): Metric {
  if (load === 0) return metric
  if (metric.name === 'freespace' || metric.name === 'reposize') {
    const weight = Number(BigInt(Math.trunc(metric.weight)) - BigInt(load) * ctx.pinBytes)
    return { ...metric, weight, value: metric.name === 'freespace' ? String(weight < 0 ? 0 : weight) : metric.value }
  }
  if (metric.name === 'numpin') return { ...metric, weight: metric.weight - load }
  return metric
}

function metricsWith (ctx: PlanContext, load: PlannedLoad): Map<string, Metric[]> {
  const out = new Map<string, Metric[]>()
  for (const name of ctx.allocateBy) {
    out.set(name, (ctx.metrics.get(name) ?? []).map(m => adjusted(m, load.get(m.peer) ?? 0, ctx)))
  }
  return out
}

function sameSet (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every(p => b.includes(p))
}

/**
 * The allocation `pin` should have; undefined when it keeps its own. Updates `load` with the
 * move. Throws as the allocator does (e.g. not enough peers).
 */
export function planPin (ctx: PlanContext, load: PlannedLoad, pin: Pin): PeerId[] | undefined {
  const current = pin.allocations ?? []
  const without = new Map(load)
  for (const peer of current) without.set(peer, (without.get(peer) ?? 0) - 1)
  const target = allocate({
    allocateBy: ctx.allocateBy,
    metrics: metricsWith(ctx, without),
    replicationFactorMin: pin.replicationFactorMin,
    replicationFactorMax: pin.replicationFactorMax,
    current: [],
    priority: pin.userAllocations ?? []
  }) as PeerId[]
  if (sameSet(target, current)) return undefined
  for (const peer of current) if (!target.includes(peer)) load.set(peer, (load.get(peer) ?? 0) - 1)
  for (const peer of target) if (!current.includes(peer)) load.set(peer, (load.get(peer) ?? 0) + 1)
  return target
}

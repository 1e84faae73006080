/**
 * The part of a metric (rest-api.md §2.8) the allocator reads. `Metric` of @cluster/api fits it;
 * it is declared structurally so the allocator stays a dependency-free set of pure functions.
 */
export interface AllocatorMetric {
  readonly name: string
  readonly peer: string
  readonly value: string
  /** Bigger is better. Free bytes can exceed 2^53, hence bigint is accepted. */
  readonly weight: number | bigint
  /** Metrics with the same value join one partition (tags, regions); others stand alone. */
  readonly partitionable: boolean
}

/** Latest valid, unexpired metric of each peer in the peerset, per metric name. */
export type MetricsByName = ReadonlyMap<string, readonly AllocatorMetric[]>

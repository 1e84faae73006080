import type { Metric, PeerId } from '@cluster/api'
import type { Clock } from '@cluster/api'

export type { Metric }

/** Something that produces metrics on demand (Go's `Informer`). */
export interface Informer {
  /** Informer name (its config section key): `disk`, `tags`, `numpin`. */
  readonly name: string
  /** Produce fresh metrics. Never throws: a failure yields an invalid metric. */
  getMetrics: (options?: { signal?: AbortSignal }) => Promise<Metric[]>
}

const NS_PER_MS = 1_000_000n

/** Build a metric expiring `ttlMs` from now on `clock`. */
export function makeMetric (
  clock: Clock,
  ttlMs: number,
  fields: { name: string, value: string, valid: boolean, weight?: number, partitionable?: boolean }
): Metric {
  return {
    name: fields.name,
    peer: '' as PeerId, // stamped by the publisher
    value: fields.value,
    expire: BigInt(Math.floor(clock.now())) * NS_PER_MS + BigInt(Math.round(ttlMs * 1e6)),
    valid: fields.valid,
    weight: fields.weight ?? 0,
    partitionable: fields.partitionable ?? false,
    receivedAt: 0n
  }
}

/**
 * A weight as @cluster/api's Metric holds it (a JS number): clamped to Go's int64 range first
 * (StorageMax may be 2^64−1), then converted — exact up to 2^53, order-preserving above.
 */
export function weightOf (n: bigint): number {
  const max = (1n << 63n) - 1n
  const min = -(1n << 63n)
  return Number(n > max ? max : n < min ? min : n)
}

/**
 * The fields of a metric (rest-api.md §2.8) the monitor reads. `Metric` of @cluster/api fits it.
 * Times are Unix nanoseconds as bigint: `expire` is set by the sender's clock, `receivedAt` by ours.
 */
export interface MonitoredMetric {
  readonly name: string
  readonly peer: string
  readonly valid: boolean
  readonly expire: bigint
  readonly receivedAt: bigint
}


/** Expired ⇔ now > expire (Go's `Metric.Expired`). */
export function isExpired (m: { expire: bigint }, now: bigint): boolean {
  return now > m.expire
}

/** Discard ⇔ invalid or expired (Go's `Metric.Discard`). */
export function isDiscarded (m: { valid: boolean, expire: bigint }, now: bigint): boolean {
  return !m.valid || isExpired(m, now)
}

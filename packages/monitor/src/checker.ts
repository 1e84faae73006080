import { unixNanosOf, type ClockLike } from '@cluster/api'
import { isExpired, type MonitoredMetric } from './metric.ts'
import type { MetricStore } from './store.ts'

export interface Alert<M extends MonitoredMetric> {
  /** The newest metric of the failing (peer, name). */
  readonly metric: M
  /** Unix nanoseconds. */
  readonly triggeredAt: bigint
}

export interface CheckerOptions {
  /**
   * While an outage lasts, alert again every this many checks. Go re-alerts about every 12 checks
   * (its failure counter advances once per stored sample, 300 / 25); we say it directly.
   */
  realertEveryChecks?: number
}

/**
 * Turns expired metrics into alerts (cluster-behaviour.md §5.3): a peer of the peerset is failing
 * for metric N when its newest N metric has expired. One alert per failure episode (plus periodic
 * re-alerts while it lasts); a fresh metric of that name ends the episode. Peers that never sent
 * N are never alerted for N. Call `check()` every `check_interval`.
 */
export class FailureChecker<M extends MonitoredMetric> {
  private readonly store: MetricStore<M>
  private readonly clock: ClockLike
  private readonly realertEvery: number
  /** `${name}\0${peer}` → consecutive failing checks in the current episode. */
  private readonly failing = new Map<string, number>()

  constructor (store: MetricStore<M>, clock: ClockLike, options: CheckerOptions = {}) {
    this.store = store
    this.clock = clock
    this.realertEvery = options.realertEveryChecks ?? 12
  }

  /** A metric was stored: the (peer, name) episode, if any, is over. */
  reset (name: string, peer: string): void {
    this.failing.delete(`${name}\0${peer}`)
  }

  check (peerset: ReadonlySet<string>): Array<Alert<M>> {
    const now = unixNanosOf(this.clock)
    const alerts: Array<Alert<M>> = []
    for (const name of this.store.names()) {
      for (const peer of this.store.peers(name)) {
        const key = `${name}\0${peer}`
        const newest = this.store.latestForPeer(name, peer)
        if (!peerset.has(peer) || newest === undefined || !isExpired(newest, now)) {
          this.failing.delete(key)
          continue
        }
        const count = (this.failing.get(key) ?? 0) + 1
        this.failing.set(key, count)
        if ((count - 1) % this.realertEvery === 0) alerts.push({ metric: newest, triggeredAt: now })
      }
    }
    return alerts
  }
}

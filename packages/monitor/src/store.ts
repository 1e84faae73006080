import { unixNanosOf, type ClockLike } from '@cluster/api'
import { isDiscarded, type MonitoredMetric } from './metric.ts'

/** Metrics kept per (name, peer), like Go's metrics window. */
export const WINDOW_SIZE = 25

/**
 * Received metrics per name and peer (cluster-behaviour.md §5.2): the last WINDOW_SIZE of each,
 * newest last. Every metric is stored, valid or not, stamped with `receivedAt = now`.
 */
export class MetricStore<M extends MonitoredMetric> {
  private readonly byName = new Map<string, Map<string, M[]>>()
  private readonly clock: ClockLike

  /** `clock`: the time source (Unix time in nanoseconds as a bigint, or milliseconds) — a manual one in tests. */
  constructor (clock: ClockLike) {
    this.clock = clock
  }

  private now (): bigint {
    return unixNanosOf(this.clock)
  }

  /** Stores a metric (stamping `receivedAt`) and returns the stored copy. */
  add (metric: M): M {
    const stored = { ...metric, receivedAt: this.now() }
    let peers = this.byName.get(stored.name)
    if (peers === undefined) this.byName.set(stored.name, peers = new Map())
    let window = peers.get(stored.peer)
    if (window === undefined) peers.set(stored.peer, window = [])
    window.push(stored)
    if (window.length > WINDOW_SIZE) window.shift()
    return stored
  }

  /**
   * For each peer of `peerset` (all peers when absent), its newest metric of `name` if it is
   * valid and unexpired; sorted by peer ID, then expiry. What allocation and the API read.
   */
  latest (name: string, peerset?: ReadonlySet<string>): M[] {
    const now = this.now()
    const result: M[] = []
    for (const [peer, window] of this.byName.get(name) ?? []) {
      if (peerset !== undefined && !peerset.has(peer)) continue
      const newest = window[window.length - 1]
      if (newest !== undefined && !isDiscarded(newest, now)) result.push(newest)
    }
    return result.sort((a, b) => a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : a.expire < b.expire ? -1 : a.expire > b.expire ? 1 : 0)
  }

  /** Newest stored metric of (name, peer), expired or not: the last known ping of a dead peer. */
  latestForPeer (name: string, peer: string): M | undefined {
    const window = this.byName.get(name)?.get(peer)
    return window?.[window.length - 1]
  }

  /** Every metric name ever stored. */
  names (): string[] {
    return [...this.byName.keys()]
  }

  /** Peers that ever sent a metric of any name. */
  senders (): Set<string> {
    const out = new Set<string>()
    for (const peers of this.byName.values()) for (const peer of peers.keys()) out.add(peer)
    return out
  }

  /** Peers that ever sent a metric of `name`. */
  peers (name: string): string[] {
    return [...(this.byName.get(name)?.keys() ?? [])]
  }
}

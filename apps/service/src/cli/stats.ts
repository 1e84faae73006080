/**
 * `daemon --stats` / `observations.metrics.enable_stats`: the Prometheus registry and its
 * `/metrics` endpoint, fed by counters the peer's components already keep. Nothing here runs
 * when stats are off.
 */
import { ClusterMetrics, MetricsEndpoint, type ClusterMetricSources } from '@cluster/observability'
import type { ClusterPeer } from '../cluster/index.ts'
import { CrdtConsensus } from '@cluster/consensus'
import type { MetricsSection } from '../config/index.ts'
import { CommandError } from './io.ts'

export interface RunningStats {
  metrics: ClusterMetrics
  endpoint: MetricsEndpoint
  /** Where /metrics is served. */
  address: { host: string, port: number }
}

/** Starts the endpoint before the peer; one that cannot listen stops the daemon, as in Go (log.Fatal). */
export async function startStats (config: MetricsSection): Promise<RunningStats> {
  const metrics = new ClusterMetrics()
  let endpoint: MetricsEndpoint
  try {
    endpoint = new MetricsEndpoint(metrics, config.prometheusEndpoint)
    const address = await endpoint.start()
    return { metrics, endpoint, address }
  } catch (err) {
    throw new CommandError(`Failed to run Prometheus /metrics endpoint: ${(err as Error).message}`)
  }
}

/**
 * What the gauges read from a running peer: counters kept as things happen (the pinset's count
 * too, after one count when stats start), so a scrape costs the same at 10 or 1M pins. Read
 * live at each scrape, as Go's exporter does; `reporting_interval` has nothing to pace.
 */
export function metricSourcesOf (peer: ClusterPeer): ClusterMetricSources {
  const diskMetric = (): number | undefined => {
    for (const name of ['freespace', 'reposize']) {
      const m = peer.monitor.store.latestForPeer(name, peer.peerId)
      if (m !== undefined) return m.weight
    }
    return undefined
  }
  return {
    pins: () => peer.state.count(),
    pinPhases: () => peer.tracker.operations.pinPhaseCounts(),
    ipfs: () => peer.connector.counters,
    informerDisk: diskMetric,
    queues: () => peer.tracker.stats().queued,
    running: () => peer.tracker.stats().running,
    peers: () => peer.peerset().length,
    crdt: () => {
      if (!(peer.consensus instanceof CrdtConsensus)) return undefined
      const { heads, maxHeight, dirty } = peer.consensus.replica.info()
      return { heads: heads.length, maxHeight, dirty }
    }
  }
}

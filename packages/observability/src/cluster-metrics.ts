/**
 * The peer's Prometheus registry: Go v1.1.6's `ipfscluster_*` metrics (same names, help texts
 * and types as its OpenCensus views: LastValue → gauge, Sum → counter), Node's process metrics,
 * and ours for the HTTP APIs, the consensus and the pin queues.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ClusterMetricSources, ConsensusMetricsSink, HttpRequestSample, IpfsCounters, RpcCallSample } from './sources.ts'

const NS = 'ipfscluster'

/** Seconds: from a fast local request to a long add or a commit across leader changes. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

type IpfsCounterName = keyof IpfsCounters

export class ClusterMetrics implements ConsensusMetricsSink {
  readonly registry = new Registry()
  #sources: ClusterMetricSources | undefined
  readonly #httpRequests: Counter<'api' | 'method' | 'route' | 'code'>
  readonly #httpDuration: Histogram<'api' | 'method' | 'route' | 'code'>
  readonly #commits: Counter<'op' | 'result'>
  readonly #commitDuration: Histogram<'op'>
  readonly #leaderChanges: Counter
  readonly #rpcDuration: Histogram<'method' | 'outcome'>

  constructor (options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry })
    const registers = [this.registry]
    const source = (): ClusterMetricSources | undefined => this.#sources
    const gauge = (name: string, help: string, read: (s: ClusterMetricSources) => number | undefined): void => {
      new Gauge({
        name, help, registers,
        collect () {
          const s = source()
          const v = s === undefined ? 0 : read(s)
          if (v !== undefined) this.set(v)
        }
      })
    }
    const ipfsCounter = (name: string, help: string, key: IpfsCounterName): void => {
      new Counter({
        name, help, registers,
        collect () {
          this.reset()
          this.inc(source()?.ipfs()[key] ?? 0)
        }
      })
    }
    // Go's observations/metrics.go, in its order.
    gauge(`${NS}_pins`, 'Total number of cluster pins', s => s.pins())
    gauge(`${NS}_pins_pin_queued`, 'Current number of pins queued for pinning', s => s.pinPhases().queued)
    gauge(`${NS}_pins_pinning`, 'Current number of pins currently pinning', s => s.pinPhases().in_progress)
    gauge(`${NS}_pins_pin_error`, 'Current number of pins in pin_error state', s => s.pinPhases().error)
    gauge(`${NS}_pins_ipfs_pins`, 'Current number of items pinned on IPFS', s => s.ipfs().ipfsPins)
    ipfsCounter(`${NS}_pins_pin_add`, 'Total number of IPFS pin requests', 'pinAdd')
    ipfsCounter(`${NS}_pins_pin_add_errors`, 'Total number of failed pin requests', 'pinAddErrors')
    ipfsCounter(`${NS}_blocks_put`, 'Total number of blocks/put requests', 'blocksPut')
    ipfsCounter(`${NS}_blocks_added_size`, 'Total size of blocks added in bytes', 'blocksAddedSize')
    ipfsCounter(`${NS}_blocks_added`, 'Total number of blocks added', 'blocksAdded')
    ipfsCounter(`${NS}_blocks_put_errors`, 'Total number of block/put errors', 'blocksPutErrors')
    gauge(`${NS}_informer_disk`, 'The metric value weight issued by disk informer', s => s.informerDisk())

    // Ours.
    new Gauge({
      name: `${NS}_pintracker_queue_size`, help: 'Operations waiting in each pin tracker queue', labelNames: ['queue'], registers,
      collect () {
        for (const [queue, n] of Object.entries(source()?.queues() ?? {})) this.set({ queue }, n)
      }
    })
    new Gauge({
      name: `${NS}_pintracker_running`, help: 'Operations the pin tracker is running against IPFS', labelNames: ['type'], registers,
      collect () {
        const r = source()?.running() ?? { pins: 0, unpins: 0 }
        this.set({ type: 'pin' }, r.pins)
        this.set({ type: 'unpin' }, r.unpins)
      }
    })
    gauge(`${NS}_consensus_peers`, 'Members of the consensus peerset', s => s.peers())
    gauge(`${NS}_crdt_heads`, 'CRDT consensus: heads of the Merkle-DAG (branches not merged yet)', s => s.crdt?.()?.heads)
    gauge(`${NS}_crdt_max_height`, 'CRDT consensus: greatest height of the Merkle-DAG', s => s.crdt?.()?.maxHeight)
    gauge(`${NS}_crdt_dirty`, 'CRDT consensus: 1 when the store needs a repair', s => { const c = s.crdt?.(); return c === undefined ? undefined : c.dirty ? 1 : 0 })
    this.#commits = new Counter({ name: `${NS}_consensus_commits_total`, help: 'Pin and unpin commits to the shared log, by result', labelNames: ['op', 'result'], registers })
    this.#commitDuration = new Histogram({ name: `${NS}_consensus_commit_duration_seconds`, help: 'Time a pin or unpin commit took (retries included)', labelNames: ['op'], buckets: LATENCY_BUCKETS, registers })
    this.#leaderChanges = new Counter({ name: `${NS}_consensus_leader_changes_total`, help: 'Times this peer saw the Raft leader change', registers })
    this.#rpcDuration = new Histogram({ name: `${NS}_rpc_client_duration_seconds`, help: 'Time calls to other peers took (streams: until their last item), by method and outcome', labelNames: ['method', 'outcome'], buckets: LATENCY_BUCKETS, registers })
    this.#httpRequests = new Counter({ name: `${NS}_http_requests_total`, help: 'HTTP requests answered, by API, method, route and status code', labelNames: ['api', 'method', 'route', 'code'], registers })
    this.#httpDuration = new Histogram({ name: `${NS}_http_request_duration_seconds`, help: 'Time from request to the end of the answer, by API, method, route and status code', labelNames: ['api', 'method', 'route', 'code'], buckets: LATENCY_BUCKETS, registers })
  }

  /** Where the gauges and Go's counters read from (until then they read 0, as Go starts). */
  bind (sources: ClusterMetricSources): void {
    this.#sources = sources
  }

  /** A sink for one API's requests (`api`: restapi, pinsvcapi, ipfsproxy). */
  httpSink (api: string): (sample: HttpRequestSample) => void {
    return ({ method, route, status, seconds }) => {
      const labels = { api, method, route, code: String(status) }
      this.#httpRequests.inc(labels)
      this.#httpDuration.observe(labels, seconds)
    }
  }

  commit (op: 'pin' | 'unpin', seconds: number, ok: boolean): void {
    this.#commits.inc({ op, result: ok ? 'ok' : 'error' })
    this.#commitDuration.observe({ op }, seconds)
  }

  /** A finished call to another peer (the RPC client's observer). */
  rpcCall ({ method, outcome, seconds }: RpcCallSample): void {
    this.#rpcDuration.observe({ method, outcome }, seconds)
  }

  leaderChanged (): void {
    this.#leaderChanges.inc()
  }

  /** The text exposition of every metric, as served at /metrics. */
  async exposition (): Promise<{ contentType: string, body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}

/**
 * @cluster/observability — Prometheus metrics of an IPFS Cluster peer under Go v1.1.6's
 * `ipfscluster_*` names, plus Node process, HTTP API, consensus and pin queue metrics, served at
 * `/metrics`.
 */
export { ClusterMetrics } from './cluster-metrics.ts'
export { MetricsEndpoint, MetricsEndpointError, parseEndpoint } from './endpoint.ts'
export type { ClusterMetricSources, ConsensusMetricsSink, HttpRequestSample, IpfsCounters } from './sources.ts'

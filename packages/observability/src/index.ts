/**
 * @cluster/observability — Prometheus metrics of an IPFS Cluster peer under Go v1.1.6's
 * `ipfscluster_*` names, plus Node process, HTTP API, consensus and pin queue metrics, served at
 * `/metrics`.
 */
export { ClusterMetrics } from './cluster-metrics.ts'
export { MetricsEndpoint, MetricsEndpointError, parseEndpoint } from './endpoint.ts'
export type { ClusterMetricSources, ConsensusMetricsSink, HttpRequestSample, IpfsCounters } from './sources.ts'
export { startTracing, tracesUrl, type RunningTracing, type TracingOptions } from './tracing.ts'
export {
  activeTraceparent, captureContext, inSpan, runInContext, startSpan, tracingEnabled,
  type SpanAttributes, type SpanHandle, type SpanOptions, type TraceContext
} from './trace.ts'
export type { RpcCallSample } from './sources.ts'

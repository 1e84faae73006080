/**
 * The `observations.metrics` and `observations.tracing` sections (config.md §5.11). Read and
 * written so files keep working. Metrics are served when `enable_stats` (or `daemon --stats`) is
 * on (cli/stats.ts); spans are exported over OTLP/HTTP to `otlp_endpoint` when `enable_tracing`
 * (or `daemon --tracing`) is on (cli/tracing.ts). `jaeger_agent_endpoint` is kept for Go's files
 * but not used: Jaeger takes OTLP directly (its port 4318).
 */
import { SECOND, formatDuration } from '@cluster/api'
import type { Duration } from '@cluster/api'
import type { SectionCodec } from '../section.ts'
import { multiaddrValue, strictDuration } from '../values.ts'

export interface MetricsSection {
  enableStats: boolean
  prometheusEndpoint: string
  reportingInterval: Duration
}

export interface TracingSection {
  enableTracing: boolean
  jaegerAgentEndpoint: string
  samplingProb: number
  serviceName: string
  /** Ours: the OTLP/HTTP collector (`otlp_endpoint`); written only when not the default. */
  otlpEndpoint: string
}

export const DEFAULT_OTLP_ENDPOINT = 'http://127.0.0.1:4318'

export const metricsCodec: SectionCodec<MetricsSection> = {
  key: 'metrics',
  envPrefix: 'CLUSTER_METRICS',
  known: ['enable_stats', 'prometheus_endpoint', 'reporting_interval'],
  envFields: [
    { name: 'ENABLESTATS', path: 'enable_stats', kind: 'bool' },
    { name: 'PROMETHEUSENDPOINT', path: 'prometheus_endpoint', kind: 'string' },
    { name: 'REPORTINGINTERVAL', path: 'reporting_interval', kind: 'string' }
  ],
  defaults: () => ({ enableStats: false, prometheusEndpoint: '/ip4/127.0.0.1/tcp/8888', reportingInterval: 30n * SECOND }),
  apply: (base, r) => ({
    enableStats: r.bool('enable_stats') ?? false,
    // Required when the section is present (Go parses whatever is there, '' included).
    prometheusEndpoint: multiaddrValue(r.key('prometheus_endpoint'), r.key('prometheus_endpoint'), r.string('prometheus_endpoint') ?? ''),
    reportingInterval: strictDuration(r, 'reporting_interval', base.reportingInterval)
  }),
  validate: (c) => (c.enableStats && c.reportingInterval < 0n ? 'metrics.reporting_interval is invalid' : undefined),
  toJson: (c) => ({
    enable_stats: c.enableStats,
    prometheus_endpoint: c.prometheusEndpoint,
    reporting_interval: formatDuration(c.reportingInterval)
  })
}

export const tracingCodec: SectionCodec<TracingSection> = {
  key: 'tracing',
  envPrefix: 'CLUSTER_TRACING',
  known: ['enable_tracing', 'jaeger_agent_endpoint', 'sampling_prob', 'service_name', 'otlp_endpoint'],
  envFields: [
    { name: 'ENABLETRACING', path: 'enable_tracing', kind: 'bool' },
    { name: 'JAEGERAGENTENDPOINT', path: 'jaeger_agent_endpoint', kind: 'string' },
    { name: 'SAMPLINGPROB', path: 'sampling_prob', kind: 'float' },
    { name: 'SERVICENAME', path: 'service_name', kind: 'string' },
    { name: 'OTLPENDPOINT', path: 'otlp_endpoint', kind: 'string' }
  ],
  defaults: () => ({ enableTracing: false, jaegerAgentEndpoint: '/ip4/0.0.0.0/udp/6831', samplingProb: 0.3, serviceName: 'cluster-daemon', otlpEndpoint: DEFAULT_OTLP_ENDPOINT }),
  apply: (_base, r) => ({
    enableTracing: r.bool('enable_tracing') ?? false,
    jaegerAgentEndpoint: multiaddrValue(r.key('jaeger_agent_endpoint'), r.key('jaeger_agent_endpoint'), r.string('jaeger_agent_endpoint') ?? ''),
    // Copied as-is: missing → 0 / ''.
    samplingProb: r.float('sampling_prob') ?? 0,
    serviceName: r.string('service_name') ?? '',
    otlpEndpoint: orDefault(r.string('otlp_endpoint'), DEFAULT_OTLP_ENDPOINT)
  }),
  validate: (c) => {
    if (c.enableTracing && c.samplingProb < 0) return 'tracing.sampling_prob is invalid'
    if (c.enableTracing && !/^https?:\/\/[^/]/.test(c.otlpEndpoint)) return 'tracing.otlp_endpoint must be an http(s) URL'
    return undefined
  },
  toJson: (c) => ({
    enable_tracing: c.enableTracing,
    jaeger_agent_endpoint: c.jaegerAgentEndpoint,
    sampling_prob: c.samplingProb,
    service_name: c.serviceName,
    ...(c.otlpEndpoint === DEFAULT_OTLP_ENDPOINT ? {} : { otlp_endpoint: c.otlpEndpoint })
  })
}

/** Missing or empty → the default. */
function orDefault (v: string | undefined, d: string): string {
  return v === undefined || v === '' ? d : v
}

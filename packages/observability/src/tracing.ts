/**
 * `daemon --tracing` / `observations.tracing.enable_tracing`: OpenTelemetry tracing exported over
 * OTLP/HTTP (JSON) to a collector (Jaeger, Tempo, the OpenTelemetry Collector…). The SDK is
 * loaded with `import()` only here, so a peer without tracing never loads it.
 */
import { setTracingEnabled } from './trace.ts'

export interface TracingOptions {
  /** `service.name` of the spans (`service_name`, Go's default `cluster-daemon`). */
  serviceName: string
  /** Fraction of new traces recorded, 0..1 (`sampling_prob`); a remote parent's decision wins. */
  samplingProb: number
  /** The collector's OTLP/HTTP base URL (`otlp_endpoint`): spans go to `<url>/v1/traces`. */
  otlpEndpoint: string
  /** More resource attributes (e.g. the peer ID). */
  attributes?: Record<string, string>
  /** How long spans wait before an export, ms (default 1000). */
  exportDelayMs?: number
  /** How long stop() waits for the last export, ms (default 2000). */
  stopTimeoutMs?: number
}

export interface RunningTracing {
  /** Exports the spans ended so far. */
  flush: () => Promise<void>
  /** Exports what is left and turns tracing off. */
  stop: () => Promise<void>
}

/** The URL spans are posted to, from `otlp_endpoint` (a `/v1/traces` URL is taken as is). */
export function tracesUrl (endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '')
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`
}

export async function startTracing (options: TracingOptions): Promise<RunningTracing> {
  const [api, sdk, core, hooks, exporter, resources, semconv] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/core'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions')
  ])
  const ratio = Math.min(1, Math.max(0, options.samplingProb))
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: options.serviceName, ...options.attributes }),
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [new sdk.BatchSpanProcessor(new exporter.OTLPTraceExporter({ url: tracesUrl(options.otlpEndpoint) }), {
      scheduledDelayMillis: options.exportDelayMs ?? 1000
    })]
  })
  // Parent links across awaits: the active span follows the async call chain.
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable()
  api.context.setGlobalContextManager(contextManager)
  api.trace.setGlobalTracerProvider(provider)
  api.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator())
  setTracingEnabled(true)
  let stopped = false
  return {
    flush: async () => { await provider.forceFlush() },
    stop: async () => {
      if (stopped) return
      stopped = true
      setTracingEnabled(false)
      // A collector that does not answer must not hold the daemon's shutdown for the exporter's
      // 10 s timeout: what is not out after a moment is dropped.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        provider.shutdown().catch(() => {}),
        new Promise<void>(resolve => { timer = setTimeout(resolve, options.stopTimeoutMs ?? 2000) })
      ])
      clearTimeout(timer)
      api.trace.disable()
      api.context.disable()
      api.propagation.disable()
      contextManager.disable()
    }
  }
}

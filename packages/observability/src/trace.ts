/**
 * The tracing helper every package uses: spans, the active span's W3C `traceparent` (to carry
 * it to another peer) and contexts kept across queues. Only `@opentelemetry/api` is imported;
 * while tracing is off (startTracing was not called) every function is a plain call with no
 * span made, so instrumented code costs nothing measurable.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Context, type Span } from '@opentelemetry/api'

export type SpanAttributes = Record<string, string | number | boolean>

export interface SpanOptions {
  kind?: 'internal' | 'server' | 'client'
  attributes?: SpanAttributes
  /** A remote parent (`traceparent` received from another peer); default: the active span. */
  traceparent?: string
}

/** One span; end() it exactly once. */
export interface SpanHandle {
  setAttribute: (key: string, value: string | number | boolean) => void
  /** This span as a W3C `traceparent` value (undefined while tracing is off). */
  traceparent: () => string | undefined
  /** Ends the span; an error marks it failed. */
  end: (error?: unknown) => void
  /** Runs `fn` with this span as the active one (its parent for spans started inside). */
  run: <T>(fn: () => T) => T
}

/** A captured context, to continue a trace in work that runs later (a queued operation). */
export type TraceContext = Context

let enabled = false

/** Set by startTracing/stopTracing. */
export function setTracingEnabled (on: boolean): void {
  enabled = on
}

export function tracingEnabled (): boolean {
  return enabled
}

const NOOP_SPAN: SpanHandle = {
  setAttribute: () => {},
  traceparent: () => undefined,
  end: () => {},
  run: fn => fn()
}

const KINDS = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT }

export function startSpan (name: string, options: SpanOptions = {}): SpanHandle {
  if (!enabled) return NOOP_SPAN
  const parent = options.traceparent === undefined ? context.active() : contextOf(options.traceparent)
  const span = trace.getTracer('ipfs-cluster').startSpan(name, {
    kind: KINDS[options.kind ?? 'internal'],
    ...(options.attributes === undefined ? {} : { attributes: options.attributes })
  }, parent)
  const ctx = trace.setSpan(parent, span)
  let ended = false
  return {
    setAttribute: (key, value) => { span.setAttribute(key, value) },
    traceparent: () => traceparentOf(span),
    end: (error?: unknown) => {
      if (ended) return
      ended = true
      if (error !== undefined) failed(span, error)
      span.end()
    },
    run: fn => context.with(ctx, fn)
  }
}

/** Runs `fn` inside a new span that ends when it settles (failed when it throws). */
export async function inSpan<T> (name: string, options: SpanOptions, fn: (span: SpanHandle) => Promise<T>): Promise<T> {
  if (!enabled) return await fn(NOOP_SPAN)
  const span = startSpan(name, options)
  try {
    const result = await span.run(async () => await fn(span))
    span.end()
    return result
  } catch (err) {
    span.end(err)
    throw err
  }
}

/** The active span's `traceparent` (undefined when off or no span is active). */
export function activeTraceparent (): string | undefined {
  if (!enabled) return undefined
  const span = trace.getSpan(context.active())
  return span === undefined ? undefined : traceparentOf(span)
}

/** The active context, to hand to `runInContext` later (undefined while off). */
export function captureContext (): TraceContext | undefined {
  return enabled ? context.active() : undefined
}

export function runInContext<T> (ctx: TraceContext | undefined, fn: () => T): T {
  return ctx === undefined || !enabled ? fn() : context.with(ctx, fn)
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

function traceparentOf (span: Span): string | undefined {
  const sc = span.spanContext()
  if (!trace.isSpanContextValid(sc)) return undefined
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`
}

/** A context whose parent is the remote span of `traceparent` (the root context if malformed). */
function contextOf (traceparent: string): Context {
  const m = TRACEPARENT.exec(traceparent)
  if (m === null) return ROOT_CONTEXT
  const sc = { traceId: m[1] as string, spanId: m[2] as string, traceFlags: parseInt(m[3] as string, 16), isRemote: true }
  return trace.isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT
}

function failed (span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  span.setStatus({ code: SpanStatusCode.ERROR, message })
  if (error instanceof Error) span.recordException(error)
}

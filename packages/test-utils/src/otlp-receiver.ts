/**
 * A tiny OTLP/HTTP trace receiver for tests: accepts `POST /v1/traces` in the JSON encoding
 * (what @opentelemetry/exporter-trace-otlp-http sends) and keeps the spans, flattened.
 */
import { createServer, type Server } from 'node:http'

export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** '' for a root span. */
  parentSpanId: string
  name: string
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  kind: number
  attributes: Record<string, unknown>
  /** `service.name` of the resource that sent it. */
  service: string
  /** Every attribute of the resource that sent it (`service.instance.id`…). */
  resource: Record<string, unknown>
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: number
}

interface AnyValue { stringValue?: string, intValue?: string | number, boolValue?: boolean, doubleValue?: number }
interface KeyValue { key: string, value: AnyValue }

function valueOf (v: AnyValue): unknown {
  return v.stringValue ?? v.boolValue ?? v.doubleValue ?? (v.intValue === undefined ? undefined : Number(v.intValue))
}

function attrs (list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(kv => [kv.key, valueOf(kv.value)]))
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = []
  readonly #server: Server
  #url = ''

  constructor () {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => { chunks.push(c) })
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end()
          return
        }
        try {
          this.#take(JSON.parse(Buffer.concat(chunks).toString('utf8')))
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
        } catch {
          res.writeHead(400).end()
        }
      })
    })
  }

  /** Listens on a free loopback port; resolves with the base URL (for `otlp_endpoint`). */
  async start (): Promise<string> {
    await new Promise<void>(resolve => { this.#server.listen(0, '127.0.0.1', resolve) })
    const address = this.#server.address()
    if (address === null || typeof address === 'string') throw new Error('no address')
    this.#url = `http://127.0.0.1:${address.port}`
    return this.#url
  }

  async stop (): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>(resolve => { this.#server.close(() => { resolve() }) })
  }

  /** The spans named so, in arrival order. */
  named (name: string): ReceivedSpan[] {
    return this.spans.filter(s => s.name === name)
  }

  #take (body: { resourceSpans?: Array<{ resource?: { attributes?: KeyValue[] }, scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }> }): void {
    for (const rs of body.resourceSpans ?? []) {
      const resource = attrs(rs.resource?.attributes)
      const service = String(resource['service.name'] ?? '')
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            traceId: String(s.traceId),
            spanId: String(s.spanId),
            parentSpanId: typeof s.parentSpanId === 'string' ? s.parentSpanId : '',
            name: String(s.name),
            kind: Number(s.kind),
            attributes: attrs(s.attributes as KeyValue[] | undefined),
            service,
            resource,
            status: Number((s.status as { code?: number } | undefined)?.code ?? 0)
          })
        }
      }
    }
  }
}

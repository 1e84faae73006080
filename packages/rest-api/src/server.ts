/**
 * RestApiServer: the hono app served by node:http (or node:https when TLS files are configured)
 * on every `http_listen_multiaddress`, with Go's limits and timeouts mapped to Node's.
 * PinSvcApiServer (pinsvc/server.ts) is the same server with the Pinning Service API's app.
 */
import { createWriteStream, readFileSync } from 'node:fs'
import type { WriteStream } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { isAbsolute, join } from 'node:path'
import type { Duplex } from 'node:stream'
import { getRequestListener } from '@hono/node-server'
import { startSpan, tracingEnabled } from '@cluster/observability/trace'
import { LISTEN_BACKLOG, clearStaleSocket, connectionsCheckingIntervalOf, countResponseBytes, type ClusterApi } from '@cluster/api'
import { createRestApiApp } from './app.ts'
import type { RestApiApp, RestApiAppOptions } from './app.ts'
import { HEADER_BYTES_SLACK, resolveRestApiConfig } from './config.ts'
import type { RestApiConfig } from './config.ts'
import { RestApiStartError, RestApiStateError } from './errors.ts'
import { boundAddress, parseListenMultiaddr } from './listen.ts'
import type { BoundAddress, ListenTarget } from './listen.ts'
import { accessLogLine } from './access-log.ts'
import { ROUTES } from './routes.ts'
import type { RouteDef } from './routes.ts'

/** TLS 1.3 defaults plus the TLS 1.2 suites Go's ctl offers (rest-api.md §1.1, §7.3). */
const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-SHA', 'AES256-GCM-SHA384', 'AES256-SHA'
].join(':')

export interface RestApiServerOptions extends RestApiAppOptions {
  /** Access log lines (Apache common log format) when `http_log_file` is empty. */
  log?: (line: string) => void
  /** Each answered request, when the answer has been written (metrics). */
  onRequest?: (sample: RequestSample) => void
}

/** One answered request; `route` is the matched route template or `other` (bounded labels). */
export interface RequestSample {
  method: string
  route: string
  status: number
  seconds: number
}

/** The template of the route serving `method` and the raw path (first match, as the router). */
export function routeLabel (routes: readonly RouteDef[], method: string, rawUrl: string): string {
  const raw = rawUrl.split('?')[0] ?? ''
  let path = raw
  try { path = decodeURIComponent(raw) } catch { /* keep the raw path */ }
  const byPath = routes.filter(r => r.pattern.test(path))
  return (byPath.find(r => r.method === method) ?? byPath[0])?.path ?? 'other'
}

const toMs = (d: bigint): number => Number(d / 1_000_000n)

export class RestApiServer {
  /** The bare hono app (for in-process use). */
  readonly app: RestApiApp
  readonly config: RestApiConfig
  readonly #opts: RestApiServerOptions
  #servers: Server[] = []
  #addresses: BoundAddress[] = []
  #logFile: WriteStream | undefined
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new'

  constructor (cluster: ClusterApi, config: Partial<RestApiConfig> = {}, opts: RestApiServerOptions = {}) {
    this.config = this.resolveConfig(config)
    this.#opts = opts
    this.app = this.createApp(cluster, this.config, opts)
  }

  /** Defaults and validation of the configuration (subclasses serving another API override it). */
  protected resolveConfig (config: Partial<RestApiConfig>): RestApiConfig {
    return resolveRestApiConfig(config)
  }

  /** The app served on every listener (called once, by the constructor). */
  protected createApp (cluster: ClusterApi, config: RestApiConfig, opts: RestApiAppOptions): RestApiApp {
    return createRestApiApp(cluster, config, opts)
  }

  /** The route table served (labels of request metrics). */
  protected routes (): readonly RouteDef[] {
    return ROUTES
  }

  /** Every bound listener (after `start()`). */
  get addresses (): BoundAddress[] {
    return [...this.#addresses]
  }

  #path (p: string): string {
    return isAbsolute(p) ? p : join(this.config.configDir, p)
  }

  #tlsOptions (): { cert: Buffer, key: Buffer } | undefined {
    const { sslCertFile, sslKeyFile } = this.config
    if (sslCertFile === '' && sslKeyFile === '') return undefined
    try {
      return { cert: readFileSync(this.#path(sslCertFile)), key: readFileSync(this.#path(sslKeyFile)) }
    } catch (err) {
      throw new RestApiStartError(`Error loading TLS certficate/key: ${(err as Error).message}`, { cause: err })
    }
  }

  #logger (): ((line: string) => void) | undefined {
    if (this.config.httpLogFile !== '') {
      const stream = createWriteStream(this.#path(this.config.httpLogFile), { flags: 'a' })
      stream.on('error', () => undefined)
      this.#logFile = stream
      return (line) => { stream.write(line + '\n') }
    }
    return this.#opts.log
  }

  #listener (): (req: IncomingMessage, res: ServerResponse) => void {
    const handle = getRequestListener(this.app.fetch, { overrideGlobalObjects: false })
    const writeTimeout = toMs(this.config.writeTimeout)
    const log = this.#logger()
    const onRequest = this.#opts.onRequest
    const routes = this.routes()
    return (req, res) => {
      if (onRequest !== undefined) {
        const started = performance.now()
        res.once('close', () => {
          onRequest({ method: req.method ?? '', route: routeLabel(routes, req.method ?? '', req.url ?? ''), status: res.statusCode, seconds: (performance.now() - started) / 1000 })
        })
      }
      if (writeTimeout > 0) {
        const timer = setTimeout(() => { res.destroy() }, writeTimeout)
        timer.unref()
        res.once('close', () => { clearTimeout(timer) })
      }
      if (log !== undefined) {
        const started = new Date()
        const bytes = countResponseBytes(res)
        res.once('close', () => { log(accessLogLine(req, res.statusCode, bytes(), started)) })
      }
      if (!tracingEnabled()) {
        void handle(req, res)
        return
      }
      // One server span per request (a `traceparent` header from the client is its parent);
      // everything the request does runs inside it.
      const method = req.method ?? ''
      const route = routeLabel(routes, method, req.url ?? '')
      const header = req.headers.traceparent
      const span = startSpan(`${method} ${route}`, {
        kind: 'server',
        attributes: { 'http.request.method': method, 'http.route': route, 'url.path': (req.url ?? '').split('?')[0] ?? '' },
        ...(typeof header === 'string' ? { traceparent: header } : {})
      })
      res.once('close', () => {
        span.setAttribute('http.response.status_code', res.statusCode)
        span.end(res.statusCode >= 500 ? new Error(`HTTP ${res.statusCode}`) : undefined)
      })
      span.run(() => { void handle(req, res) })
    }
  }

  #createServer (tls: { cert: Buffer, key: Buffer } | undefined): Server {
    const c = this.config
    const requestTimeout = toMs(c.readTimeout)
    let headersTimeout = toMs(c.readHeaderTimeout === 0n ? c.readTimeout : c.readHeaderTimeout)
    if (requestTimeout > 0 && (headersTimeout === 0 || headersTimeout > requestTimeout)) headersTimeout = requestTimeout
    const idle = toMs(c.idleTimeout === 0n ? c.readTimeout : c.idleTimeout)
    const options = {
      maxHeaderSize: c.maxHeaderBytes + HEADER_BYTES_SLACK,
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: idle,
      connectionsCheckingInterval: connectionsCheckingIntervalOf(headersTimeout, requestTimeout),
      keepAlive: true
    }
    const listener = this.#listener()
    const server: Server = tls === undefined
      ? createHttpServer(options, listener)
      : createHttpsServer({
        ...options,
        ...tls,
        minVersion: 'TLSv1.2',
        ciphers: TLS_CIPHERS,
        ecdhCurve: 'P-521:P-384:P-256'
      }, listener)
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => { answerClientError(err, socket) })
    return server
  }

  /** Starts every listener; resolves to the first bound address (port 0 gets a real port). */
  async start (): Promise<BoundAddress> {
    if (this.#state !== 'new') throw new RestApiStateError(`cannot start a server that is ${this.#state}`)
    this.#state = 'starting'
    try {
      const targets = this.config.httpListenMultiaddress.map(parseListenMultiaddr)
      if (targets.length === 0) throw new RestApiStartError('neither the libp2p nor the HTTP endpoints are enabled')
      const tls = this.#tlsOptions()
      for (const target of targets) {
        const server = this.#createServer(tls)
        await listen(server, target)
        this.#servers.push(server)
        this.#addresses.push(boundAddress(target, server.address(), tls !== undefined))
      }
      this.#state = 'running'
      return this.#addresses[0]!
    } catch (err) {
      await this.#closeAll()
      this.#state = 'stopped'
      throw err instanceof RestApiStartError ? err : new RestApiStartError((err as Error).message, { cause: err })
    }
  }

  async #closeAll (): Promise<void> {
    const servers = this.#servers
    this.#servers = []
    await Promise.all(servers.map(async (s) => {
      await new Promise<void>((resolve) => {
        s.close(() => { resolve() })
        s.closeAllConnections()
      })
    }))
    const log = this.#logFile
    this.#logFile = undefined
    if (log !== undefined) await new Promise<void>((resolve) => { log.end(resolve) })
  }

  /** Closes the listeners and every open connection (in-flight streams are cut). */
  async stop (): Promise<void> {
    if (this.#state === 'stopped') return
    this.#state = 'stopped'
    await this.#closeAll()
  }
}

async function listen (server: Server, target: ListenTarget): Promise<void> {
  if (target.kind === 'unix') await clearStaleSocket(target.path)
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => { reject(new RestApiStartError(`listen ${describe(target)}: ${err.message}`, { cause: err })) }
    server.once('error', onError)
    const done = (): void => { server.off('error', onError); resolve() }
    if (target.kind === 'unix') server.listen({ path: target.path, backlog: LISTEN_BACKLOG }, done)
    else server.listen({ host: target.host, port: target.port, ipv6Only: target.family === 6, backlog: LISTEN_BACKLOG }, done)
  })
}

function describe (t: ListenTarget): string {
  return t.kind === 'unix' ? t.path : `${t.host}:${t.port}`
}

/** What Go's server writes for requests it cannot parse (431 for big headers, else 400). */
function answerClientError (err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.destroy()
    return
  }
  const [status, text] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'Request Header Fields Too Large']
    : [400, 'Bad Request']
  const body = `${status} ${text}`
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
}

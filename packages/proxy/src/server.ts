/**
 * ProxyServer: an HTTP server that looks like Kubo's RPC API. Pin, add, repo and `pin=true`
 * put calls become cluster operations (handlers/); everything else is reverse-proxied to the
 * Kubo at `node_multiaddress`, streamed both ways.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { API_VERSION, LISTEN_BACKLOG, RequestLimiter, clearStaleSocket, TOO_MANY_REQUESTS, commonLogLine, connectionsCheckingIntervalOf, countResponseBytes, silentLogger, type ClusterApi, type Logger, type RequestClass, type RequestLimits } from '@cluster/api'
import { KuboClient } from '@cluster/ipfs-connector'
import { AccessLog } from './access-log.ts'
import { defaultProxyConfig, validateProxyConfig, type ProxyConfig } from './config.ts'
import type { HandlerContext, RepoStatsSource } from './context.ts'
import { ProxyError, ProxyStartError, messageOf } from './errors.ts'
import { add } from './handlers/add.ts'
import { pinLs } from './handlers/pin-ls.ts'
import { pinAdd, pinRm, pinUpdate } from './handlers/pins.ts'
import { blockPut, dagPut } from './handlers/put.ts'
import { repoGc, repoStat } from './handlers/repo.ts'
import { HeaderSetter } from './headers.ts'
import { boundAddress, parseListenMultiaddr, type BoundAddress } from './listen.ts'
import { sendError } from './respond.ts'
import { reverseProxy } from './reverse-proxy.ts'
import { relay } from './relay.ts'
import { routeLabel, type ProxyRequestSample } from './request-metrics.ts'
import { routeOf, type HandlerName, type Route } from './routes.ts'
import { Upstream } from './upstream.ts'

/** Go's http.Server accepts about this much more than MaxHeaderBytes before answering 431. */
const HEADER_BYTES_SLACK = 4096
const STREAM_HIGH_WATER_MARK = 1024 * 1024

const HANDLERS: Record<HandlerName, (ctx: HandlerContext) => Promise<void>> = {
  pinAdd, pinRm, pinLs, pinUpdate, add, repoStat, repoGc, blockPut, dagPut
}
/** Handlers that stream the request body to Kubo; the others never read it. */
const READS_BODY = new Set<HandlerName>(['add', 'blockPut', 'dagPut'])

/** The limited class of an intercepted request (RequestLimits), if any. */
function limitOf (route: Route): RequestClass | undefined {
  if (READS_BODY.has(route.handler)) return 'add'
  if (route.handler === 'repoStat' || route.handler === 'repoGc') return 'list'
  // Only a listing of the whole pinset grows with it.
  if (route.handler === 'pinLs' && !route.query.has('arg')) return 'list'
  return undefined
}

export interface ProxyServerOptions {
  /**
   * Every cluster peer's IPFS repo sizes for `repo/stat`. ClusterApi has no such fan-out, so
   * without it `repo/stat` reports the local Kubo only (and logs a warning once).
   */
  repoStats?: RepoStatsSource
  /** Log sink (access lines at `info` when no `log_file`). */
  logger?: Logger
  /** Version in the `Server` header (`ipfs-cluster/ipfsproxy/<version>`). */
  version?: string
  /** How long stop() lets running requests finish before closing their connections. Default 5 s. */
  stopGraceMs?: number
  /** Concurrency limits of listings and uploads (defaults: `defaultRequestLimits()`); beyond them, 429. */
  limits?: Partial<RequestLimits>
  /**
   * Called once per answered request (intercepted or proxied), when its connection is done with
   * it: route label, status, seconds. For metrics; it must not throw.
   */
  onRequest?: (sample: ProxyRequestSample) => void
}

export class ProxyServer {
  readonly config: ProxyConfig
  private readonly cluster: ClusterApi
  private readonly options: ProxyServerOptions
  private readonly upstream: Upstream
  private readonly kubo: KuboClient
  private readonly headers: HeaderSetter
  private readonly limiter: RequestLimiter
  private readonly log: Logger
  private readonly servers: http.Server[] = []
  private accessLog: AccessLog | undefined
  private bound: BoundAddress[] = []
  private stopping: Promise<void> | undefined
  private warnedRepoStat = false

  constructor (cluster: ClusterApi, config: Partial<ProxyConfig> = {}, options: ProxyServerOptions = {}) {
    this.config = { ...defaultProxyConfig(), ...config }
    validateProxyConfig(this.config)
    this.cluster = cluster
    this.options = options
    this.log = options.logger ?? silentLogger
    this.limiter = new RequestLimiter(options.limits)
    this.upstream = new Upstream(this.config.nodeMultiaddress, this.config.nodeHttps)
    this.kubo = new KuboClient({ address: this.config.nodeMultiaddress })
    this.headers = new HeaderSetter(this.upstream, {
      extractHeadersExtra: this.config.extractHeadersExtra,
      extractHeadersPath: this.config.extractHeadersPath,
      extractHeadersTtlMs: this.config.extractHeadersTtlMs,
      server: `ipfs-cluster/ipfsproxy/${options.version ?? API_VERSION}`,
      log: this.log
    })
  }

  /** Opens every listener; resolves with the first bound address (all: `addresses`). */
  async start (): Promise<BoundAddress> {
    if (this.servers.length > 0) return this.bound[0] as BoundAddress
    this.accessLog = new AccessLog(this.config.logFile, this.config.configDir, this.log)
    await this.accessLog.ready()
    const c = this.config
    try {
      for (const addr of c.listenMultiaddress) {
        const target = parseListenMultiaddr(addr)
        const requestTimeout = c.readTimeoutMs
        let headersTimeout = c.readHeaderTimeoutMs > 0 ? c.readHeaderTimeoutMs : (c.readTimeoutMs > 0 ? c.readTimeoutMs : 60_000)
        if (requestTimeout > 0 && headersTimeout > requestTimeout) headersTimeout = requestTimeout
        const server = http.createServer({
          maxHeaderSize: c.maxHeaderBytes + HEADER_BYTES_SLACK,
          requestTimeout,
          headersTimeout,
          keepAliveTimeout: c.idleTimeoutMs,
          connectionsCheckingInterval: connectionsCheckingIntervalOf(headersTimeout, requestTimeout),
          // Bigger stream buffers: proxied bodies move in fewer, larger writes (bench/proxy.ts).
          highWaterMark: STREAM_HIGH_WATER_MARK
        }, (req, res) => { this.handle(req, res) })
        if (target.kind === 'unix') await clearStaleSocket(target.path)
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject)
          const done = (): void => { server.off('error', reject); resolve() }
          if (target.kind === 'unix') server.listen(target.path, done)
          else server.listen({ port: target.port, host: target.host, backlog: LISTEN_BACKLOG }, done)
        })
        this.servers.push(server)
        const bound = boundAddress(target, server.address())
        this.bound.push(bound)
        this.log('info', `IPFS Proxy: ${bound.multiaddr} -> ${c.nodeMultiaddress}`)
      }
    } catch (err) {
      await this.stop()
      throw new ProxyStartError(`error creating IPFS Proxy component: ${messageOf(err)}`, { cause: err })
    }
    return this.bound[0] as BoundAddress
  }

  /** Every bound listener. */
  get addresses (): BoundAddress[] {
    return [...this.bound]
  }

  /** Stops accepting, lets running requests finish (up to `stopGraceMs`), closes. Idempotent. */
  async stop (): Promise<void> {
    this.stopping ??= this.shutdown()
    await this.stopping
  }

  private async shutdown (): Promise<void> {
    const grace = this.options.stopGraceMs ?? 5_000
    await Promise.all(this.servers.map(async server => {
      const closed = new Promise<void>(resolve => { server.close(() => { resolve() }) })
      server.closeIdleConnections()
      const timer = setTimeout(() => { server.closeAllConnections() }, grace)
      await closed
      clearTimeout(timer)
    }))
    this.upstream.close()
    this.kubo.destroy()
    await this.accessLog?.close()
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    const at = new Date()
    const bytes = countResponseBytes(res)
    let logged = false
    const logLine = (): void => {
      if (logged) return
      logged = true
      this.accessLog?.write(commonLogLine(req, res.statusCode, bytes(), at))
    }
    res.on('close', logLine)
    const onRequest = this.options.onRequest
    if (onRequest !== undefined) {
      const started = performance.now()
      res.once('close', () => {
        onRequest({ method: req.method ?? '', route: routeLabel(req.url), status: res.statusCode, seconds: (performance.now() - started) / 1000 })
      })
    }
    if (this.config.writeTimeoutMs > 0) {
      const timer = setTimeout(() => { res.destroy() }, this.config.writeTimeoutMs)
      res.on('close', () => { clearTimeout(timer) })
    }

    const route = routeOf(req.method, req.url)
    if (route === undefined) {
      const connections = this.upstream.connections
      if (connections !== undefined) relay(req, res, connections, this.upstream.baseUrl)
      else reverseProxy(req, res, this.upstream)
      return
    }
    if (!READS_BODY.has(route.handler)) req.resume()
    const controller = new AbortController()
    res.on('close', () => { if (!res.writableFinished) controller.abort() })
    const cls = limitOf(route)
    const turn = cls === undefined ? Promise.resolve(() => {}) : this.limiter[cls].acquire(controller.signal)
    if (turn === undefined) {
      req.resume()
      res.setHeader('Retry-After', String(this.limiter.retryAfterSeconds))
      sendError(res, 429, TOO_MANY_REQUESTS)
      return
    }
    const ctx: HandlerContext = {
      req, res, query: route.query, cluster: this.cluster, upstream: this.upstream, kubo: this.kubo,
      repoStats: this.options.repoStats ?? (async opts => await this.localRepoStat(opts)),
      signal: controller.signal,
      log: this.log
    }
    void (async () => {
      try {
        // Held until the answer is done (or the client gone).
        const release = await turn
        if (res.closed) release()
        else res.once('close', release)
        await this.headers.apply(req, res)
        if (route.slashForm) this.log('warn', `${req.url ?? ''}: the /<cmd>/<arg> form is undocumented; use ?arg=`)
        await HANDLERS[route.handler](ctx)
      } catch (err) {
        if (controller.signal.aborted) return
        req.resume()
        sendError(res, err instanceof ProxyError ? err.status : 500, messageOf(err))
      }
    })()
  }

  private async localRepoStat (opts: { signal?: AbortSignal }): Promise<Array<{ repoSize: bigint, storageMax: bigint }>> {
    if (!this.warnedRepoStat) {
      this.warnedRepoStat = true
      this.log('warn', 'repo/stat: no cluster-wide source configured; reporting the local IPFS daemon only')
    }
    const stat = await this.kubo.repoStat({ timeoutMs: 60_000, signal: opts.signal })
    return [stat]
  }
}

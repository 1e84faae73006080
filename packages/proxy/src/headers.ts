/**
 * Headers of intercepted answers (proxy.md §2.1): Kubo's CORS verdict for the request's origin,
 * headers learnt from Kubo (`Access-Control-Expose-Headers` + `extract_headers_extra`,
 * re-learnt after `extract_headers_ttl`), and the proxy's own `Content-Type`/`Server`.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { systemClock, type Clock, type Logger } from '@cluster/api'
import { messageOf } from './errors.ts'
import type { Upstream } from './upstream.ts'

const CORS_HEADERS = ['Access-Control-Allow-Origin', 'Vary', 'Access-Control-Allow-Credentials']

export interface HeaderOptions {
  extractHeadersExtra: string[]
  extractHeadersPath: string
  /** 0 = learnt once, never expire. */
  extractHeadersTtlMs: number
  /** `ipfs-cluster/ipfsproxy/<version>`. */
  server: string
  /** Time source of the learnt headers' age (default: the system clock). */
  clock?: Pick<Clock, 'now'>
  log?: Logger
}

export class HeaderSetter {
  private readonly upstream: Upstream
  private readonly options: HeaderOptions
  private readonly learnt = new Map<string, string | string[]>()
  private learntAt: number | undefined
  private learning: Promise<void> | undefined

  constructor (upstream: Upstream, options: HeaderOptions) {
    this.upstream = upstream
    this.options = options
  }

  /** Sets every header on `res` before the handler writes; failures are logged, never thrown. */
  async apply (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [cors] = await Promise.all([this.corsFromKubo(req), this.refresh()])
    for (const name of CORS_HEADERS) {
      const value = cors?.[name.toLowerCase()]
      if (value !== undefined) res.setHeader(name, value)
    }
    for (const [name, value] of this.learnt) res.setHeader(name, value)
    res.setHeader('Content-Type', 'application/json')
    res.setHeader('Server', this.options.server)
  }

  /** `OPTIONS <same path>` with the client's Origin: Kubo's CORS answer for it. */
  private async corsFromKubo (req: IncomingMessage): Promise<IncomingHttpHeaders | undefined> {
    const headers: OutgoingHttpHeaders = { 'Access-Control-Request-Method': req.method ?? 'POST' }
    if (req.headers.origin !== undefined) headers.Origin = req.headers.origin
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    try {
      return (await this.upstream.fetch('OPTIONS', path, headers, 10_000)).headers
    } catch (err) {
      this.options.log?.('warn', `error making OPTIONS request to IPFS: ${messageOf(err)}`)
      return undefined
    }
  }

  /** Re-learns the extracted headers when never learnt or expired (one request at a time). */
  private async refresh (): Promise<void> {
    const now = (this.options.clock ?? systemClock).now()
    const fresh = this.learntAt !== undefined && (this.options.extractHeadersTtlMs === 0 || now - this.learntAt < this.options.extractHeadersTtlMs)
    if (fresh) return
    this.learning ??= this.learn().finally(() => { this.learning = undefined })
    await this.learning
  }

  private async learn (): Promise<void> {
    try {
      const { headers } = await this.upstream.fetch('POST', this.options.extractHeadersPath, {}, 10_000)
      const names = ['Access-Control-Expose-Headers', ...this.options.extractHeadersExtra].map(n => n.trim()).filter(n => n !== '')
      for (const name of names) {
        const value = headers[name.toLowerCase()]
        if (value !== undefined) this.learnt.set(name, value)
      }
      this.learntAt = (this.options.clock ?? systemClock).now()
    } catch (err) {
      this.options.log?.('warn', `error extracting headers from IPFS: ${messageOf(err)}`)
    }
  }
}

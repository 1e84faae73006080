/** The Kubo RPC API behind the proxy: where it is and how to send it a request. */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import https from 'node:https'
import type { Readable } from 'node:stream'
import { NdjsonLineTooLongError, ndjsonLines as splitLines } from '@cluster/api'
import { targetOf } from '@cluster/ipfs-connector'
import { ProxyUpstreamError, messageOf } from './errors.ts'
import { KuboConnections } from './kubo-connections.ts'

export interface UpstreamRequest {
  method: string
  /** Path and query, e.g. `/api/v0/version`. */
  path: string
  headers?: OutgoingHttpHeaders
  /** Streamed as the request body (not buffered); none = empty body. */
  body?: Readable
  signal?: AbortSignal
}

/** Kubo at `node_multiaddress`, with a keep-alive agent shared by every request. */
export class Upstream {
  readonly host: string
  readonly port: number
  readonly https: boolean
  readonly agent: http.Agent
  /** The relay's own keep-alive connections (plain HTTP only). */
  readonly connections: KuboConnections | undefined

  constructor (nodeMultiaddress: string, useHttps: boolean) {
    const target = targetOf(nodeMultiaddress)
    if (target.kind !== 'tcp') throw new ProxyUpstreamError('the proxy needs a TCP node_multiaddress')
    this.host = target.host
    this.port = target.port
    this.https = useHttps
    this.agent = useHttps ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true })
    this.connections = useHttps ? undefined : new KuboConnections(this.host, this.port)
  }

  /** `http://127.0.0.1:5001` (IPv6 hosts in brackets). */
  get baseUrl (): string {
    return `${this.https ? 'https' : 'http'}://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`
  }

  /** Sends a request; resolves with the response head (body not read). Transport errors reject. */
  async request (r: UpstreamRequest): Promise<IncomingMessage> {
    const mod = this.https ? https : http
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = mod.request({
        host: this.host, port: this.port, method: r.method, path: r.path, headers: r.headers, agent: this.agent, signal: r.signal
      }, resolve)
      req.on('error', err => { reject(new ProxyUpstreamError(`${r.method} ${this.baseUrl}${r.path}: ${messageOf(err)}`, { cause: err })) })
      if (r.body === undefined) req.end()
      else {
        r.body.on('error', err => { req.destroy(err) })
        r.body.pipe(req)
      }
    })
  }

  /** Sends a body-less request and reads the whole (small) answer. */
  async fetch (method: string, path: string, headers: OutgoingHttpHeaders = {}, timeoutMs = 30_000): Promise<{ status: number, headers: IncomingHttpHeaders, body: string }> {
    const res = await this.request({ method, path, headers, signal: AbortSignal.timeout(timeoutMs) })
    const chunks: Buffer[] = []
    for await (const chunk of res) chunks.push(chunk as Buffer)
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }
  }

  close (): void {
    this.agent.destroy()
    this.connections?.close()
  }
}

/** Reads NDJSON values from a response body, line by line, as they arrive. */
export async function * ndjsonLines (body: AsyncIterable<Buffer | string>, maxLine = 16 * 1024 * 1024): AsyncGenerator<{ raw: string, value: unknown }> {
  try {
    for await (const { text } of splitLines(body, { maxLineBytes: maxLine })) yield { raw: text, value: JSON.parse(text) }
  } catch (err) {
    if (err instanceof NdjsonLineTooLongError) throw new ProxyUpstreamError(`line longer than ${maxLine} bytes from IPFS`, { cause: err })
    throw err
  }
}

/** Reads a whole response body as text. */
export async function readText (body: AsyncIterable<Buffer | string>): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for await (const chunk of body) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
  return text + decoder.decode()
}

/**
 * The `/metrics` HTTP endpoint at `observations.metrics.prometheus_endpoint` (Go serves it
 * there, on the multiaddress's host and TCP port).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import type { ClusterMetrics } from './cluster-metrics.ts'

export class MetricsEndpointError extends Error {
  override name = 'MetricsEndpointError'
}

/** Host and TCP port of `/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>`. */
export function parseEndpoint (address: string): { host: string, port: number } {
  let parts
  try {
    parts = multiaddr(address).getComponents()
  } catch (err) {
    throw new MetricsEndpointError(`invalid prometheus_endpoint ${address}: ${(err as Error).message}`)
  }
  const [hostPart, tcp] = parts
  if (parts.length !== 2 || hostPart === undefined || tcp?.name !== 'tcp' || !['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(hostPart.name)) {
    throw new MetricsEndpointError(`prometheus_endpoint ${address} is not an IP or DNS address with a TCP port`)
  }
  return { host: hostPart.value ?? '', port: Number(tcp.value) }
}

export class MetricsEndpoint {
  readonly #metrics: ClusterMetrics
  readonly #target: { host: string, port: number }
  #server: Server | undefined

  constructor (metrics: ClusterMetrics, address: string) {
    this.#metrics = metrics
    this.#target = parseEndpoint(address)
  }

  /** Listens; resolves with the bound address (port 0 gets a real port). */
  async start (): Promise<{ host: string, port: number }> {
    const server = createServer((req, res) => { void this.#handle(req, res) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => { reject(new MetricsEndpointError(`listen ${this.#target.host}:${this.#target.port}: ${err.message}`)) })
      server.listen(this.#target.port, this.#target.host, resolve)
    })
    this.#server = server
    const bound = server.address() as AddressInfo
    return { host: bound.address, port: bound.port }
  }

  async #handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('405 method not allowed\n')
      return
    }
    try {
      const { contentType, body } = await this.#metrics.exposition()
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) })
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch (err) {
      // A failing collector is our fault: say which, without taking the peer down.
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`error gathering metrics: ${(err as Error).message}\n`)
    }
  }

  async stop (): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (server === undefined) return
    await new Promise<void>((resolve) => {
      server.close(() => { resolve() })
      server.closeAllConnections()
    })
  }
}

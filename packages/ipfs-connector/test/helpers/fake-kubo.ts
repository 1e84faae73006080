import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import net from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  endpoint: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
}

export type Handler = (req: IncomingMessage, res: ServerResponse, rec: RecordedRequest) => void | Promise<void>

/** A scripted HTTP server on 127.0.0.1:0 standing in for Kubo in unit tests. */
export class FakeKubo {
  readonly requests: RecordedRequest[] = []
  private readonly server: http.Server
  private readonly sockets = new Set<Socket>()
  private handler: Handler

  private constructor (handler: Handler) {
    this.handler = handler
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        endpoint: url.pathname.replace(/^\/api\/v0\//, ''),
        query: url.searchParams,
        headers: req.headers
      }
      this.requests.push(rec)
      Promise.resolve(this.handler(req, res, rec)).catch(() => { res.destroy() })
    })
    this.server.on('connection', (s) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
  }

  static async start (handler: Handler): Promise<FakeKubo> {
    const f = new FakeKubo(handler)
    await new Promise<void>(resolve => f.server.listen(0, '127.0.0.1', resolve))
    return f
  }

  setHandler (handler: Handler): void {
    this.handler = handler
  }

  get port (): number {
    return (this.server.address() as net.AddressInfo).port
  }

  get multiaddr (): string {
    return `/ip4/127.0.0.1/tcp/${this.port}`
  }

  async close (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
  }
}

/** Kubo's success headers for a JSON answer (optionally chunked output). */
export function kuboHeaders (chunked = false): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    Trailer: 'X-Stream-Error',
    ...(chunked ? { 'X-Chunked-Output': '1' } : {})
  }
}

export function sendJson (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, kuboHeaders())
  res.end(JSON.stringify(body) + '\n')
}

export function sendKuboError (res: ServerResponse, message: string, status = 500, code = 0): void {
  sendJson(res, status, { Message: message, Code: code, Type: 'error' })
}

/** A raw TCP server answering whatever bytes it is told (for non-HTTP garbage). */
export async function rawServer (onConnection: (socket: Socket) => void): Promise<{ port: number, close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
    onConnection(s)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}

/** A port that was just free and is now closed (connection refused). */
export async function closedPort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}

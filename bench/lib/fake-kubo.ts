// A minimal, fast stand-in for the Kubo RPC API (/api/v0), answering the endpoints a cluster
// peer calls with Kubo's shapes (ipfs-connector.md §2, modelled on the Go mock of §7) and no
// work behind them: pins live in a Map. Used to measure the cluster's own overhead.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomPeerId } from './cids.ts'

type PinType = 'recursive' | 'direct'

export class FakeKubo {
  readonly id = randomPeerId()
  /** CID string → pin type. */
  readonly pins = new Map<string, PinType>()
  /** Requests per endpoint (to spot endpoints the stand-in does not know). */
  readonly calls = new Map<string, number>()
  /** Endpoint → milliseconds it waits before answering (a slow Kubo). */
  readonly delays = new Map<string, number>()
  /** Peers `swarm/connect` connected to (address by peer ID), listed by `swarm/peers`. */
  readonly connected = new Map<string, string>()
  private server: Server | undefined
  port = 0

  get apiMultiaddr (): string { return `/ip4/127.0.0.1/tcp/${this.port}` }

  async start (): Promise<void> {
    const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => { this.handle(req, res) })
    server.maxHeadersCount = 0
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  async stop (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => { resolve() }))
  }

  /** Marks CIDs as pinned (recursive) without any request. */
  preload (cids: Iterable<string>): void {
    for (const cid of cids) this.pins.set(cid, 'recursive')
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    // A target WHATWG URLs refuse (a path with a backslash, relayed as-is by the proxy) is a 404, as from Kubo.
    const url = URL.parse(req.url ?? '/', 'http://x')
    if (url === null) {
      req.resume()
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found')
      return
    }
    const endpoint = url.pathname.startsWith('/api/v0/') ? url.pathname.slice('/api/v0/'.length) : ''
    this.calls.set(endpoint, (this.calls.get(endpoint) ?? 0) + 1)
    req.resume()
    const delay = this.delays.get(endpoint) ?? 0
    if (delay > 0) setTimeout(() => { this.answer(req, res, url, endpoint) }, delay).unref()
    else this.answer(req, res, url, endpoint)
  }

  private answer (req: IncomingMessage, res: ServerResponse, url: URL, endpoint: string): void {
    if (res.destroyed) return
    if (req.method !== 'POST') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8' }).end('405 - Method Not Allowed')
      return
    }
    const q = url.searchParams
    const args = q.getAll('arg')
    const arg = args[0] ?? ''
    switch (endpoint) {
      case 'id':
        return json(res, { ID: this.id, PublicKey: '', Addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${this.id}`], AgentVersion: 'kubo/0.42.0/', Protocols: ['/ipfs/id/1.0.0'] })
      case 'version':
        return json(res, { Version: '0.42.0', Commit: '', Repo: '16', System: 'amd64/linux', Golang: 'go1.25' })
      case 'pin/add': {
        if (arg === '') return fail(res, 400, 'argument "ipfs-path" is required')
        // Kubo pins every argument (it holds every block here, so `offline=true` changes nothing).
        for (const a of args) this.pins.set(a, q.get('recursive') === 'false' ? 'direct' : 'recursive')
        return ndjson(res, [{ Pins: args }])
      }
      case 'pin/update': {
        if (args.length < 2) return fail(res, 400, 'argument "to-path" is required')
        if (this.pins.get(args[0] as string) !== 'recursive') return fail(res, 500, "'from' cid was not recursively pinned already")
        this.pins.set(args[1] as string, 'recursive')
        return json(res, { Pins: args })
      }
      case 'pin/rm':
        if (!this.pins.delete(arg)) return fail(res, 500, 'not pinned or pinned indirectly')
        return json(res, { Pins: [arg] })
      case 'pin/ls':
        return this.pinLs(res, args, q.get('type') ?? 'all', q.get('stream') === 'true')
      case 'repo/stat':
        return json(res, { RepoSize: 1000 * this.pins.size, StorageMax: 10_000_000_000, NumObjects: 0, RepoPath: '', Version: '' })
      case 'config/show':
        return json(res, { API: {}, Addresses: {}, Datastore: { StorageMax: '10GB' } })
      case 'swarm/peers':
        return json(res, { Peers: this.connected.size === 0 ? null : [...this.connected].map(([peer, addr]) => ({ Addr: addr, Peer: peer })) })
      case 'swarm/connect':
        for (const a of args) {
          const [addr = a, peer] = a.split('/p2p/')
          if (peer !== undefined) this.connected.set(peer, addr)
        }
        return json(res, { Strings: args.map(a => `connect ${a.split('/p2p/')[1] ?? a} success`) })
      case 'repo/gc':
        return ndjson(res, [])
      case 'resolve':
        return json(res, { Path: arg.startsWith('/ipfs/') ? arg : `/ipfs/${arg}` })
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found')
    }
  }

  private pinLs (res: ServerResponse, args: string[], type: string, stream: boolean): void {
    const wanted = (t: PinType): boolean => type === 'all' || type === t || (type === 'recursive' && t === 'recursive')
    if (args.length > 0) {
      const found: Array<{ Cid: string, Type: PinType }> = []
      for (const cid of args) {
        const t = this.pins.get(cid)
        if (t === undefined || !wanted(t)) return fail(res, 500, `path '${cid}' is not pinned`)
        found.push({ Cid: cid, Type: t })
      }
      if (stream) return ndjson(res, found)
      return json(res, { Keys: Object.fromEntries(found.map(f => [f.Cid, { Type: f.Type }])) })
    }
    if (!stream) {
      const keys: Record<string, { Type: PinType }> = {}
      for (const [cid, t] of this.pins) if (wanted(t)) keys[cid] = { Type: t }
      return json(res, { Keys: keys })
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Chunked-Output': '1', Trailer: 'X-Stream-Error' })
    // Snapshot, then write in chunks honouring backpressure.
    const entries = [...this.pins]
    let i = 0
    const pump = (): void => {
      while (i < entries.length) {
        const end = Math.min(entries.length, i + 2000)
        let chunk = ''
        for (; i < end; i++) {
          const [cid, t] = entries[i] as [string, PinType]
          if (wanted(t)) chunk += `{"Cid":"${cid}","Type":"${t}"}\n`
        }
        if (!res.write(chunk)) { res.once('drain', pump); return }
      }
      res.end()
    }
    pump()
  }
}

function json (res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body) + '\n'
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text)
}

function ndjson (res: ServerResponse, lines: unknown[]): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'X-Chunked-Output': '1', Trailer: 'X-Stream-Error' })
  res.end(lines.map(l => JSON.stringify(l) + '\n').join(''))
}

function fail (res: ServerResponse, status: number, message: string): void {
  const text = JSON.stringify({ Message: message, Code: 0, Type: 'error' }) + '\n'
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text)
}

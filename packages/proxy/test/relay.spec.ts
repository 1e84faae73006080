/**
 * The relay to a plain-HTTP Kubo (relay.ts) against fake upstreams: header rewriting both ways,
 * request body framing, trailers, kept-alive connections, slow clients, and upstreams that
 * misbehave.
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { ClusterApi } from '@cluster/api'
import { until } from '@cluster/test-utils'
import { ProxyServer } from '../src/index.ts'
import { request } from './helpers.ts'

const closers: Array<() => Promise<void>> = []
afterEach(async () => { for (const close of closers.splice(0).reverse()) await close() })

/** Listens on loopback; returns the multiaddress and counts the connections accepted. */
async function listen (server: net.Server): Promise<{ node: string, connections: () => number }> {
  let connections = 0
  server.on('connection', (socket: net.Socket) => {
    connections++
    closers.push(async () => { socket.destroy() })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  closers.push(async () => { await new Promise<void>(resolve => { server.close(() => { resolve() }) }) })
  return { node: `/ip4/127.0.0.1/tcp/${(server.address() as AddressInfo).port}`, connections: () => connections }
}

async function proxyTo (node: string): Promise<string> {
  const proxy = new ProxyServer({} as ClusterApi, { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: node }, { stopGraceMs: 100 })
  const { url } = await proxy.start()
  closers.push(async () => { await proxy.stop() })
  return url
}

describe('relay', () => {
  it('rewrites headers both ways, re-frames a chunked upload, forwards trailers', async () => {
    let seen: { headers: http.IncomingHttpHeaders, body: string } | undefined
    const upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen = { headers: req.headers, body: Buffer.concat(chunks).toString() }
        res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Stream-Error', 'Keep-Alive': 'timeout=5', 'X-Custom': 'kept', Connection: 'X-Hop', 'X-Hop': 'dropped' })
        res.write('part one,')
        res.write('part two')
        res.addTrailers({ 'X-Stream-Error': 'late failure' })
        res.end()
      })
    })
    const url = await proxyTo((await listen(upstream)).node)
    async function * body (): AsyncGenerator<Uint8Array> { yield Buffer.from('hello '); yield Buffer.from('chunked world') }
    const a = await request(`${url}/api/v0/cat?arg=x`, { headers: { 'X-Forwarded-For': '10.0.0.1', 'Proxy-Authorization': 'secret', Expect: '100-continue' }, body: body() })
    expect(a.status).toBe(200)
    expect(a.body).toBe('part one,part two')
    expect(a.trailers['x-stream-error']).toBe('late failure')
    expect(a.headers['x-custom']).toBe('kept')
    expect(a.headers.trailer).toBe('X-Stream-Error')
    expect(a.headers['keep-alive']).not.toBe('timeout=5')
    expect(a.headers['x-hop']).toBeUndefined()
    expect(seen?.body).toBe('hello chunked world')
    expect(seen?.headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1')
    expect(seen?.headers['proxy-authorization']).toBeUndefined()
    expect(seen?.headers.expect).toBeUndefined()
    expect(seen?.headers['transfer-encoding']).toBe('chunked')
  })

  it('keeps Kubo connections alive across calls of every kind, bodies of every framing', async () => {
    const upstream = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        if (req.url?.startsWith('/sized') === true) { res.setHeader('Content-Length', 5); res.end('sized') }
        else if (req.url?.startsWith('/empty') === true) { res.statusCode = 204; res.end() }
        else res.end(`chunked ${req.method ?? ''} ${req.url ?? ''}`)
      })
    })
    const { node, connections } = await listen(upstream)
    const url = await proxyTo(node)
    for (let i = 0; i < 3; i++) {
      const sized = await request(`${url}/sized`)
      expect(sized).toMatchObject({ status: 200, body: 'sized' })
      expect(sized.headers['content-length']).toBe('5')
      expect(await request(`${url}/empty`)).toMatchObject({ status: 204, body: '' })
      expect(await request(`${url}/sized`, { method: 'HEAD' })).toMatchObject({ status: 200, body: '' })
      expect(await request(`${url}/api/v0/version`, { body: 'with a body' })).toMatchObject({ status: 200, body: 'chunked POST /api/v0/version' })
    }
    // Calls with a body take a connection of their own (a reused one may be closed under them) and give it back.
    expect(connections()).toBeLessThanOrEqual(2)
  })

  it('retries once on a new connection when Kubo closed the idle one', async () => {
    const upstream = net.createServer(socket => {
      socket.once('data', () => { socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok') })
    })
    const { node, connections } = await listen(upstream)
    const url = await proxyTo(node)
    for (let i = 0; i < 3; i++) expect(await request(`${url}/api/v0/id`)).toMatchObject({ status: 200, body: 'ok' })
    expect(connections()).toBeGreaterThanOrEqual(3)
  })

  it('copies a close-delimited answer until the upstream closes', async () => {
    const upstream = net.createServer(socket => {
      socket.once('data', () => { socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n' + 'x'.repeat(100_000)) })
    })
    const url = await proxyTo((await listen(upstream)).node)
    for (let i = 0; i < 2; i++) {
      const a = await request(`${url}/api/v0/get?arg=x`)
      expect(a.status).toBe(200)
      expect(a.body).toHaveLength(100_000)
    }
  })

  it('holds Kubo back while the client does not read (no unbounded buffering)', async () => {
    const total = 256 * 1024 * 1024
    let written = 0
    const upstream = http.createServer((req, res) => {
      req.resume()
      const piece = Buffer.alloc(1024 * 1024, 1)
      const more = (): void => {
        while (written < total) {
          written += piece.length
          if (!res.write(piece)) { res.once('drain', more); return }
        }
        res.end()
      }
      more()
    })
    const url = await proxyTo((await listen(upstream)).node)
    const client = http.request(`${url}/api/v0/cat?arg=x`, { method: 'POST' })
    const response = await new Promise<http.IncomingMessage>(resolve => { client.on('response', resolve); client.end() })
    response.pause()
    // Kubo stalls once the buffers on the way are full (polled: a loaded machine fills them slowly).
    let before = -1
    await until(async () => {
      const now = written
      await new Promise(resolve => setTimeout(resolve, 300))
      const stalled = now === written && now === before
      before = now
      return stalled ? true : undefined
    }, 'Kubo held back')
    expect(written).toBeLessThan(64 * 1024 * 1024)
    let received = 0
    response.on('data', (c: Buffer) => { received += c.length })
    response.resume()
    await until(() => received === total ? true : undefined, 'the whole answer')
  })

  it('drops the Kubo connection when the client goes away mid-answer', async () => {
    let upstreamClosed = false
    const upstream = http.createServer((req, res) => {
      req.resume()
      res.on('close', () => { upstreamClosed = true })
      const piece = Buffer.alloc(64 * 1024, 2)
      const timer = setInterval(() => { res.write(piece) }, 5)
      res.on('close', () => { clearInterval(timer) })
    })
    const url = await proxyTo((await listen(upstream)).node)
    await new Promise<void>((resolve, reject) => {
      const client = http.request(`${url}/api/v0/cat?arg=x`, { method: 'POST', agent: false }, response => {
        let got = 0
        response.on('data', (c: Buffer) => {
          got += c.length
          if (got > 256 * 1024) { client.destroy(); resolve() }
        })
      })
      client.on('error', err => { if (!client.destroyed) reject(err) })
      client.end()
    })
    await until(() => upstreamClosed ? true : undefined, 'the upstream connection closed')
  })

  it('answers 502 with a Kubo error when the upstream is down, answers garbage, or hangs up', async () => {
    const garbage = net.createServer(socket => { socket.once('data', () => { socket.end('SSH-2.0-OpenSSH\r\n\r\n') }) })
    const hangup = net.createServer(socket => { socket.once('data', () => { socket.end() }) })
    const huge = net.createServer(socket => { socket.once('data', () => { socket.end(`HTTP/1.1 200 OK\r\nX: ${'y'.repeat(70_000)}\r\n\r\n`) }) })
    const badLength = net.createServer(socket => { socket.once('data', () => { socket.end('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n') }) })
    const cases: Array<[string, RegExp]> = [
      ['/ip4/127.0.0.1/tcp/1', /ECONNREFUSED/],
      [(await listen(garbage)).node, /malformed response head/],
      [(await listen(hangup)).node, /closed the connection without answering/],
      [(await listen(huge)).node, /response head from IPFS is too large/],
      [(await listen(badLength)).node, /invalid Content-Length/]
    ]
    for (const [node, message] of cases) {
      const a = await request(`${await proxyTo(node)}/api/v0/block/get?arg=x`)
      expect(a.status, node).toBe(502)
      expect(JSON.parse(a.body), node).toMatchObject({ Message: expect.stringMatching(message), Code: 0, Type: 'error' })
    }
  })

  it('cuts the client off when Kubo breaks the framing or dies mid-answer', async () => {
    const broken = net.createServer(socket => {
      socket.once('data', () => { socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nnot-hex\r\n') })
    })
    const dies = net.createServer(socket => {
      socket.once('data', () => { socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part') })
    })
    for (const server of [broken, dies]) {
      const url = await proxyTo((await listen(server)).node)
      await expect(request(`${url}/api/v0/cat?arg=x`)).rejects.toThrow(/aborted|socket hang up|ECONNRESET/)
    }
  })
})

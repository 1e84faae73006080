/**
 * The byte-copying reverse proxy (raw-forward.ts) against fake upstreams: header rewriting both
 * ways, request body framing, trailers, and upstreams that misbehave.
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { ClusterApi } from '@cluster/api'
import { ProxyServer } from '../src/index.ts'
import { carriesBulkData, rewriteResponseHead } from '../src/raw-forward.ts'
import { request } from './helpers.ts'

const closers: Array<() => Promise<void>> = []
afterEach(async () => { for (const close of closers.splice(0).reverse()) await close() })

async function listen (server: net.Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  closers.push(async () => { await new Promise<void>(resolve => { server.close(() => { resolve() }) }) })
  return `/ip4/127.0.0.1/tcp/${(server.address() as AddressInfo).port}`
}

async function proxyTo (node: string): Promise<string> {
  const proxy = new ProxyServer({} as ClusterApi, { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: node }, { stopGraceMs: 100 })
  const { url } = await proxy.start()
  closers.push(async () => { await proxy.stop() })
  return url
}

describe('raw forwarding', () => {
  it('rewrites headers both ways, re-frames a chunked upload, forwards trailers', async () => {
    let seen: { headers: http.IncomingHttpHeaders, body: string } | undefined
    const upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen = { headers: req.headers, body: Buffer.concat(chunks).toString() }
        res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Stream-Error', 'Keep-Alive': 'timeout=5', 'X-Custom': 'kept' })
        res.write('part one,')
        res.write('part two')
        res.addTrailers({ 'X-Stream-Error': 'late failure' })
        res.end()
      })
    })
    const url = await proxyTo(await listen(upstream))
    async function * body (): AsyncGenerator<Uint8Array> { yield Buffer.from('hello '); yield Buffer.from('chunked world') }
    const a = await request(`${url}/api/v0/cat?arg=x`, { headers: { 'X-Forwarded-For': '10.0.0.1', 'Proxy-Authorization': 'secret', Expect: '100-continue' }, body: body() })
    expect(a.status).toBe(200)
    expect(a.body).toBe('part one,part two')
    expect(a.trailers['x-stream-error']).toBe('late failure')
    expect(a.headers['x-custom']).toBe('kept')
    expect(a.headers['keep-alive']).toBeUndefined()
    expect(a.headers.connection).toBe('close')
    expect(seen?.body).toBe('hello chunked world')
    expect(seen?.headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1')
    expect(seen?.headers['proxy-authorization']).toBeUndefined()
    expect(seen?.headers.expect).toBeUndefined()
    expect(seen?.headers.connection).toBe('close')
  })

  it('copies a close-delimited answer until the upstream closes', async () => {
    const upstream = net.createServer(socket => {
      socket.once('data', () => { socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n' + 'x'.repeat(100_000)) })
    })
    const url = await proxyTo(await listen(upstream))
    const a = await request(`${url}/api/v0/get?arg=x`)
    expect(a.status).toBe(200)
    expect(a.body).toHaveLength(100_000)
  })

  it('answers 502 with a Kubo error when the upstream is down, answers garbage, or hangs up', async () => {
    const garbage = net.createServer(socket => { socket.once('data', () => { socket.end('SSH-2.0-OpenSSH\r\n\r\n') }) })
    const hangup = net.createServer(socket => { socket.once('data', () => { socket.end() }) })
    const cases: Array<[string, RegExp]> = [
      ['/ip4/127.0.0.1/tcp/1', /ECONNREFUSED/],
      [await listen(garbage), /malformed response head/],
      [await listen(hangup), /closed the connection without answering/]
    ]
    for (const [node, message] of cases) {
      const a = await request(`${await proxyTo(node)}/api/v0/block/get?arg=x`)
      expect(a.status, node).toBe(502)
      expect(JSON.parse(a.body), node).toMatchObject({ Message: expect.stringMatching(message), Code: 0, Type: 'error' })
    }
  })

  it('takes only content-moving commands; the others keep the keep-alive reverse proxy', () => {
    for (const url of ['/api/v0/cat?arg=x', '/api/v0/block/get?arg=x', '/api/v0/dag/export/', '/api/v0/get']) expect(carriesBulkData(url), url).toBe(true)
    for (const url of ['/api/v0/version', '/api/v0/id', '/api/v0/block/stat?arg=x', '/api/v0/catalog', '/cat', undefined]) expect(carriesBulkData(url), String(url)).toBe(false)
  })

  it('rewrites response heads: drops hop-by-hop and Connection-listed fields, keeps framing', () => {
    const head = 'HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nTransfer-Encoding: chunked\r\nTrailer: X-Stream-Error\r\nSet-Cookie: a\r\nSet-Cookie: b'
    expect(rewriteResponseHead(head)).toEqual({
      status: 200,
      text: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Stream-Error\r\nSet-Cookie: a\r\nSet-Cookie: b\r\nConnection: close\r\n\r\n'
    })
    expect(rewriteResponseHead('HTTP/2 200\r\n')).toBeUndefined()
    expect(rewriteResponseHead('HTTP/1.1 200 OK\r\nno colon here')).toBeUndefined()
  })
})

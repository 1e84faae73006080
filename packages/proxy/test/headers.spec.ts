/** Headers of intercepted answers (proxy.md §2.1) against a scripted Kubo look-alike. */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProxyServer } from '../src/index.ts'
import { CID1, FakeCluster, request } from './helpers.ts'

let fake: http.Server
let proxy: ProxyServer
let url: string
let versionCalls = 0

beforeAll(async () => {
  // Answers CORS preflights for `myorigin` only, and `version` with changing headers.
  fake = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      if (req.headers.origin === 'myorigin') {
        res.setHeader('Access-Control-Allow-Origin', 'myorigin')
        res.setHeader('Access-Control-Allow-Credentials', 'true')
      }
      res.setHeader('Vary', 'Origin')
      res.writeHead(200).end()
      return
    }
    if (req.url === '/api/v0/version') {
      versionCalls++
      res.setHeader('Access-Control-Expose-Headers', 'X-Stream-Output, X-Chunked-Output')
      res.setHeader('X-Custom-Header', '42')
      res.setHeader('X-Time-Now', String(process.hrtime.bigint()))
      res.end('{"Version":"m.o.c.k"}')
      return
    }
    res.writeHead(404).end('404 page not found')
  })
  await new Promise<void>(resolve => fake.listen(0, '127.0.0.1', resolve))
  const port = (fake.address() as AddressInfo).port
  proxy = new ProxyServer(new FakeCluster().asApi(), {
    listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'],
    nodeMultiaddress: `/ip4/127.0.0.1/tcp/${port}`,
    extractHeadersExtra: ['X-Custom-Header', 'X-Time-Now'],
    extractHeadersTtlMs: 2_000
  }, { stopGraceMs: 200 })
  url = (await proxy.start()).url
})

afterAll(async () => {
  await proxy.stop()
  await new Promise<void>(resolve => fake.close(() => { resolve() }))
})

describe('intercepted answers', () => {
  it('carry Kubo\'s CORS verdict, extracted headers and the proxy\'s Server header', async () => {
    const a = await request(`${url}/api/v0/pin/ls`, { headers: { Origin: 'myorigin' } })
    expect(a.status).toBe(200)
    expect(a.headers['access-control-allow-origin']).toBe('myorigin')
    expect(a.headers.vary).toBe('Origin')
    expect(a.headers['access-control-allow-credentials']).toBe('true')
    expect(a.headers['x-custom-header']).toBe('42')
    expect(a.headers['access-control-expose-headers']).toBe('X-Stream-Output, X-Chunked-Output')
    expect(a.headers.server).toMatch(/^ipfs-cluster\/ipfsproxy\//)
    const other = await request(`${url}/api/v0/pin/ls?arg=${CID1}`, { headers: { Origin: 'elsewhere' } })
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('re-learns extracted headers only after the TTL', async () => {
    const first = await request(`${url}/api/v0/pin/ls`)
    const second = await request(`${url}/api/v0/pin/ls`)
    expect(second.headers['x-time-now']).toBe(first.headers['x-time-now'])
    await new Promise(resolve => setTimeout(resolve, 2_300))
    const calls = versionCalls
    const third = await request(`${url}/api/v0/pin/ls`)
    expect(versionCalls).toBe(calls + 1)
    expect(third.headers['x-time-now']).not.toBe(first.headers['x-time-now'])
  })

  it('proxied answers are Kubo\'s own', async () => {
    const v = await request(`${url}/api/v0/version`)
    expect(v.body).toBe('{"Version":"m.o.c.k"}')
    expect(v.headers.server).toBeUndefined()
  })
})

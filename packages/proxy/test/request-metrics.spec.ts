/**
 * `onRequest` (metrics): one sample per answered request, intercepted or proxied to a real
 * Kubo, labelled by the Kubo endpoint; unknown paths share one `other` label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KuboDaemon, until } from '@cluster/test-utils'
import { OTHER_ROUTE, ProxyServer, routeLabel, type ProxyRequestSample } from '../src/index.ts'
import { CID1, FakeCluster, request } from './helpers.ts'

describe('routeLabel', () => {
  it('names the Kubo command, folds slash forms and trailing slashes, and collapses the rest', () => {
    expect(routeLabel('/api/v0/pin/add?arg=x')).toBe('/api/v0/pin/add')
    expect(routeLabel('/api/v0/pin/add/QmFoo')).toBe('/api/v0/pin/add')
    expect(routeLabel('/api/v0/pin/ls/')).toBe('/api/v0/pin/ls')
    expect(routeLabel('/api/v0/swarm/peers')).toBe('/api/v0/swarm/peers')
    expect(routeLabel('/api/v0/pin/add/a/b')).toBe(OTHER_ROUTE)
    expect(routeLabel('/api/v0/bad/command')).toBe(OTHER_ROUTE)
    expect(routeLabel(`/api/v0/${'x'.repeat(50)}`)).toBe(OTHER_ROUTE)
    expect(routeLabel('/webui')).toBe(OTHER_ROUTE)
    expect(routeLabel(undefined)).toBe(OTHER_ROUTE)
  })
})

describe('ProxyServer onRequest', () => {
  let kubo: KuboDaemon
  let proxy: ProxyServer
  let url: string
  const samples: ProxyRequestSample[] = []

  beforeAll(async () => {
    kubo = await KuboDaemon.start()
    proxy = new ProxyServer(new FakeCluster().asApi(), { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: kubo.apiMultiaddr }, {
      stopGraceMs: 500,
      onRequest: s => { samples.push(s) }
    })
    url = (await proxy.start()).url
  }, 120_000)

  afterAll(async () => {
    await proxy?.stop()
    await kubo?.stop()
  }, 60_000)

  it('reports intercepted, proxied and unknown requests with their status and duration', async () => {
    expect((await request(`${url}/api/v0/pin/ls?arg=${CID1}`, { method: 'POST' })).status).toBe(200)
    expect((await request(`${url}/api/v0/version`, { method: 'POST' })).status).toBe(200)
    expect((await request(`${url}/api/v0/bad/command`, { method: 'POST' })).status).toBe(404)
    expect((await request(`${url}/api/v0/pin/add`, { method: 'POST' })).status).toBe(400)
    await until(() => samples.length >= 4 ? true : undefined, 'four samples', 5_000)
    expect(samples.map(s => [s.method, s.route, s.status])).toEqual([
      ['POST', '/api/v0/pin/ls', 200],
      ['POST', '/api/v0/version', 200],
      ['POST', OTHER_ROUTE, 404],
      ['POST', '/api/v0/pin/add', 400]
    ])
    for (const s of samples) expect(s.seconds).toBeGreaterThan(0)
  })
})

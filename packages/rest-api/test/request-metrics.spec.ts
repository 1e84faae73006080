// RestApiServer's onRequest hook (what `daemon --stats` counts): one sample per answered request,
// labelled with the route template (never the CID) or `other`, the method and the status.
import { afterEach, describe, expect, it } from 'vitest'
import { FakeCluster, C1 } from '@cluster/test-utils'
import { PINSVC_ROUTES, PinSvcApiServer, ROUTES, RestApiServer, routeLabel, type RequestSample } from '../src/index.ts'
import { seed } from './helpers.ts'

const servers: RestApiServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(async (s) => { await s.stop() }))
})

async function serve (make: (onRequest: (s: RequestSample) => void) => RestApiServer): Promise<{ url: string, samples: RequestSample[] }> {
  const samples: RequestSample[] = []
  const server = make(s => { samples.push(s) })
  servers.push(server)
  const { port } = await server.start() as { port: number }
  return { url: `http://127.0.0.1:${port}`, samples }
}

describe('request samples', () => {
  it('label REST API requests by route template, method and status', async () => {
    const fake = new FakeCluster()
    seed(fake)
    const { url, samples } = await serve(onRequest => new RestApiServer(fake, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] }, { onRequest }))
    await (await fetch(`${url}/allocations/${C1}`)).text()
    await (await fetch(`${url}/nowhere/${C1}`)).text()
    await (await fetch(`${url}/id`, { method: 'DELETE' })).text()
    // The sample is taken when the answer is written (the socket's close may come a bit later).
    for (let i = 0; i < 100 && samples.length < 3; i++) await new Promise(resolve => setTimeout(resolve, 20))
    expect(samples.map(({ method, route, status }) => ({ method, route, status }))).toEqual([
      { method: 'GET', route: '/allocations/:hash', status: 200 },
      { method: 'GET', route: 'other', status: 404 },
      { method: 'DELETE', route: '/id', status: 405 }
    ])
    expect(samples.every(s => s.seconds >= 0 && s.seconds < 60)).toBe(true)
  })

  it('the Pinning Service API labels with its own routes', async () => {
    const { url, samples } = await serve(onRequest => new PinSvcApiServer(new FakeCluster(), { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] }, { onRequest }))
    await (await fetch(`${url}/pins/some-request-id`)).text()
    for (let i = 0; i < 100 && samples.length < 1; i++) await new Promise(resolve => setTimeout(resolve, 20))
    expect(samples[0]?.route).toBe('/pins/:requestid')
  })

  it('routeLabel: first route of the method, else of the path, else other; bad escapes kept raw', () => {
    expect(routeLabel(ROUTES, 'POST', `/pins/${C1}?name=x`)).toBe('/pins/:hash')
    expect(routeLabel(ROUTES, 'POST', '/pins/ipfs/Qm/a%20b')).toBe(routeLabel(ROUTES, 'POST', '/pins/ipfs/Qm/a b'))
    expect(routeLabel(ROUTES, 'PUT', '/version')).toBe('/version')
    expect(routeLabel(ROUTES, 'GET', '/%zz')).toBe('other')
    expect(routeLabel(PINSVC_ROUTES, 'GET', '/pins')).toBe('/pins')
  })
})

/**
 * The Pinning Service API on a real listener (PinSvcApiServer): the common layer (auth, /token,
 * /health, router errors, CORS, headers) with `{"error":{"reason":…}}` bodies; its config section
 * defaults; the JSON codecs.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parseCid, parseMultiaddr, stringifyJson, Timestamp } from '@cluster/api'
import { FakeCluster, C1, C2, I1 } from '@cluster/test-utils'
import {
  PinSvcApiServer, RestApiConfigError, createPinSvcApiApp, decodePinSvcPinStatus, defaultPinSvcApiConfig, encodePinSvcPin,
  encodePinSvcPinStatus, pinSvcApiConfigFromJson, resolvePinSvcApiConfig, restApiConfigToJson, signToken
} from '../src/index.ts'
import { seed, startPinSvcServer } from './helpers.ts'

const servers: PinSvcApiServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(async (s) => { await s.stop() }))
})

async function start (config: Parameters<typeof startPinSvcServer>[0] = {}, fake = new FakeCluster()): Promise<{ url: string, fake: FakeCluster }> {
  const s = await startPinSvcServer(config, fake)
  servers.push(s.server)
  return s
}

const basic = (u: string, p: string): string => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64')
const REALM = 'Restricted IPFS Cluster API'

describe('PinSvcApiServer over node:http', () => {
  it('serves the pinning routes, not the REST ones; router errors use the pinning-service error body', async () => {
    const { url, fake } = await start()
    const add = await fetch(`${url}/pins`, { method: 'POST', body: JSON.stringify({ cid: C1, name: 'x' }) })
    expect(add.status).toBe(202)
    expect(await add.json()).toMatchObject({ requestid: C1, status: 'queued', pin: { cid: C1, name: 'x' } })
    expect(fake.pins.get(C1)?.name).toBe('x')

    const get = await fetch(`${url}/pins/${C1}`)
    expect(await get.json()).toMatchObject({ requestid: C1, status: 'pinned' })
    const del = await fetch(`${url}/pins/${C1}`, { method: 'DELETE' })
    expect(del.status).toBe(202)
    expect(await del.text()).toBe('')

    for (const path of ['/id', '/version', '/nope', '/pins/a/b', '/']) {
      const res = await fetch(url + path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(await res.text()).toBe('{"error":{"reason":"not found"}}\n')
    }
    for (const [method, path] of [['PUT', '/pins'], ['DELETE', '/pins'], ['PATCH', `/pins/${C1}`], ['GET', '/token'], ['POST', '/health']] as const) {
      const res = await fetch(url + path, { method })
      expect(res.status, `${method} ${path}`).toBe(405)
      expect(await res.text()).toBe('')
    }
    const slash = await fetch(`${url}/pins/?limit=1`, { redirect: 'manual' })
    expect(slash.status).toBe(307)
    expect(slash.headers.get('location')).toBe('/pins?limit=1')
  })

  it('basic auth failures are 401 with the Go headers and a pinning-service body; /health needs no auth', async () => {
    const { url } = await start({ basicAuthCredentials: { admin: 's3cret' } })
    const none = await fetch(`${url}/pins`)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", Basic realm="${REALM}"`)
    expect(await none.text()).toBe('{"error":{"reason":"unauthorized: no auth provided"}}\n')

    const wrong = await fetch(`${url}/pins`, { headers: { Authorization: basic('admin', 'nope') } })
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).toBe('{"error":{"reason":"unauthorized: access denied"}}\n')

    const badToken = await fetch(`${url}/pins`, { headers: { Authorization: 'Bearer not-a-jwt' } })
    expect(badToken.status).toBe(401)
    expect(badToken.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", error="invalid_token"`)
    expect(await badToken.text()).toBe('{"error":{"reason":"unauthorized: invalid token"}}\n')

    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(204)
    expect(await health.text()).toBe('')

    const ok = await fetch(`${url}/pins`, { headers: { Authorization: basic('admin', 's3cret') } })
    expect(ok.status).toBe(200)
  })

  it('POST /token issues the Go token, usable as Bearer; without auth configured it is a 401', async () => {
    const { url } = await start({ basicAuthCredentials: { admin: 's3cret' } })
    const res = await fetch(`${url}/token`, { method: 'POST', headers: { Authorization: basic('admin', 's3cret') } })
    expect(res.status).toBe(200)
    const { token } = await res.json() as { token: string }
    expect(token).toBe(signToken('admin', 's3cret'))
    expect(token).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhZG1pbiJ9.oiqVSzC-HZvcSSGW97CNzQ07FgIUgfZFkVOYHRrYFCs')
    const list = await fetch(`${url}/pins`, { headers: { Authorization: `Bearer ${token}` } })
    expect(list.status).toBe(200)
    expect(await list.text()).toBe('{"count":0,"results":[]}\n')

    const open = await start()
    const noAuth = await fetch(`${open.url}/token`, { method: 'POST' })
    expect(noAuth.status).toBe(401)
    expect(await noAuth.text()).toBe('{"error":{"reason":"unauthorized"}}\n')
    // With authentication off any Authorization header is ignored (Kubo always sends one).
    expect((await fetch(`${open.url}/pins`, { headers: { Authorization: 'Bearer whatever' } })).status).toBe(200)
  })

  it('CORS pre-flights are 204 and configured headers are on every API answer, errors included', async () => {
    const { url, fake } = await start({ headers: { 'X-Served-By': ['cluster'] }, corsAllowedMethods: ['GET', 'POST'] })
    seed(fake)
    const pre = await fetch(`${url}/pins`, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST')
    for (const path of [`/pins/${C1}`, `/pins/${C2}`, '/nope']) {
      const res = await fetch(url + path, { headers: { Origin: 'https://app.example' } })
      expect(res.headers.get('x-served-by'), path).toBe('cluster')
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*')
    }
  })
})

describe('pinsvcapi configuration', () => {
  it('defaults to /ip4/127.0.0.1/tcp/9097 with the restapi keys', () => {
    const d = defaultPinSvcApiConfig()
    expect(d.configKey).toBe('pinsvcapi')
    expect(d.httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9097'])
    expect(restApiConfigToJson(d).http_listen_multiaddress).toBe('/ip4/127.0.0.1/tcp/9097')
    expect(new PinSvcApiServer(new FakeCluster()).config.httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9097'])
    expect(pinSvcApiConfigFromJson({}).httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9097'])
    expect(resolvePinSvcApiConfig({ idleTimeout: 1n }).httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9097'])
  })

  it('reads CLUSTER_PINSVCAPI_* overrides and reports errors under `pinsvcapi.`', () => {
    const cfg = pinSvcApiConfigFromJson({ http_listen_multiaddress: '/ip4/0.0.0.0/tcp/9097' }, {
      env: { CLUSTER_PINSVCAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/19097', CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/1' }
    })
    expect(cfg.httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/19097'])
    expect(() => pinSvcApiConfigFromJson({ basic_auth_credentials: {} })).toThrow(new RestApiConfigError('pinsvcapi.basic_auth_creds should be null or have at least one entry'))
    expect(() => createPinSvcApiApp(new FakeCluster(), { maxHeaderBytes: 10 })).toThrow('pinsvcapi.max_header_bytes must be not less then 4096')
  })
})

describe('codecs', () => {
  it('omit empty name, origins and meta; meta keys sorted as a Go map', () => {
    const cid = parseCid(C1)
    expect(stringifyJson(encodePinSvcPin({ cid, name: '', origins: [], meta: {} }))).toBe(`{"cid":"${C1}"}`)
    const origin = parseMultiaddr(`/ip4/203.0.113.5/tcp/4001/p2p/${I1}`)
    expect(stringifyJson(encodePinSvcPin({ cid, name: 'n', origins: [origin], meta: { z: '1', a: '2' } })))
      .toBe(`{"cid":"${C1}","name":"n","origins":["${origin}"],"meta":{"a":"2","z":"1"}}`)
  })

  it('PinStatus round-trips; delegates are always an array', () => {
    const status = { requestId: C1, status: 'failed' as const, created: Timestamp.parse('2025-03-01T12:34:56.5+01:00'), pin: { cid: parseCid(C1), name: '', origins: [], meta: {} }, delegates: [] }
    const json = stringifyJson(encodePinSvcPinStatus(status))
    expect(json).toContain('"delegates":[]')
    const back = decodePinSvcPinStatus(JSON.parse(json))
    expect(stringifyJson(encodePinSvcPinStatus(back))).toBe(json)
    expect(back.created.equals(status.created)).toBe(true)
  })
})

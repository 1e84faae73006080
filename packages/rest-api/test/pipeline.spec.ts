import { describe, expect, it } from 'vitest'
import { makeApp } from './helpers.ts'
import { C1, Q1 } from '@cluster/test-utils'

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}
import { signToken } from '../src/index.ts'
import { parsePinTypeFilter } from '@cluster/api'

const basic = (u: string, p: string): string => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64')

describe('router: 404, 405, redirects', () => {
  it('unknown paths are JSON 404, the root too', async () => {
    const { app } = makeApp()
    for (const path of ['/nope', '/', '/pins/a/b/c', '/monitor']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(await res.text()).toBe('{"code":404,"message":"not found"}\n')
    }
  })

  it('wrong methods on known paths are 405 with an empty body and no JSON type', async () => {
    const { app } = makeApp()
    for (const [method, path] of [['PUT', '/id'], ['POST', '/id'], ['DELETE', '/version'], ['GET', `/pins/ipfs/${Q1}`],
      ['GET', '/pins/x/recover'], ['PATCH', '/pins'], ['POST', '/health'], ['GET', '/token'], ['OPTIONS', '/id'], ['HEAD', '/id']]) {
      const res = await app.request(path!, { method })
      expect(res.status, `${method} ${path}`).toBe(405)
      expect(await res.text()).toBe('')
      expect(res.headers.get('content-type')).toBeNull()
    }
  })

  it('keeps the older names as aliases: /pinlist, POST /pins/sync, POST /pins/{cid}/sync', async () => {
    const { app, fake } = makeApp()
    const pinned = await app.request(`/pins/${C1}`, { method: 'POST' })
    expect(pinned.status, await pinned.clone().text()).toBe(200)
    const list = await app.request('/pinlist')
    expect(list.status).toBe(200)
    const pins = (await list.text()).trim().split('\n').map(l => JSON.parse(l) as { cid: string })
    expect(pins.map(p => p.cid)).toEqual([...(await collect(fake.allocations(parsePinTypeFilter(''))))].map(p => p.cid.toString()))

    const syncAll = await app.request('/pins/sync', { method: 'POST' })
    expect(syncAll.status).toBe(200)
    expect((await syncAll.text()).trim().split('\n').map(l => (JSON.parse(l) as { cid: string }).cid)).toContain(C1)

    const one = await app.request(`/pins/${C1}/sync`, { method: 'POST' })
    expect(one.status).toBe(200)
    expect(((await one.json()) as { cid: string }).cid).toBe(C1)
    expect((await app.request('/pins/not-a-cid/sync', { method: 'POST' })).status).toBe(400)
    // GET on the sync path is still route 12 with a bad CID, as in Go.
    expect((await app.request('/pins/sync')).status).toBe(400)
  })

  it('a trailing slash is a 307 to the same URL without it, query kept', async () => {
    const { app } = makeApp()
    const res = await app.request('/pins/?cids=a,b', { method: 'POST' })
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe('/pins?cids=a,b')
    const get = await app.request('/id/')
    expect(get.headers.get('location')).toBe('/id')
    expect(await get.text()).toBe('<a href="/id">Temporary Redirect</a>.\n\n')
  })

  it('double slashes are a 301 to the cleaned path', async () => {
    const { app } = makeApp()
    const res = await app.request('/pins//recover?local=true', { method: 'POST' })
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toBe('/pins/recover?local=true')
  })

  it('too large headers are 431 with a plain-text body', async () => {
    const { app } = makeApp()
    const res = await app.request('/id', { headers: { 'X-Big': 'a'.repeat(9000) } })
    expect(res.status).toBe(431)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await res.text()).toBe('431 Request Header Fields Too Large')
    expect((await app.request('/id', { headers: { 'X-Ok': 'a'.repeat(6000) } })).status).toBe(200)
  })

  it('configured headers go on API responses only', async () => {
    const { app } = makeApp({ headers: { 'X-Custom': ['a', 'b'] } })
    expect((await app.request('/id')).headers.get('x-custom')).toBe('a, b')
    expect((await app.request('/nope')).headers.get('x-custom')).toBe('a, b')
    expect((await app.request('/id', { method: 'PUT' })).headers.get('x-custom')).toBeNull()
  })
})

describe('authentication', () => {
  const creds = { admin: 's3cret', nopass: '' }

  it('POST /token issues Go\'s deterministic HS256 token', async () => {
    const { app } = makeApp({ basicAuthCredentials: creds })
    const res = await app.request('/token', { method: 'POST', headers: { Authorization: basic('admin', 's3cret') } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('{"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhZG1pbiJ9.oiqVSzC-HZvcSSGW97CNzQ07FgIUgfZFkVOYHRrYFCs"}\n')
  })

  it('accepts Basic and Bearer, with the issuer of the token as the user', async () => {
    const { app } = makeApp({ basicAuthCredentials: creds })
    expect((await app.request('/id', { headers: { Authorization: basic('admin', 's3cret') } })).status).toBe(200)
    const token = signToken('admin', 's3cret')
    expect((await app.request('/id', { headers: { Authorization: `bearer ${token}` } })).status).toBe(200)
    const again = await app.request('/token', { method: 'POST', headers: { Authorization: `Bearer ${token}` } })
    expect(await again.json()).toEqual({ token })
  })

  it('answers the three 401 cases with Go\'s headers and messages', async () => {
    const { app } = makeApp({ basicAuthCredentials: creds })
    const denied = await app.request('/id', { headers: { Authorization: basic('admin', 'wrong'), Origin: 'http://x.org' } })
    expect(denied.status).toBe(401)
    expect(denied.headers.get('www-authenticate')).toBe('Basic realm="Restricted IPFS Cluster API"')
    expect(await denied.text()).toBe('{"code":401,"message":"unauthorized: access denied"}\n')
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
    const empty = await app.request('/id', { headers: { Authorization: basic('nopass', '') } })
    expect(((await empty.json()) as { message: string }).message).toBe('unauthorized: access denied')
    const badToken = await app.request('/id', { headers: { Authorization: `Bearer ${signToken('admin', 'other')}` } })
    expect(badToken.headers.get('www-authenticate')).toBe('Bearer realm="Restricted IPFS Cluster API", error="invalid_token"')
    expect(((await badToken.json()) as { message: string }).message).toBe('unauthorized: invalid token')
    for (const header of [undefined, 'Digest x', 'Basic !!!']) {
      const none = await app.request('/pins', { headers: header === undefined ? {} : { Authorization: header } })
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="Restricted IPFS Cluster API", Basic realm="Restricted IPFS Cluster API"')
      expect(await none.text()).toBe('{"code":401,"message":"unauthorized: no auth provided"}\n')
    }
  })

  it('expired or not-yet-valid tokens are refused; non-HMAC algorithms too', async () => {
    const { app } = makeApp({ basicAuthCredentials: creds })
    const { createHmac } = await import('node:crypto')
    const make = (header: object, claims: object): string => {
      const h = Buffer.from(JSON.stringify(header)).toString('base64url')
      const p = Buffer.from(JSON.stringify(claims)).toString('base64url')
      return `${h}.${p}.${createHmac('sha256', 's3cret').update(`${h}.${p}`).digest('base64url')}`
    }
    const now = Date.parse('2025-03-01T12:00:00Z') / 1000
    const ok = make({ alg: 'HS256', typ: 'JWT' }, { iss: 'admin', exp: now + 60 })
    expect((await app.request('/id', { headers: { Authorization: `Bearer ${ok}` } })).status).toBe(200)
    for (const t of [make({ alg: 'HS256' }, { iss: 'admin', exp: now - 1 }), make({ alg: 'HS256' }, { iss: 'admin', nbf: now + 60 }),
      make({ alg: 'none' }, { iss: 'admin' }), make({ alg: 'HS256' }, { iss: 'nobody' }), 'a.b', 'x.y.z']) {
      expect((await app.request('/id', { headers: { Authorization: `Bearer ${t}` } })).status).toBe(401)
    }
  })

  it('GET /health and OPTIONS bypass authentication; other methods on /health do not', async () => {
    const { app } = makeApp({ basicAuthCredentials: creds })
    expect((await app.request('/health')).status).toBe(204)
    expect((await app.request('/id', { method: 'OPTIONS' })).status).toBe(405)
    expect((await app.request('/health', { method: 'POST' })).status).toBe(401)
    expect((await app.request('/health', { method: 'POST', headers: { Authorization: basic('admin', 's3cret') } })).status).toBe(405)
  })

  it('POST /token without configured credentials is 401 "unauthorized"', async () => {
    const { app } = makeApp()
    const res = await app.request('/token', { method: 'POST' })
    expect(res.status).toBe(401)
    expect(await res.text()).toBe('{"code":401,"message":"unauthorized"}\n')
  })
})

describe('CORS', () => {
  it('pre-flights are 204 whatever the path, with allow headers only when allowed', async () => {
    const { app } = makeApp()
    const ok = await app.request('/anything', { method: 'OPTIONS', headers: { Origin: 'http://a.org', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'Content-Type' } })
    expect(ok.status).toBe(204)
    expect(ok.headers.get('vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
    expect(ok.headers.get('access-control-allow-origin')).toBe('*')
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET')
    expect(ok.headers.get('access-control-allow-headers')).toBe('Content-Type')
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true')
    expect(ok.headers.get('access-control-max-age')).toBeNull()
    const post = await app.request('/pins', { method: 'OPTIONS', headers: { Origin: 'http://a.org', 'Access-Control-Request-Method': 'POST' } })
    expect(post.status).toBe(204)
    expect(post.headers.get('access-control-allow-origin')).toBeNull()
    const auth = await app.request('/pins', { method: 'OPTIONS', headers: { Origin: 'http://a.org', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'Authorization' } })
    expect(auth.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('actual requests get Vary always and allow/expose headers for allowed origins and methods', async () => {
    const { app } = makeApp()
    const get = await app.request('/id', { headers: { Origin: 'http://a.org' } })
    expect(get.headers.get('vary')).toBe('Origin')
    expect(get.headers.get('access-control-allow-origin')).toBe('*')
    expect(get.headers.get('access-control-expose-headers')).toBe('Content-Type, X-Stream-Output, X-Chunked-Output, X-Content-Length')
    const post = await app.request(`/pins/${Q1}`, { method: 'POST', headers: { Origin: 'http://a.org' } })
    expect(post.status).toBe(200)
    expect(post.headers.get('access-control-allow-origin')).toBeNull()
    expect(post.headers.get('vary')).toBe('Origin')
  })

  it('configured origins: exact and one-wildcard matching, origin echoed, max age', async () => {
    const { app } = makeApp({ corsAllowedOrigins: ['https://*.example.org', 'http://Exact.com'], corsAllowedMethods: ['GET', 'post'], corsMaxAge: 600_000_000_000n })
    const sub = await app.request('/id', { headers: { Origin: 'https://a.b.example.org' } })
    expect(sub.headers.get('access-control-allow-origin')).toBe('https://a.b.example.org')
    const exact = await app.request('/id', { headers: { Origin: 'http://exact.com' } })
    expect(exact.headers.get('access-control-allow-origin')).toBe('http://exact.com')
    const other = await app.request('/id', { headers: { Origin: 'https://evil.org' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const pre = await app.request('/id', { method: 'OPTIONS', headers: { Origin: 'https://x.example.org', 'Access-Control-Request-Method': 'POST' } })
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST')
    expect(pre.headers.get('access-control-max-age')).toBe('600')
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import { request } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCid } from '@cluster/api'
import {
  RestApiServer, restApiConfigFromJson, restApiConfigToJson, defaultRestApiConfig, RestApiConfigError, RestApiStartError
} from '../src/index.ts'
import { startServer, seed } from './helpers.ts'
import { FakeCluster, C1, C2, Q1 } from '@cluster/test-utils'

interface Raw { status: number, headers: Record<string, string | string[] | undefined>, body: string, trailers: string[] }

function raw (opts: { port?: number, socketPath?: string, path: string, method?: string, headers?: Record<string, string>, tls?: boolean, body?: string }): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const fn = opts.tls === true ? httpsRequest : request
    const req = fn({
      host: '127.0.0.1', port: opts.port, socketPath: opts.socketPath, path: opts.path, method: opts.method ?? 'GET',
      headers: opts.headers, rejectUnauthorized: false, agent: false
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const trailers: string[] = []
        for (let i = 0; i < res.rawTrailers.length; i += 2) if (res.rawTrailers[i] === 'X-Stream-Error') trailers.push(res.rawTrailers[i + 1]!)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), trailers })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

const servers: RestApiServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(async (s) => { await s.stop() }))
})

async function start (config: Parameters<typeof startServer>[0] = {}, fake = new FakeCluster()): Promise<Awaited<ReturnType<typeof startServer>>> {
  const s = await startServer(config, fake)
  servers.push(s.server)
  return s
}

describe('RestApiServer over node:http', () => {
  it('binds port 0 and reports the real address', async () => {
    const { port, multiaddr, url } = await start()
    expect(port).toBeGreaterThan(0)
    expect(multiaddr).toBe(`/ip4/127.0.0.1/tcp/${port}`)
    expect(url).toBe(`http://127.0.0.1:${port}`)
    expect((await raw({ port, path: '/version' })).body).toBe('{"version":"1.1.6"}\n')
  })

  it('streams use chunked encoding with a real X-Stream-Error trailer', async () => {
    const fake = new FakeCluster()
    seed(fake)
    const { port } = await start({}, fake)
    const ok = await raw({ port, path: '/allocations' })
    expect(ok.status).toBe(200)
    expect(ok.headers['transfer-encoding']).toBe('chunked')
    expect(ok.headers.trailer).toBe('X-Stream-Error')
    expect(ok.trailers).toEqual([''])
    await fake.pin(parseCid(Q1), { ...(await fake.allocation(parseCid(C1))), pinUpdate: undefined })
    fake.failAfter.set('allocations', [1, 'boom\nwith newline ✓'])
    const failed = await raw({ port, path: '/allocations' })
    expect(failed.body.split('\n').filter(Boolean)).toHaveLength(1)
    expect(failed.trailers.map((t) => Buffer.from(t, 'latin1').toString('utf8'))).toEqual(['boom with newline ✓'])
  })

  it('several producer errors become several trailer lines', async () => {
    const fake = new FakeCluster()
    seed(fake)
    fake.failures.set(`status:${C2}`, 'e1')
    fake.failures.set(`status:${Q1}`, 'e2')
    const { port } = await start({}, fake)
    const res = await raw({ port, path: `/pins?local=false&filter=&cids=${C2},${C1},${Q1}` })
    expect(res.status).toBe(200)
    expect(res.trailers[0]).toBe('')
    expect(res.trailers.slice(1).sort()).toEqual(['e1', 'e2'])
  })

  it('oversize headers get 431 from the HTTP parser, bad requests 400, the server keeps serving', async () => {
    const { port } = await start()
    const big = await raw({ port, path: '/id', headers: { 'X-Big': 'a'.repeat(20_000) } })
    expect(big.status).toBe(431)
    expect(big.body).toBe('431 Request Header Fields Too Large')
    const garbage = await new Promise<string>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => { sock.write('NOT HTTP AT ALL\r\n\r\n') })
      let data = ''
      sock.on('data', (d) => { data += d.toString() })
      sock.on('close', () => { resolve(data) })
    })
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request/)
    expect((await raw({ port, path: '/id' })).status).toBe(200)
  })

  it('HTTP/1.0 clients get the stream without trailers (no chunked encoding)', async () => {
    const fake = new FakeCluster()
    seed(fake)
    const { port } = await start({}, fake)
    const text = await new Promise<string>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => { sock.write('GET /allocations HTTP/1.0\r\nHost: x\r\n\r\n') })
      let data = ''
      sock.on('data', (d) => { data += d.toString() })
      sock.on('close', () => { resolve(data) })
    })
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(text).not.toMatch(/trailer/i)
    expect(text.endsWith(`"cid":"${C1}","type":"pin","allocations":[],"max_depth":-1,"reference":null,"timestamp":"2025-03-01T12:34:56+01:00"}\n`)).toBe(true)
  })

  it('dot segments in the raw path get a 301 to the cleaned path', async () => {
    const { port } = await start()
    const res = await raw({ port, path: '/pins/../id?x=1' })
    expect(res.status).toBe(301)
    expect(res.headers.location).toBe('/id?x=1')
  })

  it('serves HTTPS with the configured certificate (paths relative to the config folder)', async () => {
    const { port } = await start({ configDir: join(import.meta.dirname, 'fixtures'), sslCertFile: 'server.crt', sslKeyFile: 'server.key' })
    const res = await raw({ port, path: '/version', tls: true })
    expect(res.body).toBe('{"version":"1.1.6"}\n')
    await expect(raw({ port, path: '/version' })).rejects.toThrow()
  })

  it('listens on a Unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restapi-'))
    try {
      const sock = join(dir, 'api.sock')
      const s = await start({ httpListenMultiaddress: [`/unix${sock}`] })
      expect(s.multiaddr).toBe(`/unix${sock}`)
      expect((await raw({ socketPath: sock, path: '/version' })).body).toBe('{"version":"1.1.6"}\n')
    } finally {
      await Promise.all(servers.splice(0).map(async (s) => { await s.stop() }))
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('writes an access log in common log format to http_log_file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restapi-log-'))
    try {
      const { port, server } = await start({ configDir: dir, httpLogFile: 'access.log' })
      await raw({ port, path: '/version' })
      await raw({ port, path: '/nope', headers: { Authorization: 'Basic ' + Buffer.from('ann:pw').toString('base64') } })
      await server.stop()
      const lines = readFileSync(join(dir, 'access.log'), 'utf8').trim().split('\n')
      expect(lines[0]).toMatch(/^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/version HTTP\/1\.1" 200 20$/)
      expect(lines[1]).toMatch(/ - ann \[.*\] "GET \/nope HTTP\/1\.1" 404 35$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('start fails clearly on a bad address or unreadable TLS files; start twice is refused', async () => {
    await expect(new RestApiServer(new FakeCluster(), { httpListenMultiaddress: ['/ip4/127.0.0.1/udp/1'] }).start()).rejects.toThrow(RestApiStartError)
    await expect(new RestApiServer(new FakeCluster(), { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], sslCertFile: '/nope.crt', sslKeyFile: '/nope.key' }).start())
      .rejects.toThrow(/Error loading TLS/)
    const { server } = await start()
    await expect(server.start()).rejects.toThrow(/cannot start/)
  })
})

describe('restapi configuration', () => {
  it('defaults are what init writes', () => {
    expect(restApiConfigToJson(defaultRestApiConfig())).toEqual({
      http_listen_multiaddress: '/ip4/127.0.0.1/tcp/9094',
      read_timeout: '0s',
      read_header_timeout: '5s',
      write_timeout: '0s',
      idle_timeout: '2m0s',
      max_header_bytes: 4096,
      basic_auth_credentials: null,
      http_log_file: '',
      headers: {},
      cors_allowed_origins: ['*'],
      cors_allowed_methods: ['GET'],
      cors_allowed_headers: [],
      cors_exposed_headers: ['Content-Type', 'X-Stream-Output', 'X-Chunked-Output', 'X-Content-Length'],
      cors_allow_credentials: true,
      cors_max_age: '0s'
    })
  })

  it('loads JSON with Go rules and round-trips', () => {
    const json = restApiConfigToJson(defaultRestApiConfig())
    expect(restApiConfigToJson(restApiConfigFromJson(json))).toEqual(json)
    const cfg = restApiConfigFromJson({ max_header_bytes: 0, http_listen_multiaddress: ['/ip4/0.0.0.0/tcp/1', '/unix/tmp/s'], read_timeout: '' })
    expect(cfg.maxHeaderBytes).toBe(4096)
    expect(cfg.httpListenMultiaddress).toHaveLength(2)
    expect(cfg.readHeaderTimeout).toBe(5_000_000_000n)
    expect(cfg.corsAllowedOrigins).toEqual([])
    expect(cfg.corsAllowCredentials).toBe(false)
  })

  it('validates with Go messages', () => {
    expect(() => restApiConfigFromJson({ basic_auth_credentials: {} })).toThrow('restapi.basic_auth_creds should be null or have at least one entry')
    expect(() => restApiConfigFromJson({ max_header_bytes: 100 })).toThrow('restapi.max_header_bytes must be not less then 4096')
    expect(() => restApiConfigFromJson({ read_timeout: '-1s' })).toThrow('restapi.read_timeout is invalid')
    expect(() => restApiConfigFromJson({ idle_timeout: '-1s' })).toThrow('restapi.idle_timeout invalid')
    expect(() => restApiConfigFromJson({ idle_timeout: 'soon' })).toThrow(/^error parsing restapi\.idle_timeout: /)
    expect(() => restApiConfigFromJson({ ssl_cert_file: 'a' })).toThrow(new RestApiConfigError('restapi: missing TLS configuration'))
    expect(() => restApiConfigFromJson({ id: '12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW' })).toThrow('all ID, private_key and libp2p_listen_multiaddress should be set')
    expect(() => restApiConfigFromJson({ id: 'nope' })).toThrow(/^error parsing restapi\.ID: /)
    expect(() => restApiConfigFromJson({ http_listen_multiaddress: '/ip4/1.2.3' })).toThrow(/^error parsing restapi\.http_listen_multiaddress: /)
  })

  it('keeps multiaddresses and peer IDs in canonical form', () => {
    const cfg = restApiConfigFromJson({ http_listen_multiaddress: '/ip4/127.0.0.1/tcp/9094/p2p/bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe' })
    expect(cfg.httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9094/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'])
  })

  it('applies CLUSTER_RESTAPI_* environment overrides', () => {
    const cfg = restApiConfigFromJson({}, {
      env: {
        CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: 'user1:pass1,user2:pass2',
        CLUSTER_RESTAPI_CORSALLOWEDORIGINS: 'a,b',
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/1234',
        CLUSTER_RESTAPI_CORSALLOWCREDENTIALS: 'T',
        CLUSTER_RESTAPI_MAXHEADERBYTES: '8192'
      }
    })
    expect(cfg.basicAuthCredentials).toEqual({ user1: 'pass1', user2: 'pass2' })
    expect(cfg.corsAllowedOrigins).toEqual(['a', 'b'])
    expect(cfg.httpListenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/1234'])
    expect(cfg.corsAllowCredentials).toBe(true)
    expect(cfg.maxHeaderBytes).toBe(8192)
    expect(() => restApiConfigFromJson({}, { env: { CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: 'nocolon' } })).toThrow(/invalid map item/)
  })
})

/**
 * RestClient against the real RestApiServer (backed by the fake cluster of @cluster/rest-api's
 * tests), over TCP, TLS and a Unix socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultPinOptions, parseCid, parsePeerId, PIN_TYPE_BITS, TRACKER_STATUS_BITS, encodePin, stringifyJson } from '@cluster/api'
import { RestApiServer } from '@cluster/rest-api'
import {
  RestClient, RestApiResponseError, RestPinNotFoundError, RestTransportError, urlFromMultiaddr, formatPinTypeFilter
} from '../src/index.ts'
import { FakeCluster, C1, C2, Q1, Q2, P1, P2, P3, T0 } from '@cluster/test-utils'
import { seed, examplePin } from '../../rest-api/test/helpers.ts'

const FIXTURES = join(import.meta.dirname, '../../rest-api/test/fixtures')

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

let server: RestApiServer
let fake: FakeCluster
let client: RestClient

beforeAll(async () => {
  fake = new FakeCluster()
  seed(fake)
  server = new RestApiServer(fake, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] }, { now: () => T0 })
  const addr = await server.start()
  client = new RestClient({ host: addr.multiaddr })
})

afterAll(async () => {
  client.close()
  await server.stop()
})

describe('RestClient', () => {
  it('id, version, peers', async () => {
    expect((await client.id()).id).toBe(P1)
    expect(await client.version()).toEqual({ version: '1.1.6' })
    expect((await collect(client.peers())).map((p) => p.id)).toEqual([P1, P2])
  })

  it('pin, allocations, status, unpin by CID and by path', async () => {
    const pin = await client.pin(parseCid(Q1), { ...defaultPinOptions(), name: 'n', replicationFactorMin: 1, replicationFactorMax: 2, metadata: { a: 'b' } })
    expect(pin).toMatchObject({ name: 'n', allocations: [P1, P2], metadata: { a: 'b' } })
    const byPath = await client.pinPath(`/ipfs/${C2}`, { ...defaultPinOptions(), mode: 'direct' })
    expect(byPath.maxDepth).toBe(0)
    expect(stringifyJson(encodePin(await client.allocation(parseCid(C1))))).toBe(stringifyJson(encodePin(examplePin())))
    const all = await collect(client.allocations(PIN_TYPE_BITS.all))
    expect(all.map((p) => p.cid.toString()).sort()).toEqual([C1, C2, Q1].sort())
    expect(await collect(client.allocations(PIN_TYPE_BITS['meta-pin']))).toEqual([])
    const st = await client.status(parseCid(Q1), { local: true })
    expect(Object.keys(st.peerMap ?? {})).toEqual([P1])
    const some = await collect(client.statusAll(0, { cids: [parseCid(C1), parseCid(Q2)] }))
    expect(some.map((g) => g.cid.toString()).sort()).toEqual([C1, Q2].sort())
    const pinned = await collect(client.statusAll(TRACKER_STATUS_BITS.pinned))
    expect(pinned).toHaveLength(3)
    expect((await client.unpinPath(`/ipfs/${C2}`)).cid.toString()).toBe(C2)
    expect((await client.unpin(parseCid(Q1))).name).toBe('n')
  })

  it('errors are named and carry {code, message}', async () => {
    const notFound = await client.allocation(parseCid(Q2)).catch((e: unknown) => e)
    expect(notFound).toBeInstanceOf(RestPinNotFoundError)
    expect((notFound as RestPinNotFoundError).body).toEqual({ code: 404, message: 'pin is not part of the pinset' })
    const bad = await client.pin(parseCid(Q2), { ...defaultPinOptions(), replicationFactorMin: 3, replicationFactorMax: 2 }).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(RestApiResponseError)
    expect((bad as RestApiResponseError).status).toBe(500)
    const down = await new RestClient({ url: 'http://127.0.0.1:1' }).version().catch((e: unknown) => e)
    expect(down).toBeInstanceOf(RestTransportError)
    expect((down as RestTransportError).body.code).toBe(0)
  })

  it('stream trailer errors fail the iteration after the delivered items', async () => {
    await fake.pin(parseCid(Q1), { ...defaultPinOptions() })
    fake.failAfter.set('allocations', [1, 'state read failed'])
    const seen: string[] = []
    const err = await (async () => { for await (const p of client.allocations()) seen.push(p.cid.toString()) })().catch((e: unknown) => e)
    fake.failAfter.clear()
    expect(seen).toHaveLength(1)
    expect(err).toBeInstanceOf(RestApiResponseError)
    expect((err as RestApiResponseError).body).toEqual({ code: 500, message: 'state read failed' })
    fake.failures.set(`status:${Q2}`, 'e1')
    fake.failures.set(`status:${C2}`, 'e2')
    const both = await collect(client.statusAll(0, { cids: [parseCid(Q2), parseCid(C2)] })).catch((e: unknown) => e)
    expect((both as RestApiResponseError).body.code).toBe(500)
    fake.failures.clear()
  })

  it('a stream split inside UTF-8 characters, with CRLF and blank lines and a last line without a newline', async () => {
    const { createServer } = await import('node:http')
    const pins = [Q1, C1, Q2].map((cid, i) => encodePin({ ...examplePin(), cid: parseCid(cid), name: `ünïcödé ${i} 📌` }))
    const bytes = Buffer.from(`${stringifyJson(pins[0])}\r\n\n  \n${stringifyJson(pins[1])}\n${stringifyJson(pins[2])}`)
    // Cut after the first byte of every multi-byte character, each piece sent on its own.
    const cuts = [0]
    for (let i = 1; i < bytes.length; i++) if ((bytes[i]! & 0xc0) === 0x80 && (bytes[i - 1]! & 0xc0) !== 0x80) cuts.push(i)
    cuts.push(bytes.length)
    const raw = createServer((_req, res) => {
      res.socket?.setNoDelay(true)
      res.writeHead(200, { 'Content-Type': 'application/json' })
      let k = 0
      const next = (): void => {
        if (k === cuts.length - 1) { res.end(); return }
        res.write(bytes.subarray(cuts[k], cuts[++k]), () => { setTimeout(next, 3) })
      }
      next()
    })
    await new Promise<void>((resolve) => { raw.listen(0, '127.0.0.1', resolve) })
    const port = (raw.address() as { port: number }).port
    const c = new RestClient({ url: `http://127.0.0.1:${port}` })
    try {
      const got = await collect(c.allocations())
      expect(got.map((p) => [p.cid.toString(), p.name])).toEqual([[Q1, 'ünïcödé 0 📌'], [C1, 'ünïcödé 1 📌'], [Q2, 'ünïcödé 2 📌']])
    } finally {
      c.close()
      await new Promise((resolve) => { raw.close(resolve) })
    }
  })

  it('recover, peers add/remove, gc, health, metrics', async () => {
    fake.statuses.set(C1, new Map([[P2, 'pin_error']]))
    expect((await client.recover(parseCid(C1))).peerMap?.[P2]?.status).toBe('pin_queued')
    fake.statuses.set(C1, new Map([[P2, 'pin_error']]))
    expect(await collect(client.recoverAll())).toHaveLength(1)
    fake.statuses.clear()
    expect((await client.peerAdd(parsePeerId(P3))).id).toBe(P3)
    await client.peerRemove(parsePeerId(P3))
    expect(Object.keys((await client.repoGc({ local: true })).peerMap ?? {})).toEqual([P1])
    expect((await client.connectGraph()).clusterId).toBe(P1)
    expect((await client.alerts())[0]?.peer).toBe(P2)
    expect(await client.bandwidth()).toMatchObject({ '/ipfscluster/1.0/rpc': { totalIn: 482113 } })
    expect((await client.metrics('freespace')).map((m) => m.peer)).toEqual([P1, P2])
    expect(await client.metricNames()).toEqual(['freespace', 'ping', 'pinqueue', 'tag:group'])
    await expect(client.health()).resolves.toBeUndefined()
  })

  it('helpers: multiaddr URLs and pin-type filters', () => {
    expect(urlFromMultiaddr('/ip4/1.2.3.4/tcp/9094')).toBe('http://1.2.3.4:9094')
    expect(urlFromMultiaddr('/ip6/::1/tcp/9094', true)).toBe('https://[::1]:9094')
    expect(formatPinTypeFilter(PIN_TYPE_BITS.pin | PIN_TYPE_BITS['meta-pin'])).toBe('pin,meta-pin')
    expect(formatPinTypeFilter(PIN_TYPE_BITS.all)).toBe('all')
  })
})

describe('RestClient auth, TLS and Unix sockets', () => {
  it('basic auth, token round trip, TLS with a CA, and 401 errors', async () => {
    const s = new RestApiServer(new FakeCluster(), {
      httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], configDir: FIXTURES, sslCertFile: 'server.crt', sslKeyFile: 'server.key',
      basicAuthCredentials: { admin: 's3cret' }
    })
    const addr = await s.start()
    const ca = readFileSync(join(FIXTURES, 'server.crt'))
    try {
      const basic = new RestClient({ url: addr.url, username: 'admin', password: 's3cret', tls: { ca } })
      const token = await basic.token()
      expect(token).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhZG1pbiJ9.oiqVSzC-HZvcSSGW97CNzQ07FgIUgfZFkVOYHRrYFCs')
      const bearer = new RestClient({ url: addr.url, token, tls: { ca } })
      expect((await bearer.id()).id).toBe(P1)
      const anon = new RestClient({ url: addr.url, tls: { rejectUnauthorized: false } })
      await expect(anon.health()).resolves.toBeUndefined()
      const err = await anon.id().catch((e: unknown) => e)
      expect((err as RestApiResponseError).body).toEqual({ code: 401, message: 'unauthorized: no auth provided' })
      for (const c of [basic, bearer, anon]) c.close()
    } finally {
      await s.stop()
    }
  })

  it('talks over a Unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restclient-'))
    const sock = join(dir, 'api.sock')
    const s = new RestApiServer(new FakeCluster(), { httpListenMultiaddress: [`/unix${sock}`] })
    try {
      await s.start()
      const c = new RestClient({ host: `/unix${sock}` })
      expect(await c.version()).toEqual({ version: '1.1.6' })
      c.close()
    } finally {
      await s.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

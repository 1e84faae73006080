/**
 * Bounded memory under bursts: concurrent listings share one pass over the statuses (the Pinning
 * Service API's `GET /pins` and the REST `GET /pins`), the pinning-service list is capped and
 * streamed, limited classes answer 429 with `Retry-After` beyond their turn and queue, bodies
 * announced over `max_body_bytes` are refused before they are read.
 */
import { request as httpRequest, Agent } from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Timestamp } from '@cluster/api'
import type { ClusterApi, GlobalPinInfo, LocalOption, Pin, PinTypeFilter, RequestLimits, RequestOptions, TrackerStatusFilter } from '@cluster/api'
import { FakeCluster, examplePin, syntheticCid } from '@cluster/test-utils'
import { MAX_LIST_LIMIT, PinSvcApiServer, RestApiServer, parseListQuery } from '../src/index.ts'
import type { RestApiConfig } from '../src/index.ts'

const servers: RestApiServer[] = []
afterEach(async () => { await Promise.all(servers.splice(0).map(async s => { await s.stop() })) })

/**
 * A FakeCluster with `n` pins (distinct creation times) that counts listings, can hold them, and
 * makes each status listing take `delayMs` (as a fan-out to the peers takes time).
 */
class CountingCluster extends FakeCluster {
  statusAllCalls = 0
  allocationsCalls = 0
  /** Status listings running now, and the most at once. */
  activeStatusAll = 0
  maxActiveStatusAll = 0
  delayMs = 0
  gate: Promise<void> | undefined

  constructor (n: number) {
    super()
    for (let i = 0; i < n; i++) {
      const cid = syntheticCid(i)
      this.pins.set(cid.toString(), { ...examplePin(), cid, name: `pin-${i}`, timestamp: Timestamp.fromUnixNanos(BigInt(1_700_000_000 + i) * 1_000_000_000n) })
    }
  }

  override statusAll (filter: TrackerStatusFilter, opts: LocalOption = {}): AsyncIterable<GlobalPinInfo> {
    this.statusAllCalls++
    const inner = super.statusAll(filter, opts)
    const gate = this.gate
    const self = this
    return (async function * () {
      self.maxActiveStatusAll = Math.max(self.maxActiveStatusAll, ++self.activeStatusAll)
      try {
        await gate
        await new Promise(resolve => setTimeout(resolve, self.delayMs))
        yield * inner
      } finally {
        self.activeStatusAll--
      }
    })()
  }

  override allocations (filter: PinTypeFilter, opts?: RequestOptions): AsyncIterable<Pin> {
    this.allocationsCalls++
    const inner = super.allocations(filter, opts)
    const gate = this.gate
    return (async function * () {
      await gate
      yield * inner
    })()
  }
}

/**
 * node:http counts the header timeout from the accept, so on a loaded machine a connection of a
 * 1,000-request burst can wait in the kernel past the default 5 s and be cut: these tests are
 * about listings, not header timeouts (header-timeout.spec.ts), so the servers allow 2 minutes.
 */
const BURST_HEADER_TIMEOUT = 120_000_000_000n

async function start (kind: 'rest' | 'pinsvc', cluster: ClusterApi, config: Partial<RestApiConfig> = {}, limits?: Partial<RequestLimits>): Promise<{ port: number, url: string }> {
  const Server = kind === 'rest' ? RestApiServer : PinSvcApiServer
  const server = new Server(cluster, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], readHeaderTimeout: BURST_HEADER_TIMEOUT, ...config }, limits === undefined ? {} : { limits })
  servers.push(server)
  const a = await server.start()
  return { port: a.port ?? 0, url: a.url }
}

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** `n` GETs at once, each on its own connection. */
async function burst (url: string, n: number): Promise<Answer[]> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity })
  try {
    return await Promise.all(Array.from({ length: n }, async () => await new Promise<Answer>((resolve, reject) => {
      httpRequest(url, { agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }) })
        res.on('error', reject)
      }).on('error', reject).end()
    })))
  } finally {
    agent.destroy()
  }
}

describe('shared listing passes', () => {
  it('1,000 concurrent Pinning Service GET /pins over 3,000 pins share a few passes, each answer capped and streamed', async () => {
    const cluster = new CountingCluster(3000)
    cluster.delayMs = 300
    const { url } = await start('pinsvc', cluster)
    const t0 = performance.now()
    const answers = await burst(`${url}/pins?limit=5000`, 1000)
    const seconds = (performance.now() - t0) / 1000
    // One pass at a time; each serves every request that arrived while the previous one ran.
    expect(cluster.maxActiveStatusAll).toBe(1)
    expect(cluster.statusAllCalls).toBeLessThanOrEqual(20)
    expect(seconds).toBeLessThan(30)
    const first = answers[0] as Answer
    expect(first.headers['transfer-encoding']).toBe('chunked')
    const list = JSON.parse(first.body) as { count: number, results: Array<{ requestid: string, created: string, pin: { name: string } }> }
    expect(list.count).toBe(3000)
    expect(list.results).toHaveLength(MAX_LIST_LIMIT)
    expect(list.results[0]?.pin.name).toBe('pin-2999')
    expect(list.results.at(-1)?.pin.name).toBe('pin-2000')
    for (const a of answers) {
      expect(a.status).toBe(200)
      expect(a.body).toBe(first.body)
    }
  }, 60_000)

  it('requests with other filters in the same pass get their own answers', async () => {
    const cluster = new CountingCluster(50)
    const { url } = await start('pinsvc', cluster)
    const [a, b, c] = await Promise.all([
      burst(`${url}/pins?name=pin-7`, 1), burst(`${url}/pins?name=pin-4&match=partial&limit=3`, 1), burst(`${url}/pins?before=${encodeURIComponent(new Date((1_700_000_000 + 10) * 1000).toISOString())}`, 1)
    ])
    expect(JSON.parse(a[0]?.body ?? '')).toMatchObject({ count: 1, results: [{ pin: { name: 'pin-7' } }] })
    const partial = JSON.parse(b[0]?.body ?? '') as { count: number, results: Array<{ pin: { name: string } }> }
    expect(partial.count).toBe(11)
    expect(partial.results.map(r => r.pin.name)).toEqual(['pin-49', 'pin-48', 'pin-47'])
    expect(JSON.parse(c[0]?.body ?? '')).toMatchObject({ count: 10 })
  })

  it('REST GET /pins: concurrent requests for the same filter share a pass; the stream is unchanged', async () => {
    const cluster = new CountingCluster(500)
    const { url } = await start('rest', cluster)
    const single = (await burst(`${url}/pins?local=false&filter=&cids=`, 1))[0] as Answer
    expect(single.body.split('\n').filter(l => l !== '')).toHaveLength(500)
    cluster.statusAllCalls = 0
    cluster.delayMs = 300
    const answers = await burst(`${url}/pins?local=false&filter=&cids=`, 300)
    expect(cluster.maxActiveStatusAll).toBe(1)
    expect(cluster.statusAllCalls).toBeLessThanOrEqual(10)
    for (const a of answers) {
      expect(a.status).toBe(200)
      expect(a.body).toBe(single.body)
    }
  }, 60_000)

  it('`limit` above the Pinning Service API maximum is capped at 1,000', () => {
    expect(parseListQuery(new URLSearchParams('limit=5000')).limit).toBe(MAX_LIST_LIMIT)
    expect(parseListQuery(new URLSearchParams('limit=7')).limit).toBe(7)
  })
})

describe('limits', () => {
  it('a listing beyond its turn and queue is answered 429 with Retry-After; the others are served', async () => {
    const cluster = new CountingCluster(10)
    let open: () => void = () => {}
    cluster.gate = new Promise<void>(resolve => { open = resolve })
    const { url } = await start('rest', cluster, {}, { list: { active: 1, queued: 1 }, retryAfterSeconds: 2 })
    const pending = burst(`${url}/allocations`, 2)
    while (cluster.allocationsCalls < 1) await new Promise(resolve => setTimeout(resolve, 10))
    await new Promise(resolve => setTimeout(resolve, 50))
    const [refused] = await burst(`${url}/allocations`, 1)
    expect(refused?.status).toBe(429)
    expect(refused?.headers['retry-after']).toBe('2')
    expect(JSON.parse(refused?.body ?? '')).toEqual({ code: 429, message: 'too many requests: try again later' })
    open()
    expect((await pending).map(a => a.status)).toEqual([200, 200])
    // The second one ran after the first ended: never two at once.
    expect(cluster.allocationsCalls).toBe(2)
  })

  it('the Pinning Service API refuses with its own error body', async () => {
    const cluster = new CountingCluster(10)
    let open: () => void = () => {}
    cluster.gate = new Promise<void>(resolve => { open = resolve })
    const { url } = await start('pinsvc', cluster, {}, { sharedListings: 2 })
    const pending = burst(`${url}/pins`, 2)
    while (cluster.statusAllCalls < 1) await new Promise(resolve => setTimeout(resolve, 10))
    const [refused] = await burst(`${url}/pins`, 1)
    expect(refused?.status).toBe(429)
    expect(JSON.parse(refused?.body ?? '')).toEqual({ error: { reason: 'too many requests: try again later' } })
    open()
    expect((await pending).map(a => a.status)).toEqual([200, 200])
  })
})

/** Sends `head`, then nothing more; resolves with the status line the server answers (or '' when it closes). */
async function answerTo (port: number, head: string, timeoutMs: number): Promise<{ line: string, ms: number }> {
  const t0 = performance.now()
  return await new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    let got = ''
    const done = (): void => { clearTimeout(timer); socket.destroy(); resolve({ line: got.split('\r\n')[0] ?? '', ms: performance.now() - t0 }) }
    const timer = setTimeout(done, timeoutMs)
    socket.on('data', (c: Buffer) => { got += c.toString('latin1'); if (got.includes('\r\n\r\n')) done() })
    socket.on('close', done)
    socket.on('error', done)
    socket.on('connect', () => { socket.write(head) })
  })
}

describe('bodies', () => {
  for (const kind of ['rest', 'pinsvc'] as const) {
    const path = kind === 'rest' ? '/peers' : '/pins'
    it(`${kind}: a body announced over max_body_bytes is refused (413) before it is read`, async () => {
      const { port } = await start(kind, new FakeCluster(), { maxBodyBytes: 1024 })
      const a = await answerTo(port, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n{"a":`, 3_000)
      expect(a.line).toBe('HTTP/1.1 413 Payload Too Large')
    })
  }
})

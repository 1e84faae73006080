/**
 * Bounded memory per burst: whole-pinset listings beyond their turn and queue are answered 429
 * with `Retry-After`, and the non-stream `pin/ls` answer is written as the pins come.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Timestamp, type ClusterApi, type Pin, type RequestLimits } from '@cluster/api'
import { syntheticCid } from '@cluster/test-utils'
import { ProxyServer, type ProxyConfig } from '../src/index.ts'
import { FakeCluster, request } from './helpers.ts'

const proxies: ProxyServer[] = []
afterEach(async () => { await Promise.all(proxies.splice(0).map(async p => { await p.stop() })) })

/** A proxy whose Kubo is not there (intercepted calls still answer; headers from Kubo are skipped). */
async function start (cluster: ClusterApi, config: Partial<ProxyConfig> = {}, limits?: Partial<RequestLimits>): Promise<{ url: string, port: number }> {
  const p = new ProxyServer(cluster, { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: '/ip4/127.0.0.1/tcp/1', ...config }, { stopGraceMs: 200, ...(limits === undefined ? {} : { limits }) })
  proxies.push(p)
  const a = await p.start()
  return { url: a.url, port: a.port ?? 0 }
}

/** The Go tests' fake cluster whose whole-pinset listing waits for `gate`. */
class GatedCluster extends FakeCluster {
  listings = 0
  gate: Promise<void> = Promise.resolve()

  override async * allocations (): AsyncIterable<Pin> {
    this.listings++
    await this.gate
    yield * super.allocations()
  }
}

describe('limits of the proxy', () => {
  it('a whole-pinset pin/ls beyond its turn and queue is answered 429 with Retry-After', async () => {
    const cluster = new GatedCluster()
    let open: () => void = () => {}
    cluster.gate = new Promise<void>(resolve => { open = resolve })
    const { url } = await start(cluster.asApi(), {}, { list: { active: 1, queued: 1 } })
    const pending = Promise.all([request(`${url}/api/v0/pin/ls`), request(`${url}/api/v0/pin/ls?stream=true`)])
    while (cluster.listings < 1) await new Promise(resolve => setTimeout(resolve, 10))
    await new Promise(resolve => setTimeout(resolve, 50))
    const refused = await request(`${url}/api/v0/pin/ls`)
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBe('1')
    expect(JSON.parse(refused.body)).toEqual({ Message: 'too many requests: try again later', Code: 0, Type: 'error' })
    // A listing of one CID does not count.
    expect((await request(`${url}/api/v0/pin/ls?arg=QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq`)).status).toBe(200)
    open()
    expect((await pending).map(a => a.status)).toEqual([200, 200])
  })

  it('the non-stream pin/ls of a big pinset is written as the pins come, and is the same object', async () => {
    const cluster = new FakeCluster()
    for (let i = 0; i < 3000; i++) {
      const cid = syntheticCid(i)
      cluster.pins.set(cid.toString(), { ...(cluster.pins.values().next().value as Pin), cid, mode: i % 2 === 0 ? 'recursive' : 'direct', maxDepth: i % 2 === 0 ? -1 : 0, name: `n${i}`, timestamp: Timestamp.ZERO })
    }
    const { url } = await start(cluster.asApi())
    const a = await request(`${url}/api/v0/pin/ls?names=true`)
    expect(a.status).toBe(200)
    expect(a.headers['transfer-encoding']).toBe('chunked')
    const keys = (JSON.parse(a.body) as { Keys: Record<string, { Type: string, Name: string }> }).Keys
    expect(Object.keys(keys)).toHaveLength(cluster.pins.size)
    expect(keys[syntheticCid(1).toString()]).toEqual({ Type: 'direct', Name: 'n1' })
    expect(keys[syntheticCid(2).toString()]).toEqual({ Type: 'recursive', Name: 'n2' })
    const none = await request(`${url}/api/v0/pin/ls?type=indirect`)
    expect(JSON.parse(none.body)).toEqual({ Keys: {} })
  })
})

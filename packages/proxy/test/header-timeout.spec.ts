/**
 * `read_header_timeout` holds on the proxy: a client that sends its headers slowly is cut about
 * when the timeout says (node:http's default check every 30 s let it stay ~24 s past 5 s).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ProxyServer } from '../src/index.ts'
import { slowHeaderClientLifetime } from '@cluster/test-utils'
import { FakeCluster } from './helpers.ts'

const proxies: ProxyServer[] = []
afterEach(async () => { await Promise.all(proxies.splice(0).map(async p => { await p.stop() })) })

describe('header timeout of the proxy', () => {
  it('read_header_timeout holds: a client sending its headers slowly is cut within about a second of it', async () => {
    const p = new ProxyServer(new FakeCluster().asApi(), { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: '/ip4/127.0.0.1/tcp/1', readHeaderTimeoutMs: 1_000 }, { stopGraceMs: 200 })
    proxies.push(p)
    const { port } = await p.start()
    const lived = await slowHeaderClientLifetime(port ?? 0, 'POST /api/v0/pin/ls HTTP/1.1', 15_000)
    expect(lived).toBeGreaterThan(900)
    expect(lived).toBeLessThan(2_500)
  }, 20_000)
})

/**
 * `read_header_timeout` holds on the REST API and Pinning Service API servers: a client that sends
 * its headers slowly is cut about when the timeout says (node:http checks every fifth of it).
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { FakeCluster } from '@cluster/test-utils'
import { PinSvcApiServer, RestApiServer } from '../src/index.ts'

const servers: RestApiServer[] = []
afterEach(async () => { await Promise.all(servers.splice(0).map(async s => { await s.stop() })) })

/** A client sending one header byte every 200 ms, never finishing: how long the server keeps it. */
async function slowClientLifetime (port: number, capMs: number): Promise<number> {
  const t0 = performance.now()
  return await new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    let ticker: NodeJS.Timeout | undefined
    const done = (): void => { clearInterval(ticker); clearTimeout(cap); socket.destroy(); resolve(performance.now() - t0) }
    const cap = setTimeout(done, capMs)
    socket.on('close', done)
    socket.on('error', done)
    socket.on('data', () => undefined)
    socket.on('connect', () => {
      socket.write('GET /id HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
      ticker = setInterval(() => { socket.write('a') }, 200)
    })
  })
}

describe('header timeouts', () => {
  for (const Server of [RestApiServer, PinSvcApiServer]) {
    it(`${Server.name}: read_header_timeout cuts a client that sends its headers slowly`, async () => {
      const server = new Server(new FakeCluster(), { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], readHeaderTimeout: 1_000_000_000n })
      servers.push(server)
      const { port } = await server.start()
      const lived = await slowClientLifetime(port ?? 0, 10_000)
      expect(lived).toBeGreaterThan(900)
      expect(lived).toBeLessThan(2_500)
    })
  }
})

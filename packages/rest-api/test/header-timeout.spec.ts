/**
 * `read_header_timeout` holds on the REST API and Pinning Service API servers: a client that sends
 * its headers slowly is cut about when the timeout says (node:http checks every fifth of it).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { FakeCluster, slowHeaderClientLifetime } from '@cluster/test-utils'
import { PinSvcApiServer, RestApiServer } from '../src/index.ts'

const servers: RestApiServer[] = []
afterEach(async () => { await Promise.all(servers.splice(0).map(async s => { await s.stop() })) })

describe('header timeouts', () => {
  for (const Server of [RestApiServer, PinSvcApiServer]) {
    it(`${Server.name}: read_header_timeout cuts a client that sends its headers slowly`, async () => {
      const server = new Server(new FakeCluster(), { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], readHeaderTimeout: 1_000_000_000n })
      servers.push(server)
      const { port } = await server.start()
      const lived = await slowHeaderClientLifetime(port ?? 0, 'GET /id HTTP/1.1', 10_000)
      expect(lived).toBeGreaterThan(900)
      expect(lived).toBeLessThan(2_500)
    })
  }
})

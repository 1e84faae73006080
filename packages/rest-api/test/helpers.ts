/** Shared test setup: an app (or a real server) over a FakeCluster. */
import { Timestamp } from '@cluster/api'
import { createPinSvcApiApp, createRestApiApp, PinSvcApiServer, RestApiServer } from '../src/index.ts'
import type { RestApiConfig, RestApiApp } from '../src/index.ts'
import { FakeCluster, C1, T0, examplePin } from '@cluster/test-utils'

export { examplePin }

export const FIXED_NOW = (): Timestamp => T0

export function makeApp (config: Partial<RestApiConfig> = {}): { app: RestApiApp, fake: FakeCluster } {
  const fake = new FakeCluster()
  const app = createRestApiApp(fake, config, { now: FIXED_NOW, clock: { now: () => Date.parse('2025-03-01T12:00:00Z') } })
  return { app, fake }
}

export async function startServer (config: Partial<RestApiConfig> = {}, fake = new FakeCluster()): Promise<{ server: RestApiServer, fake: FakeCluster, url: string, multiaddr: string, port: number }> {
  const server = new RestApiServer(fake, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], ...config }, { now: FIXED_NOW })
  const addr = await server.start()
  return { server, fake, url: addr.url, multiaddr: addr.multiaddr, port: addr.port ?? 0 }
}

/** The Pinning Service API app over a fake cluster (same clocks as makeApp). */
export function makePinSvcApp (config: Partial<RestApiConfig> = {}, fake = new FakeCluster()): { app: RestApiApp, fake: FakeCluster } {
  const app = createPinSvcApiApp(fake, config, { now: FIXED_NOW, clock: { now: () => Date.parse('2025-03-01T12:00:00Z') } })
  return { app, fake }
}

/** A PinSvcApiServer on a random loopback port. */
export async function startPinSvcServer (config: Partial<RestApiConfig> = {}, fake = new FakeCluster()): Promise<{ server: PinSvcApiServer, fake: FakeCluster, url: string, port: number }> {
  const server = new PinSvcApiServer(fake, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], ...config }, { now: FIXED_NOW })
  const addr = await server.start()
  return { server, fake, url: addr.url, port: addr.port ?? 0 }
}

export const EXAMPLE_PIN_JSON = '{"replication_factor_min":-1,"replication_factor_max":-1,"name":"dataset-2025","mode":"recursive","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":{"kind":"text"},"pin_update":null,"origins":[],"cid":"bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa","type":"pin","allocations":[],"max_depth":-1,"reference":null,"timestamp":"2025-03-01T12:34:56+01:00"}'

export function seed (fake: FakeCluster): void {
  fake.pins.set(C1, examplePin())
}


/** Reads an NDJSON body into parsed objects. */
export async function ndjson (res: Response): Promise<unknown[]> {
  const text = await res.text()
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown)
}

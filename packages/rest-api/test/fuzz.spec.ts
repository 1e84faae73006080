/**
 * Random requests against the in-process app: no 5xx unless the fake cluster itself failed
 * during that request (501 for `/add` is the one deliberate exception), no exception, and the
 * app still answers afterwards.
 */
import { describe, expect, it } from 'vitest'
import type { ClusterApi } from '@cluster/api'
import { createRestApiApp } from '../src/index.ts'
import { FakeCluster, C1, Q1, P1, P2 } from '@cluster/test-utils'
import { seed, FIXED_NOW } from './helpers.ts'

/** Deterministic PRNG (mulberry32). */
function rng (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Wraps a cluster so that any failure of any method (promise or stream) is recorded. */
function watched (inner: ClusterApi): { api: ClusterApi, failed: () => boolean, reset: () => void } {
  let failed = false
  const wrapIterable = (it: AsyncIterable<unknown>): AsyncIterable<unknown> => ({
    [Symbol.asyncIterator] () {
      const iter = it[Symbol.asyncIterator]()
      return {
        next: async () => { try { return await iter.next() } catch (err) { failed = true; throw err } },
        return: async () => await (iter.return?.() ?? Promise.resolve({ done: true, value: undefined }))
      }
    }
  })
  const api = new Proxy(inner, {
    get (target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof v !== 'function') return v
      return (...args: unknown[]) => {
        let out: unknown
        try {
          out = (v as (...a: unknown[]) => unknown).apply(target, args)
        } catch (err) { failed = true; throw err }
        if (out instanceof Promise) return out.catch((err: unknown) => { failed = true; throw err })
        if (out !== null && typeof out === 'object' && Symbol.asyncIterator in out) return wrapIterable(out as AsyncIterable<unknown>)
        return out
      }
    }
  })
  return { api, failed: () => failed, reset: () => { failed = false } }
}

const FRAGMENTS = ['id', 'version', 'peers', 'add', 'allocations', 'pins', 'recover', 'ipfs', 'ipns', 'ipld', 'gc', 'health',
  'graph', 'alerts', 'bandwidth', 'monitor', 'metrics', 'token', 'sync', 'pinlist', C1, Q1, P1, 'freespace', 'tag:group',
  '..', '.', '', '%2F', '%zz', '%00', 'caf%C3%A9', 'a'.repeat(300), 'bafy', 'Qm', '12D3KooW', '~!$&\'()*+,;=@']
const KNOWN = ['/id', '/version', '/peers', '/allocations', `/allocations/${C1}`, '/pins', `/pins/${C1}`, `/pins/${Q1}`,
  `/pins/ipfs/${Q1}`, `/pins/${C1}/recover`, '/pins/recover', '/ipfs/gc', '/health/graph', '/health/alerts',
  '/health/bandwidth', '/monitor/metrics', '/monitor/metrics/freespace', '/token', '/health', `/peers/${P2}`]
const METHODS = ['GET', 'GET', 'POST', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'FOO']
const QKEYS = ['local', 'filter', 'cids', 'mode', 'name', 'replication', 'replication-min', 'replication-max', 'shard-size',
  'user-allocations', 'expire-at', 'expire-in', 'meta-', 'meta-k', 'pin-update', 'origins', 'x']
const QVALUES = ['true', 'false', 'True', '1', '', '-1', '3', '99999999999999999999', 'pinned,error', 'all', 'bogus', `${C1},${Q1}`,
  `${C1},zz`, 'direct', '2025-06-01T12:00:00Z', 'yesterday', '90s', '1ms', `/ip4/1.2.3.4/tcp/1/p2p/${P2}`, '/bad', P1, '%', '%E2%9C%93']

describe('fuzz', () => {
  it('3000 random requests never crash the app nor answer 5xx on their own', async () => {
    const fake = new FakeCluster()
    seed(fake)
    const w = watched(fake)
    const app = createRestApiApp(w.api, {
      maxBodyBytes: 64 * 1024,
      basicAuthCredentials: { admin: 's3cret' }
    }, { now: FIXED_NOW })
    const r = rng(0xc0ffee)
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!
    const auth = 'Basic ' + Buffer.from('admin:s3cret').toString('base64')
    const statuses = new Map<number, number>()
    for (let i = 0; i < 3000; i++) {
      w.reset()
      const inject = r() < 0.1
      if (inject) fake.failures.set(pick(['id', 'peers', 'pin', 'status', 'statusAll', 'allocations', 'recoverAll', 'repoGc', 'metrics']), 'injected failure')
      const segs = Array.from({ length: Math.floor(r() * 5) }, () => pick(FRAGMENTS))
      let path = r() < 0.4 ? pick(KNOWN) : '/' + segs.join(r() < 0.05 ? '//' : '/')
      if (r() < 0.05) path += '/'
      const params = Array.from({ length: Math.floor(r() * 4) }, () => `${pick(QKEYS)}=${pick(QVALUES)}`)
      if (params.length > 0) path += '?' + params.join('&')
      const method = pick(METHODS)
      const headers: Record<string, string> = {}
      if (r() < 0.85) headers.Authorization = r() < 0.9 ? auth : pick(['Basic zzz', 'Bearer a.b.c', 'Bearer ', 'Digest x', 'Basic ' + Buffer.from(':').toString('base64')])
      if (r() < 0.2) headers.Origin = pick(['http://a.org', 'null', ''])
      if (r() < 0.1) headers['Access-Control-Request-Method'] = pick(['GET', 'POST', ''])
      if (r() < 0.02) headers['X-Big'] = 'x'.repeat(10_000)
      let body: string | Uint8Array | undefined
      if (!['GET', 'HEAD'].includes(method) && r() < 0.4) {
        body = pick([
          `{"peer_id":"${P2}"}`, '{"peer_id":', '[1,2', 'null', '"str"', '{}', `{"PEER_ID":"${P2}"}`,
          'x'.repeat(100 * 1024), new Uint8Array(Array.from({ length: 512 }, () => Math.floor(r() * 256)))
        ])
      }
      const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) })
      await res.arrayBuffer()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      const allowed = res.status < 500 || (res.status === 501 && /^\/add(\?|$)/.test(path)) || (res.status === 500 && w.failed())
      expect(allowed, `${method} ${path} -> ${res.status}`).toBe(true)
      fake.failures.clear()
    }
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100)
    expect(statuses.get(404) ?? 0).toBeGreaterThan(150)
    expect(statuses.get(400) ?? 0).toBeGreaterThan(20)
    expect(statuses.get(405) ?? 0).toBeGreaterThan(20)
    const alive = await app.request('/id', { headers: { Authorization: auth } })
    expect(alive.status).toBe(200)
  }, 120_000)
})

/**
 * The search and batch extensions in-process (app.request over fakes): what reaches the cluster
 * from a request, and what a cluster without an index or batches answers.
 */
import { describe, expect, it } from 'vitest'
import { C1, FakeCluster, syntheticCid } from '@cluster/test-utils'
import { defaultPinOptions } from '@cluster/api'
import type { BatchItem, BatchItemResult, GlobalPinInfo, PinSearch, PinSearchIndex, StatusAllOptions, TrackerStatusFilter } from '@cluster/api'
import { createPinSvcApiApp, createRestApiApp } from '../src/index.ts'
import { FIXED_NOW, makeApp, seed } from './helpers.ts'

/** A fake that pins each batch item alone, and records the searches it is asked. */
class BatchingFake extends FakeCluster {
  readonly batches: BatchItem[][] = []
  readonly searches: PinSearch[] = []
  /** CIDs each statusAll call asked for ('*': every pin). */
  readonly statusCalls: string[] = []

  override statusAll (filter: TrackerStatusFilter, opts: StatusAllOptions = {}): AsyncIterable<GlobalPinInfo> {
    const cids = opts.within ?? opts.cids?.map(c => c.toString())
    this.statusCalls.push(cids === undefined ? '*' : cids.join(','))
    const all = super.statusAll(filter, opts)
    return (async function * () { for await (const info of all) if (cids === undefined || cids.includes(info.cid.toString())) yield info })()
  }

  async * pinBatch (items: BatchItem[]): AsyncIterable<BatchItemResult> {
    this.batches.push(items)
    for (const [index, item] of items.entries()) {
      try {
        yield { index, pin: item.op === 'pin' ? await this.pin(item.cid, item.options) : await this.unpin(item.cid) }
      } catch (err) {
        yield { index, error: err as Error }
      }
    }
  }

  readonly pinSearch: PinSearchIndex = {
    pageEnd: (search, limit) => {
      this.searches.push(search)
      const cids = [...this.pins.keys()].sort()
      return { last: cids[Math.min(limit, cids.length) - 1], more: cids.length > limit }
    },
    searchJson: () => [],
    searchCids: () => [[...this.pins.keys()].sort()]
  }
}

function appOver (fake: FakeCluster): ReturnType<typeof createRestApiApp> {
  return createRestApiApp(fake, {}, { now: FIXED_NOW })
}

const post = (body: string, headers: Record<string, string> = {}): RequestInit => ({ method: 'POST', body, headers })

describe('search parameters', () => {
  it('are refused (400) by a cluster without a search index; Go\'s listing is unchanged', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    const res = await app.request('/allocations?name-prefix=data')
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ code: 400, message: 'this cluster cannot search its pinset: search parameters are not supported' })
    expect((await app.request('/allocations?filter=pin')).status).toBe(200)
  })

  it('refuse keys that only look like known ones (object properties, empty meta key)', async () => {
    const app = appOver(new BatchingFake())
    for (const key of ['toString', 'constructor', '__proto__', 'meta-', 'hasOwnProperty']) {
      const res = await app.request(`/allocations?${key}=1`)
      expect(res.status, key).toBe(400)
      expect((await res.json() as { message: string }).message, key).toContain(`unknown query parameter '${key}'`)
    }
  })

  it('reach the index parsed: metadata sorted, times, peers, the cursor\'s position', async () => {
    const fake = new BatchingFake()
    for (let i = 0; i < 5; i++) await fake.pin(syntheticCid(i), defaultPinOptions())
    expect(fake.pins.size).toBe(5)
    const app = appOver(fake)
    const first = await app.request('/allocations?meta-z=1&meta-a=2&name=x&after=2030-01-01T00:00:00Z&allocation=12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR&limit=2')
    const cursor = first.headers.get('x-next-cursor')
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    const s = fake.searches[0] as PinSearch
    expect(s.metadata).toEqual([['a', '2'], ['z', '1']])
    expect(s.name).toEqual({ match: 'exact', value: 'x' })
    expect(s.after?.toJSON()).toBe('2030-01-01T00:00:00Z')
    expect(s.allocations).toEqual(['12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'])
    // The same search (parameters in another order) continues after the page's last CID.
    await app.request(`/allocations?name=x&meta-a=2&meta-z=1&allocation=12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR&after=2030-01-01T00:00:00Z&limit=2&cursor=${cursor ?? ''}`)
    expect(fake.searches[1]?.afterCid).toBe([...fake.pins.keys()].sort()[1])
  })
})

describe('GET /pins with search parameters', () => {
  it('streams the statuses of the matches; failures (other than a pin gone) are not silent', async () => {
    const fake = new BatchingFake()
    seed(fake)
    const app = appOver(fake)
    const ok = await app.request('/pins?name-contains=data')
    expect(ok.status).toBe(200)
    expect((JSON.parse(await ok.text()) as { cid: string }).cid).toBe(C1)
    fake.failures.set('statusAll', 'tracker is shutting down')
    const failing = await app.request('/pins?name-contains=data')
    expect(failing.status).toBe(500)
    expect(await failing.json()).toEqual({ code: 500, message: `status of the matches from ${C1}: tracker is shutting down` })
  })
})

describe('Pinning Service API listing with name or meta filters', () => {
  it('asks only the candidates\' statuses when the index has few; the full pass otherwise', async () => {
    const fake = new BatchingFake()
    seed(fake)
    for (let i = 0; i < 3; i++) await fake.pin(syntheticCid(i), { ...defaultPinOptions(), name: `other-${i}` })
    const app = createPinSvcApiApp(fake, {}, { now: FIXED_NOW })
    const res = await app.request('/pins?name=dataset-2025')
    expect(res.status).toBe(200)
    const list = await res.json() as { count: number, results: Array<{ pin: { cid: string } }> }
    expect(list.results.map(r => r.pin.cid)).toEqual([C1])
    // The fake index answers every pin as a candidate: their statuses in one call, never a full pass.
    expect(fake.statusCalls).toEqual([[...fake.pins.keys()].sort().join(',')])
    fake.statusCalls.length = 0
    await app.request('/pins?name=DATASET-2025&match=iexact')
    expect(fake.statusCalls).toEqual(['*'])
  })
})

describe('POST /pins (batch)', () => {
  it('hands each item to the cluster with its options and answers a line per item', async () => {
    const fake = new BatchingFake()
    seed(fake)
    const app = appOver(fake)
    const body = [
      { cid: syntheticCid(1).toString(), name: 'one', replication: 2, metadata: { k: 'v' }, 'user-allocations': ['12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'] },
      { cid: 'zzz' },
      { cid: C1, op: 'unpin' },
      { cid: syntheticCid(2).toString(), mode: 'direct', 'expire-in': '1h' }
    ]
    const res = await app.request('/pins', post(JSON.stringify(body)))
    expect(res.status).toBe(200)
    const lines = (await res.text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as { index: number, op: string, pin?: { name: string }, error?: { code: number } })
    expect(lines.map(l => [l.index, l.op, l.error?.code ?? 200])).toEqual([[1, 'pin', 400], [0, 'pin', 200], [2, 'unpin', 200], [3, 'pin', 200]])
    const [one, , direct] = fake.batches[0] as BatchItem[]
    expect(one?.options).toMatchObject({ name: 'one', replicationFactorMin: 2, replicationFactorMax: 2, metadata: { k: 'v' }, userAllocations: ['12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'] })
    expect(direct?.options.mode).toBe('direct')
    expect(direct?.options.expireAt.isZero()).toBe(false)
  })

  it('refuses bodies over the bounds before reading them, and a cluster without batches', async () => {
    const app = appOver(new BatchingFake())
    const big = await app.request('/pins', post('[', { 'Content-Length': String(17 * 1024 * 1024) }))
    expect(big.status).toBe(413)
    const many = await app.request('/pins', post(Array.from({ length: 10_001 }, () => '{}').join('\n')))
    expect(many.status).toBe(413)
    expect((await makeApp().app.request('/pins', post('[{}]'))).status).toBe(400)
  })
})

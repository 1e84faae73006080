/**
 * `POST /pins/rebalance` in-process (app.request over a fake): the request the cluster gets from
 * the query, the NDJSON lines, and the refusals (bad input 400, busy 409, no rebalance 400).
 */
import { describe, expect, it } from 'vitest'
import { ApiError, PIN_TYPE_BITS, type PeerId, type RebalanceEvent, type RebalanceRequest } from '@cluster/api'
import { FakeCluster, syntheticCid } from '@cluster/test-utils'
import { createRestApiApp } from '../src/index.ts'
import { FIXED_NOW } from './helpers.ts'

const A = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' as PeerId
const B = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' as PeerId

class Busy extends ApiError { readonly status = 409 }

/** A fake that records each rebalance request and answers one move and a summary. */
class RebalancingFake extends FakeCluster {
  readonly requests: RebalanceRequest[] = []
  busy = false

  rebalance (request: RebalanceRequest): AsyncIterable<RebalanceEvent> {
    if (this.busy) throw new Busy('a rebalance is already running on this peer')
    this.requests.push(request)
    const result = request.dryRun ? 'planned' : 'moved'
    return (async function * () {
      yield { move: { cid: syntheticCid(1), name: 'one', from: [A], to: [B] }, result }
      yield { summary: { checked: 3, planned: 1, moved: request.dryRun ? 0 : 1, failed: 0, skipped: 0, dryRun: request.dryRun } }
    })()
  }
}

const post = async (fake: FakeCluster, query: string): Promise<Response> =>
  await createRestApiApp(fake, {}, { now: FIXED_NOW }).request(`/pins/rebalance${query}`, { method: 'POST' })

describe('POST /pins/rebalance', () => {
  it('passes the search, limit and dry run to the cluster and streams its lines', async () => {
    const fake = new RebalancingFake()
    const res = await post(fake, `?dry-run=true&limit=5&name-prefix=backup-&meta-tenant=acme&allocation=${A}&filter=pin&after=2024-05-01T00:00:00Z`)
    expect(res.status).toBe(200)
    const lines = (await res.text()).trim().split('\n').map(l => JSON.parse(l) as unknown)
    expect(lines).toEqual([
      { cid: syntheticCid(1).toString(), name: 'one', from: [A], to: [B], result: 'planned' },
      { summary: { checked: 3, planned: 1, moved: 0, failed: 0, skipped: 0, dry_run: true } }
    ])
    const [request] = fake.requests
    expect(request).toMatchObject({ dryRun: true, limit: 5 })
    expect(request?.search).toMatchObject({ name: { match: 'prefix', value: 'backup-' }, metadata: [['tenant', 'acme']], allocations: [A], types: PIN_TYPE_BITS.pin })
    expect(request?.search.after?.toString()).toBe('2024-05-01T00:00:00Z')
  })

  it('rebalances every pin, for real, without parameters', async () => {
    const fake = new RebalancingFake()
    expect((await post(fake, '')).status).toBe(200)
    expect(fake.requests).toEqual([{ search: {}, dryRun: false }])
    expect((await post(fake, '?dry-run=false')).status).toBe(200)
    expect(fake.requests[1]?.dryRun).toBe(false)
  })

  it('refuses bad input with 400 before asking the cluster', async () => {
    const fake = new RebalancingFake()
    const cases: Array<[string, RegExp]> = [
      ['?colour=blue', /unknown query parameter 'colour'/],
      ['?limit=0', /invalid 'limit'/],
      ['?limit=-3', /invalid 'limit'/],
      ['?limit=2&limit=3', /'limit' given 2 times/],
      ['?dry-run=maybe', /invalid 'dry-run'/],
      ['?cursor=abc', /'cursor' is not taken/],
      ['?before=yesterday', /invalid 'before'/],
      ['?filter=nonsense', /filter/]
    ]
    for (const [query, message] of cases) {
      const res = await post(fake, query)
      expect([query, res.status]).toEqual([query, 400])
      expect((await res.json() as { message: string }).message).toMatch(message)
    }
    expect(fake.requests).toEqual([])
  })

  it('answers 409 while a rebalance runs, and 400 from a cluster that cannot rebalance', async () => {
    const fake = new RebalancingFake()
    fake.busy = true
    const busy = await post(fake, '')
    expect(busy.status).toBe(409)
    expect(await busy.json()).toEqual({ code: 409, message: 'a rebalance is already running on this peer' })
    const plain = await post(new FakeCluster(), '')
    expect(plain.status).toBe(400)
    expect((await plain.json() as { message: string }).message).toBe('this cluster cannot rebalance')
  })
})

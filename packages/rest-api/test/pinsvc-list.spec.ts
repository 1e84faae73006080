/**
 * `GET /pins` of the Pinning Service API (rest-api.md §11): filters, limit/count, the `cid` mode
 * and query errors (400 here, 500 in Go).
 */
import { describe, expect, it } from 'vitest'
import { parseCid, Timestamp } from '@cluster/api'
import { C1, C2, C3, P2, Q1, Q2, examplePin, syntheticCid } from '@cluster/test-utils'
import type { FakeCluster } from '@cluster/test-utils'
import { makePinSvcApp } from './helpers.ts'
import { decodePinSvcPinList } from '../src/index.ts'
import type { PinSvcPinList } from '../src/index.ts'

const T = (h: number): Timestamp => Timestamp.parse(`2025-03-0${h}T10:00:00Z`)

function addPin (fake: FakeCluster, cid: string, name: string, created: Timestamp, metadata: Record<string, string> = {}): void {
  fake.pins.set(cid, { ...examplePin(), cid: parseCid(cid), name, timestamp: created, metadata })
}

/** C1 "Dataset-2025" (day 1), C2 "dataset-2024" (day 2, queued on P2), C3 "photos" (day 3, failed on P2), Q1 "other" (day 4). */
function fixture (): { app: ReturnType<typeof makePinSvcApp>['app'], fake: FakeCluster } {
  const { app, fake } = makePinSvcApp()
  addPin(fake, C1, 'Dataset-2025', T(1), { kind: 'text', lang: 'en' })
  addPin(fake, C2, 'dataset-2024', T(2), { kind: 'text' })
  addPin(fake, C3, 'photos', T(3), { kind: 'image' })
  addPin(fake, Q1, 'other', T(4))
  fake.statuses.set(C2, new Map([[P2, 'pin_queued']]))
  fake.statuses.set(C3, new Map([[P2, 'pin_error']]))
  return { app, fake }
}

async function list (app: ReturnType<typeof makePinSvcApp>['app'], query: string): Promise<PinSvcPinList & { ids: string[] }> {
  const res = await app.request(`/pins${query}`)
  expect(res.status, `${query}: ${await res.clone().text()}`).toBe(200)
  const l = decodePinSvcPinList(await res.json())
  return { ...l, ids: l.results.map((r) => r.requestId) }
}

describe('GET /pins', () => {
  it('lists every pin newest first with its status; empty is {"count":0,"results":[]}', async () => {
    const empty = makePinSvcApp()
    const res = await empty.app.request('/pins')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('{"count":0,"results":[]}\n')

    const { app } = fixture()
    const all = await list(app, '')
    expect(all.count).toBe(4)
    expect(all.ids).toEqual([Q1, C3, C2, C1])
    expect(all.results.map((r) => r.status)).toEqual(['pinned', 'failed', 'queued', 'pinned'])
  })

  it('name with match exact (default, also for unknown strategies), iexact, partial, ipartial', async () => {
    const { app } = fixture()
    expect((await list(app, '?name=dataset-2024')).ids).toEqual([C2])
    expect((await list(app, '?name=dataset-2025')).ids).toEqual([])
    expect((await list(app, '?name=dataset-2025&match=bogus')).ids).toEqual([])
    expect((await list(app, '?name=DATASET-2025&match=iexact')).ids).toEqual([C1])
    expect((await list(app, '?name=set-&match=partial')).ids).toEqual([C2, C1])
    expect((await list(app, '?name=Data&match=partial')).ids).toEqual([C1])
    expect((await list(app, '?name=DATA&match=ipartial')).ids).toEqual([C2, C1])
  })

  it('status filters through the cluster status filter', async () => {
    const { app } = fixture()
    expect((await list(app, '?status=failed')).ids).toEqual([C3])
    expect((await list(app, '?status=queued')).ids).toEqual([C2])
    expect((await list(app, '?status=queued,failed')).ids).toEqual([C3, C2])
    // Unknown names are ignored as long as one is valid (Go's StatusFromString).
    expect((await list(app, '?status=bogus,%20failed')).ids).toEqual([C3])
    expect((await list(app, '?status=queued,pinning,pinned,failed')).count).toBe(4)
  })

  it('before and after compare with created, strictly', async () => {
    const { app } = fixture()
    expect((await list(app, `?before=${T(2).toJSON()}`)).ids).toEqual([C1])
    expect((await list(app, `?after=${T(3).toJSON()}`)).ids).toEqual([Q1])
    expect((await list(app, `?after=${T(1).toJSON()}&before=${T(4).toJSON()}`)).ids).toEqual([C3, C2])
    expect((await list(app, '?after=2025-03-02T11:00:00%2B01:00')).ids).toEqual([Q1, C3])
  })

  it('meta: every given entry must be in the pin meta', async () => {
    const { app } = fixture()
    expect((await list(app, `?meta=${encodeURIComponent('{"kind":"text"}')}`)).ids).toEqual([C2, C1])
    expect((await list(app, `?meta=${encodeURIComponent('{"kind":"text","lang":"en"}')}`)).ids).toEqual([C1])
    expect((await list(app, `?meta=${encodeURIComponent('{"kind":"video"}')}`)).ids).toEqual([])
    expect((await list(app, `?meta=${encodeURIComponent('{}')}`)).count).toBe(4)
    expect((await list(app, '?meta=null')).count).toBe(4)
  })

  it('limit (default 10) bounds results; count is the number of matches before it', async () => {
    const { app, fake } = makePinSvcApp()
    for (let i = 0; i < 12; i++) addPin(fake, syntheticCid(i).toString(), `p${i}`, Timestamp.fromUnixMillis(Date.UTC(2025, 0, 1 + i)))
    const def = await list(app, '')
    expect(def.count).toBe(12)
    expect(def.results.map((r) => r.pin.name)).toEqual(['p11', 'p10', 'p9', 'p8', 'p7', 'p6', 'p5', 'p4', 'p3', 'p2'])
    const three = await list(app, '?limit=3&name=p1&match=partial')
    expect(three.count).toBe(3)
    expect(three.results.map((r) => r.pin.name)).toEqual(['p11', 'p10', 'p1'])
    const none = await list(app, '?limit=0')
    expect(none).toMatchObject({ count: 12, results: [] })
    // Kubo pages with before=<created of the last result> until it has `count` results.
    const next = await list(app, `?before=${def.results[9]!.created.toJSON()}`)
    expect(next.results.map((r) => r.pin.name)).toEqual(['p1', 'p0'])
  })

  it('cid: status of each given CID in the order given, other filters not applied, unpinned skipped', async () => {
    const { app } = fixture()
    const res = await list(app, `?cid=${C3},${Q2},${C1}&name=nomatch&status=pinned`)
    expect(res.ids).toEqual([C3, C1])
    expect(res.count).toBe(2)
    const limited = await list(app, `?cid=${C3},${C1}&limit=1`)
    expect(limited).toMatchObject({ count: 2 })
    expect(limited.ids).toEqual([C3])
  })

  it('cid: a failed status call among the kept results is a 500; beyond the limit it is ignored', async () => {
    const { app, fake } = fixture()
    fake.failures.set(`status:${C2}`, 'context deadline exceeded')
    const res = await app.request(`/pins?cid=${C1},${C2}`)
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('{"error":{"reason":"context deadline exceeded"}}\n')
    const ok = await list(app, `?cid=${C1},${C2}&limit=1`)
    expect(ok.ids).toEqual([C1])
    expect(ok.count).toBe(2)
  })

  it('a failing status stream is a 500', async () => {
    const { app, fake } = fixture()
    fake.failures.set('statusAll', 'state unavailable')
    const res = await app.request('/pins')
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('{"error":{"reason":"state unavailable"}}\n')
  })

  it('invalid parameters are 400 with Go\'s messages', async () => {
    const { app } = fixture()
    const cases: Array<[string, string | RegExp]> = [
      [`cid=${C1},nope`, /^error decoding cid nope: /],
      [`name=${'x'.repeat(256)}`, "error in 'name' query param: longer than 255 chars"],
      ['status=bogus', "error decoding 'status' query param: no valid filter"],
      ['status=undefined', "error decoding 'status' query param: no valid filter"],
      ['before=yesterday', /^error decoding 'before' query param: yesterday: parsing time "yesterday"/],
      ['after=2025-13-01T00:00:00Z', /^error decoding 'after' query param: 2025-13-01T00:00:00Z: parsing time .*month out of range/],
      ['limit=-1', 'error parsing \'limit\' query param: -1: strconv.ParseUint: parsing "-1": invalid syntax'],
      ['limit=18446744073709551616', 'error parsing \'limit\' query param: 18446744073709551616: strconv.ParseUint: parsing "18446744073709551616": value out of range'],
      ['meta=[1]', "error unmarshalling 'meta' query param: [1]: json: cannot unmarshal array into Go value of type map[string]string"],
      [`meta=${encodeURIComponent('{"a":1}')}`, 'error unmarshalling \'meta\' query param: {"a":1}: json: cannot unmarshal number into Go value of type string'],
      ['meta={', /^error unmarshalling 'meta' query param: \{: /]
    ]
    for (const [query, message] of cases) {
      const res = await app.request(`/pins?${query}`)
      expect(res.status, query).toBe(400)
      const body = await res.json() as { error: { reason: string } }
      expect(Object.keys(body)).toEqual(['error'])
      if (typeof message === 'string') expect(body.error.reason, query).toBe(message)
      else expect(body.error.reason, query).toMatch(message)
    }
    expect((await list(app, `?name=${'x'.repeat(255)}`)).count).toBe(0)
  })
})

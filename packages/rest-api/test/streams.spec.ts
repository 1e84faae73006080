import { describe, expect, it } from 'vitest'
import { encodePin, parseCid, stringifyJson } from '@cluster/api'
import { makeApp, seed, EXAMPLE_PIN_JSON, ndjson } from './helpers.ts'
import { streamTrailers } from '../src/index.ts'
import { C1, C2, Q1, P1, P2 } from '@cluster/test-utils'

describe('stream responses (in-process)', () => {
  it('200 NDJSON, one object per line, trailer value "" when fine', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    await fake.pin(parseCid(Q1), { ...(await fake.allocation(parseCid(C1))), name: 'q', pinUpdate: undefined })
    const res = await app.request('/allocations?filter=all')
    expect(res.status).toBe(200)
    expect(res.headers.get('trailer')).toBe('X-Stream-Error')
    expect(res.headers.get('content-type')).toBe('application/json')
    const text = await res.text()
    expect(text).toBe(EXAMPLE_PIN_JSON + '\n' + stringifyJson(encodePin((await fake.allocation(parseCid(Q1))))) + '\n')
    expect(await streamTrailers(res)).toEqual([''])
  })

  it('204 with an empty body when there is nothing', async () => {
    const { app } = makeApp()
    for (const path of ['/allocations', '/pins', '/pins?filter=error&cids=']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(204)
      expect(await res.text()).toBe('')
    }
    const rec = await app.request('/pins/recover', { method: 'POST' })
    expect(rec.status).toBe(204)
  })

  it('500 with the error object when the producer fails before the first item', async () => {
    const { app, fake } = makeApp()
    fake.failures.set('peers', 'cannot read the peerset')
    const res = await app.request('/peers')
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('{"code":500,"message":"cannot read the peerset"}\n')
  })

  it('a failure after some items ends the stream with the message in the trailer', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    await fake.pin(parseCid(Q1), { ...(await fake.allocation(parseCid(C1))), pinUpdate: undefined })
    fake.failAfter.set('allocations', [1, 'state read failed'])
    const res = await app.request('/allocations')
    expect(res.status).toBe(200)
    expect(await ndjson(res)).toHaveLength(1)
    expect(await streamTrailers(res)).toEqual(['state read failed'])
  })

  it('filter on /allocations: pin,bogus is pin; bogus alone is 400', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    expect(await ndjson(await app.request('/allocations?filter=pin,bogus'))).toHaveLength(1)
    expect((await app.request('/allocations?filter=meta-pin')).status).toBe(204)
    const bad = await app.request('/allocations?filter=bogus')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toBe('{"code":400,"message":"invalid filter value"}\n')
  })

  it('cids mode: a failing CID is left out and reported as an extra trailer value', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    fake.failures.set(`status:${C2}`, 'peer timeout')
    const res = await app.request(`/pins?local=false&filter=&cids=${C1},${C2}`)
    expect(res.status).toBe(200)
    const items = await ndjson(res)
    expect(items.map((i) => (i as { cid: string }).cid)).toEqual([C1])
    expect(await streamTrailers(res)).toEqual(['', 'peer timeout'])
  })

  it('cids mode: when every CID fails, the first error is a 500 body', async () => {
    const { app, fake } = makeApp()
    fake.failures.set(`status:${C2}`, 'peer timeout')
    const res = await app.request(`/pins?cids=${C2}`)
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('{"code":500,"message":"peer timeout"}\n')
  })

  it('GET /peers lists unreachable peers with their error; local statusAll has one peer each', async () => {
    const { app, fake } = makeApp()
    fake.down.add(P2)
    const peers = await ndjson(await app.request('/peers'))
    expect(peers[1]).toEqual({ id: P2, addresses: null, cluster_peers: null, cluster_peers_addresses: null, version: '', commit: '', rpc_protocol_version: '', error: 'dial backoff', ipfs: { addresses: null, error: '' }, peername: '' })
    seed(fake)
    const local = await ndjson(await app.request('/pins?local=true'))
    expect(Object.keys((local[0] as { peer_map: object }).peer_map)).toEqual([P1])
  })

  it('POST /pins/recover streams only re-queued CIDs', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    await fake.pin(parseCid(Q1), { ...(await fake.allocation(parseCid(C1))), pinUpdate: undefined })
    fake.statuses.set(Q1, new Map([[P2, 'unpin_error']]))
    const items = await ndjson(await app.request('/pins/recover?local=false', { method: 'POST' }))
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ cid: Q1, peer_map: { [P2]: { status: 'unpin_queued' } } })
  })
})

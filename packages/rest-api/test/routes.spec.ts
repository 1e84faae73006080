import { describe, expect, it } from 'vitest'
import { encodeId, encodeGlobalRepoGc, parseCid, stringifyJson, Timestamp } from '@cluster/api'
import { makeApp, seed, EXAMPLE_PIN_JSON, ndjson } from './helpers.ts'
import { C1, C2, C3, P1, P2, P3, Q1, Q2 } from '@cluster/test-utils'

const JSON_TYPE = 'application/json'

describe('single routes', () => {
  it('GET /id answers the peer ID object', async () => {
    const { app, fake } = makeApp()
    const res = await app.request('/id')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(JSON_TYPE)
    expect(await res.text()).toBe(stringifyJson(encodeId(fake.idOf(P1))) + '\n')
  })

  it('GET /version is {"version":"1.1.6"}', async () => {
    const { app } = makeApp()
    const res = await app.request('/version')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('{"version":"1.1.6"}\n')
  })

  it('GET /allocations/{cid} gives the pin byte for byte (§2.4 example)', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    const res = await app.request(`/allocations/${C1}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(EXAMPLE_PIN_JSON + '\n')
  })

  it('GET /allocations/{cid}: 404 when absent, 400 for a bad CID or bad pin option', async () => {
    const { app } = makeApp()
    const missing = await app.request(`/allocations/${C2}`)
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe('{"code":404,"message":"pin is not part of the pinset"}\n')
    const bad = await app.request('/allocations/notacid')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/^error decoding Cid: /)
    const badOpt = await app.request(`/allocations/${C1}?replication-min=x`)
    expect(badOpt.status).toBe(400)
    expect(await badOpt.text()).toBe('{"code":400,"message":"parameter replication-min invalid"}\n')
  })

  it('POST /pins/ipfs/{cid} answers the committed pin (§2.4 second example)', async () => {
    const { app, fake } = makeApp()
    fake.now = () => Timestamp.parse('2025-03-01T12:35:10.081622217+01:00')
    const res = await app.request(`/pins/ipfs/${C2}?mode=recursive&name=&replication-max=3&replication-min=2&shard-size=0&user-allocations=`, { method: 'POST' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(`{"replication_factor_min":2,"replication_factor_max":3,"name":"","mode":"recursive","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":{},"pin_update":null,"origins":null,"cid":"${C2}","type":"pin","allocations":["${P1}","${P2}"],"max_depth":-1,"reference":null,"timestamp":"2025-03-01T12:35:10.081622217+01:00"}\n`)
    expect(fake.pins.has(C2)).toBe(true)
  })

  it('POST /pins/{cid} honours mode=direct (Go quirk fixed) and metadata', async () => {
    const { app } = makeApp()
    const res = await app.request(`/pins/${Q1}?mode=direct&meta-kind=text&name=n1`, { method: 'POST' })
    const body = await res.json() as Record<string, unknown>
    expect(res.status).toBe(200)
    expect(body).toMatchObject({ mode: 'direct', max_depth: 0, name: 'n1', metadata: { kind: 'text' }, cid: Q1 })
  })

  it('pin errors: 400 for options (operation not performed), 500 with the cluster message, 404 for pin-update', async () => {
    const { app, fake } = makeApp()
    const opt = await app.request(`/pins/${Q1}?expire-in=10ms`, { method: 'POST' })
    expect(opt.status).toBe(400)
    expect(await opt.text()).toBe('{"code":400,"message":"expire-in duration too short"}\n')
    expect(fake.pins.size).toBe(0)
    const rf = await app.request(`/pins/${Q1}?replication-min=3&replication-max=2`, { method: 'POST' })
    expect(rf.status).toBe(500)
    expect(await rf.text()).toBe('{"code":500,"message":"cluster.replication_factor_min is larger than max"}\n')
    const upd = await app.request(`/pins/ipfs/${Q2}?pin-update=${C3}`, { method: 'POST' })
    expect(upd.status).toBe(404)
    const badUpd = await app.request(`/pins/ipfs/${Q2}?pin-update=zzz`, { method: 'POST' })
    expect(badUpd.status).toBe(400)
    expect(((await badUpd.json()) as { message: string }).message).toMatch(/^error decoding update option parameter: /)
  })

  it('pin by path: sub-paths and IPNS go through the cluster resolver, bad paths are 400', async () => {
    const { app, fake } = makeApp()
    fake.resolve.set(`/ipfs/${C1}/photos/cat.jpg`, C2)
    fake.resolve.set('/ipns/example.org', Q2)
    const sub = await app.request(`/pins/ipfs/${C1}/photos/cat.jpg?mode=direct`, { method: 'POST' })
    expect(sub.status).toBe(200)
    expect(await sub.json()).toMatchObject({ cid: C2, mode: 'direct', max_depth: 0 })
    const ipns = await app.request('/pins/ipns/example.org', { method: 'POST' })
    expect(await ipns.json()).toMatchObject({ cid: Q2 })
    const bad = await app.request('/pins/ipld/nope/x', { method: 'POST' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/^error parsing path: invalid path "\/ipld\/nope\/x": /)
    const unresolved = await app.request('/pins/ipns/unknown.example', { method: 'POST' })
    expect(unresolved.status).toBe(500)
  })

  it('DELETE /pins/{cid} and /pins/ipfs/{cid} answer the removed pin; 404 when absent', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    const res = await app.request(`/pins/ipfs/${C1}`, { method: 'DELETE' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(EXAMPLE_PIN_JSON + '\n')
    const again = await app.request(`/pins/${C1}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await again.text()).toBe('{"code":404,"message":"pin is not part of the pinset"}\n')
    const bad = await app.request('/pins/ipfs', { method: 'DELETE' })
    expect(bad.status).toBe(400)
  })

  it('GET /pins/{cid}: global and local views, unpinned CIDs still 200', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    const global = await app.request(`/pins/${C1}`)
    const body = await global.json() as { peer_map: Record<string, { status: string }> }
    expect(Object.keys(body.peer_map).sort()).toEqual([P1, P2].sort())
    const local = await app.request(`/pins/${C1}?local=true`)
    expect(Object.keys(((await local.json()) as typeof body).peer_map)).toEqual([P1])
    const notLocal = await app.request(`/pins/${C1}?local=True`)
    expect(Object.keys(((await notLocal.json()) as typeof body).peer_map)).toHaveLength(2)
    const unpinned = await app.request(`/pins/${C2}`)
    expect(unpinned.status).toBe(200)
    expect(Object.values(((await unpinned.json()) as typeof body).peer_map).map((p) => p.status)).toEqual(['unpinned', 'unpinned'])
    expect((await app.request('/pins/recover')).status).toBe(400)
  })

  it('POST /pins/{cid}/recover re-queues errors; local form 404s for unknown CIDs', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    fake.statuses.set(C1, new Map([[P2, 'pin_error']]))
    const res = await app.request(`/pins/${C1}/recover?local=false`, { method: 'POST' })
    expect(res.status).toBe(200)
    const body = await res.json() as { peer_map: Record<string, { status: string }> }
    expect(body.peer_map[P2]!.status).toBe('pin_queued')
    const local = await app.request(`/pins/${C2}/recover?local=true`, { method: 'POST' })
    expect(local.status).toBe(404)
  })

  it('POST /peers adds a peer; bad bodies are 400 with Go texts', async () => {
    const { app, fake } = makeApp()
    const ok = await app.request('/peers', { method: 'POST', body: `{"peer_id":"${P3}"} trailing` })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ id: P3 })
    expect(fake.peerset).toContain(P3)
    for (const [body, msg] of [['nope', 'error decoding request body'], ['', 'error decoding request body'], ['[]', 'error decoding request body'],
      ['{"peer_id":5}', 'error decoding request body'], ['{"peer_id":"x"}', 'error decoding peer_id'], ['null', 'error decoding peer_id']]) {
      const res = await app.request('/peers', { method: 'POST', body })
      expect(res.status).toBe(400)
      expect(await res.text()).toBe(`{"code":400,"message":"${msg}"}\n`)
    }
  })

  it('POST /peers with an oversize body is 413', async () => {
    const { app } = makeApp({ maxBodyBytes: 1024 })
    const res = await app.request('/peers', { method: 'POST', body: `{"peer_id":"${'a'.repeat(5000)}"}` })
    expect(res.status).toBe(413)
    expect(await res.text()).toBe('{"code":413,"message":"request body too large"}\n')
  })

  it('DELETE /peers/{peer} is 204 with no body; 400 for a bad ID; 500 on failure', async () => {
    const { app, fake } = makeApp()
    const res = await app.request(`/peers/${P2}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(fake.removedPeers).toEqual([P2])
    const bad = await app.request('/peers/xyz', { method: 'DELETE' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/^error decoding Peer ID: /)
    const fail = await app.request(`/peers/${P3}`, { method: 'DELETE' })
    expect(fail.status).toBe(500)
  })

  it('POST /add refuses a body that is not multipart with 400; other methods get 405', async () => {
    const { app } = makeApp()
    const res = await app.request('/add?format=unixfs', { method: 'POST', body: 'x' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ code: 400, message: "request Content-Type isn't multipart/form-data" })
    expect((await app.request('/add')).status).toBe(405)
  })

  it('POST /ipfs/gc, health and monitor routes', async () => {
    const { app, fake } = makeApp()
    const gc = await app.request('/ipfs/gc?local=true', { method: 'POST' })
    expect(await gc.text()).toBe(stringifyJson(encodeGlobalRepoGc(await fake.repoGc({ local: true }))) + '\n')
    expect(await gc.text().catch(() => 'used')).toBe('used')
    const graph = await app.request('/health/graph')
    expect(await graph.json()).toMatchObject({ cluster_id: P1, cluster_trust_links: { [P1]: true, [P2]: true } })
    const alerts = await app.request('/health/alerts')
    const list = await alerts.json() as Array<Record<string, unknown>>
    expect(list[0]).toMatchObject({ name: 'ping', peer: P2 })
    expect(typeof list[0]!.triggered_at).toBe('string')
    const bw = await app.request('/health/bandwidth')
    expect(await bw.text()).toBe('{"/ipfscluster/1.0/rpc":{"total_in":482113,"total_out":990871,"rate_in":120.5,"rate_out":310.25}}\n')
    const metrics = await app.request('/monitor/metrics/freespace')
    const m = await metrics.json() as Array<{ peer: string, weight: number }>
    expect(m.map((x) => x.peer)).toEqual([P1, P2])
    expect((await (await app.request('/monitor/metrics/nothing')).text())).toBe('[]\n')
    expect(await (await app.request('/monitor/metrics')).text()).toBe('["freespace","ping","pinqueue","tag:group"]\n')
    const health = await app.request('/health')
    expect(health.status).toBe(204)
    expect(await health.text()).toBe('')
  })

  it('metric epochs are written as exact integers', async () => {
    const { app } = makeApp()
    const text = await (await app.request('/monitor/metrics/freespace')).text()
    expect(text).toMatch(/"expire":\d{19},/)
  })

  it('failures of the cluster become 500 with its message', async () => {
    const { app, fake } = makeApp()
    fake.failures.set('id', 'ipfs is down')
    const res = await app.request('/id')
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('{"code":500,"message":"ipfs is down"}\n')
  })
})

describe('GET /pins status filters and cids', () => {
  it('parses the filter and rejects invalid ones', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    await fake.pin(parseCid(Q1), { ...(await fake.allocation(parseCid(C1))), replicationFactorMin: 1, replicationFactorMax: 1, pinUpdate: undefined })
    const remote = await ndjson(await app.request('/pins?local=false&filter=remote&cids='))
    expect(remote).toHaveLength(1)
    expect((remote[0] as { cid: string }).cid).toBe(Q1)
    expect((await app.request('/pins?filter=invalid,pinned')).status).toBe(200)
    const bad = await app.request('/pins?filter=bogus')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toBe('{"code":400,"message":"invalid filter value"}\n')
    expect((await app.request('/pins?filter=pin_error')).status).toBe(204)
  })

  it('cids mode streams each status; bad CIDs are 400', async () => {
    const { app, fake } = makeApp()
    seed(fake)
    const items = await ndjson(await app.request(`/pins?local=false&filter=bogus&cids=${C1},${C2}`))
    expect(items.map((i) => (i as { cid: string }).cid).sort()).toEqual([C1, C2].sort())
    const bad = await app.request(`/pins?cids=${C1},nope`)
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/^error decoding Cid: /)
  })
})

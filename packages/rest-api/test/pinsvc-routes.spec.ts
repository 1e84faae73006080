/**
 * Pinning Service API routes (rest-api.md §11) in-process over the fake cluster: add, replace,
 * get, remove, the status mapping, and body/request-ID errors with `{"error":{"reason":…}}`.
 */
import { describe, expect, it } from 'vitest'
import { parseCid } from '@cluster/api'
import type { CID, GlobalPinInfo, LocalOption, PinInfoShort, PinOptions, Pin, TrackerStatus } from '@cluster/api'
import { FakeCluster, C1, C2, C3, P1, P2, I1, I2, Q1, T0 } from '@cluster/test-utils'
import { makePinSvcApp, seed } from './helpers.ts'
import { pinSvcStatusOf, PINSVC_INFO } from '../src/index.ts'

const INFO = '{"source":"IPFS cluster API","warning1":"CID used for requestID. Conflicts possible","warning2":"experimental"}'
const reason = (text: string): string => JSON.stringify({ error: { reason: text } }) + '\n'

function post (body: unknown): RequestInit {
  return { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
}

/** A fake whose pins are allocated to the first `n` peers (instead of everywhere). */
class AllocatingCluster extends FakeCluster {
  readonly n: number
  constructor (n: number) {
    super()
    this.n = n
  }

  override async pin (cid: CID, options: PinOptions): Promise<Pin> {
    return await super.pin(cid, { ...options, replicationFactorMin: this.n, replicationFactorMax: this.n })
  }
}

describe('POST /pins', () => {
  it('pins recursively with name, origins and meta and answers 202 queued (the spec\'s status; Go: 200) with every peer as delegate (pin-everywhere)', async () => {
    const { app, fake } = makePinSvcApp()
    const origin = `/ip4/198.51.100.7/tcp/4001/p2p/${I2}`
    const res = await app.request('/pins', post({ cid: C2, name: 'dataset', origins: [origin], meta: { b: '2', a: '1' } }))
    expect(res.status).toBe(202)
    expect(res.headers.get('content-type')).toBe('application/json')
    const delegates = [fake.idOf(P1), fake.idOf(P2)].flatMap((id) => id.ipfs.addresses ?? [])
    expect(delegates).toHaveLength(4)
    expect(await res.text()).toBe(`{"requestid":"${C2}","status":"queued","created":"${T0.toJSON()}","pin":{"cid":"${C2}","name":"dataset","origins":["${origin}"],"meta":{"a":"1","b":"2"}},"delegates":${JSON.stringify(delegates)},"info":${INFO}}\n`)
    const pin = fake.pins.get(C2)!
    expect(pin).toMatchObject({ name: 'dataset', mode: 'recursive', maxDepth: -1, origins: [origin], metadata: { a: '1', b: '2' }, pinUpdate: undefined })
  })

  it('delegates are the IPFS addresses of the allocated peers only', async () => {
    const fake = new AllocatingCluster(1)
    fake.peerset = [P2, P1]
    const { app } = makePinSvcApp({}, fake)
    const body = await (await app.request('/pins', post({ cid: C2 }))).json() as { delegates: string[], pin: Record<string, unknown> }
    expect(fake.pins.get(C2)!.allocations).toEqual([P2])
    expect(body.delegates).toEqual(fake.idOf(P2).ipfs.addresses)
    expect(body.pin).toEqual({ cid: C2 })
  })

  it('delegates are empty when the peers cannot be listed (as Go, which only logs)', async () => {
    const { app, fake } = makePinSvcApp()
    fake.failures.set('peers', 'rpc down')
    const body = await (await app.request('/pins', post({ cid: C2 }))).json() as { delegates: string[] }
    expect(body.delegates).toEqual([])
  })

  it('accepts Go decoder leniency: case-insensitive keys, nulls, unknown keys, trailing data', async () => {
    const { app, fake } = makePinSvcApp()
    const res = await app.request('/pins', post(`{"CID":"${Q1}","Name":"n","origins":null,"meta":null,"extra":1} trailing`))
    expect(res.status).toBe(202)
    expect(fake.pins.get(Q1)?.name).toBe('n')
  })

  it('body errors are 400 `error decoding request body: …` and pin nothing', async () => {
    const { app, fake } = makePinSvcApp()
    const cases: Array<[string, string]> = [
      ['', 'error decoding request body: EOF'],
      ['{}', 'error decoding request body: missing cid'],
      ['null', 'error decoding request body: missing cid'],
      [`{"name":"only a name"}`, 'error decoding request body: missing cid'],
      ['[]', 'error decoding request body: json: cannot unmarshal array into Go value of type pinsvc.Pin'],
      ['{"cid":5}', 'error decoding request body: json: cannot unmarshal number into Go value of type string'],
      [`{"cid":"${C1}","name":"${'n'.repeat(256)}"}`, 'error decoding request body: pin name is over 255 chars'],
      [`{"cid":"${C1}","origins":"x"}`, 'error decoding request body: json: cannot unmarshal string into Go struct field Pin.origins of type []api.Multiaddr'],
      [`{"cid":"${C1}","meta":{"k":1}}`, 'error decoding request body: json: cannot unmarshal number into Go struct field Pin.meta of type string']
    ]
    for (const [body, message] of cases) {
      const res = await app.request('/pins', post(body))
      expect(res.status, body).toBe(400)
      expect(await res.text(), body).toBe(reason(message))
    }
    for (const body of ['{"cid":"nope"}', `{"cid":"${C1}","origins":["/bad"]}`, '{"cid":']) {
      const res = await app.request('/pins', post(body))
      expect(res.status, body).toBe(400)
      expect(((await res.json()) as { error: { reason: string } }).error.reason).toMatch(/^error decoding request body: ./)
    }
    expect(fake.pins.size).toBe(0)
    const ok = await app.request('/pins', post({ cid: C1, name: 'n'.repeat(255) }))
    expect(ok.status).toBe(202)
  })

  it('cluster failures are 500 with the error as reason', async () => {
    const { app, fake } = makePinSvcApp()
    fake.failures.set('pin', 'not enough peers to allocate CID')
    const res = await app.request('/pins', post({ cid: C1 }))
    expect(res.status).toBe(500)
    expect(await res.text()).toBe(reason('not enough peers to allocate CID'))
  })
})

describe('POST /pins/{requestid} (replace)', () => {
  it('pins the new CID as an update of the old one, then unpins the old one', async () => {
    const { app, fake } = makePinSvcApp()
    seed(fake)
    const res = await app.request(`/pins/${C1}`, post({ cid: C2, name: 'v2' }))
    expect(res.status).toBe(202)
    expect(await res.json()).toMatchObject({ requestid: C2, status: 'queued', pin: { cid: C2, name: 'v2' } })
    expect(fake.pins.has(C1)).toBe(false)
    expect(fake.pins.get(C2)?.pinUpdate?.toString()).toBe(C1)
  })

  it('replacing a pin by itself updates it and keeps it (Go would unpin it)', async () => {
    const { app, fake } = makePinSvcApp()
    seed(fake)
    expect((await app.request(`/pins/${C1}`, post({ cid: C1, name: 'renamed' }))).status).toBe(202)
    expect(fake.pins.get(C1)?.name).toBe('renamed')
  })

  it('an unknown request ID is a 404, a bad one a 400 (nothing pinned)', async () => {
    const { app, fake } = makePinSvcApp()
    const missing = await app.request(`/pins/${C1}`, post({ cid: C2 }))
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe(reason('pin is not part of the pinset'))
    const bad = await app.request('/pins/not-a-cid', post({ cid: C2 }))
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { reason: string } }).error.reason).toMatch(/^error decoding requestID: /)
    expect(fake.pins.size).toBe(0)
  })
})

describe('GET /pins/{requestid}', () => {
  it('answers the status byte for byte (§11 example)', async () => {
    const { app, fake } = makePinSvcApp()
    seed(fake)
    const res = await app.request(`/pins/${C1}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(`{"requestid":"${C1}","status":"pinned","created":"2025-03-01T12:34:56+01:00","pin":{"cid":"${C1}","name":"dataset-2025","meta":{"kind":"text"}},"delegates":["/ip4/203.0.113.5/tcp/4001/p2p/${I1}","/ip4/203.0.113.6/tcp/4001/p2p/${I2}"],"info":${INFO}}\n`)
  })

  it('404 `pin not found` when not pinned or when the status call fails; 400 for a bad CID', async () => {
    const { app, fake } = makePinSvcApp()
    seed(fake)
    const notPinned = await app.request(`/pins/${C2}`)
    expect(notPinned.status).toBe(404)
    expect(await notPinned.text()).toBe(reason('pin not found'))
    fake.failures.set(`status:${C1}`, 'timeout')
    const failing = await app.request(`/pins/${C1}`)
    expect(failing.status).toBe(404)
    expect(await failing.text()).toBe(reason('pin not found'))
    const bad = await app.request('/pins/xyz')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { reason: string } }).error.reason).toMatch(/^error decoding requestID: /)
  })
})

describe('DELETE /pins/{requestid}', () => {
  it('202 with an empty body, then 404 `pin is not part of the pinset`', async () => {
    const { app, fake } = makePinSvcApp()
    seed(fake)
    const res = await app.request(`/pins/${C1}`, { method: 'DELETE' })
    expect(res.status).toBe(202)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe('')
    expect(fake.pins.size).toBe(0)
    const again = await app.request(`/pins/${C1}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await again.text()).toBe(reason('pin is not part of the pinset'))
  })

  it('other failures are 500; a bad CID 400', async () => {
    const { app, fake } = makePinSvcApp()
    seed(fake)
    fake.failures.set('unpin', 'consensus unavailable')
    const res = await app.request(`/pins/${C1}`, { method: 'DELETE' })
    expect(res.status).toBe(500)
    expect(await res.text()).toBe(reason('consensus unavailable'))
    expect((await app.request('/pins/zzz', { method: 'DELETE' })).status).toBe(400)
  })
})

function gpi (statuses: TrackerStatus[] | null): GlobalPinInfo {
  const peerMap: Record<string, PinInfoShort> | null = statuses === null ? null : {}
  statuses?.forEach((status, i) => {
    peerMap![`peer${i}`] = { peername: '', ipfsPeerId: undefined, ipfsPeerAddresses: [], status, timestamp: T0, error: '', attemptCount: 0, priorityPin: false }
  })
  return { cid: parseCid(C3), name: '', allocations: [], origins: null, created: T0, metadata: null, peerMap }
}

describe('status mapping (OR of the peers, first match wins)', () => {
  it('maps like Go', () => {
    const cases: Array<[TrackerStatus[] | null, string | undefined]> = [
      [['pinned', 'pin_error'], 'failed'],
      [['pinned', 'cluster_error'], 'failed'],
      [['pinned', 'unpin_error'], 'failed'],
      [['pinned', 'pin_queued', 'pinning'], 'queued'],
      [['pinned', 'pinning'], 'pinning'],
      [['pinned', 'remote'], 'pinned'],
      [['pinned', 'unexpectedly_unpinned'], 'pinned'],
      [['unpinned', 'unpinned'], undefined],
      [['remote'], undefined],
      [['unpin_queued', 'unpinning'], undefined],
      // Go quirk kept: no peer at all ORs to 0, which matches the error filter.
      [[], 'failed'],
      [null, 'failed'],
      [['undefined'], 'failed']
    ]
    for (const [statuses, expected] of cases) expect(pinSvcStatusOf(gpi(statuses)), JSON.stringify(statuses)).toBe(expected)
  })

  it('per-peer overrides and the no-peers quirk are visible on the routes', async () => {
    class NoPeers extends FakeCluster {
      override async status (cid: CID, opts?: LocalOption): Promise<GlobalPinInfo> {
        return { ...(await super.status(cid, opts)), peerMap: {} }
      }
    }
    const fake = new NoPeers()
    const { app } = makePinSvcApp({}, fake)
    seed(fake)
    const none = await app.request(`/pins/${C1}`)
    expect(await none.json()).toMatchObject({ status: 'failed', delegates: [] })

    const { app: app2, fake: fake2 } = makePinSvcApp()
    seed(fake2)
    fake2.statuses.set(C1, new Map([[P2, 'pin_queued']]))
    expect(await (await app2.request(`/pins/${C1}`)).json()).toMatchObject({ status: 'queued' })
    fake2.statuses.set(C1, new Map([[P2, 'pin_error']]))
    expect(await (await app2.request(`/pins/${C1}`)).json()).toMatchObject({ status: 'failed' })
  })

  it('every PinStatus carries the fixed info object', () => {
    expect(JSON.stringify(PINSVC_INFO)).toBe(INFO)
  })
})

/**
 * Search filters of `GET /allocations` and `GET /pins` against real daemons (2 peers, a Kubo
 * each), over a few thousand pins, through fetch, curl, our ctl and Go's ctl.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { CID } from '@cluster/api'
import { until } from '@cluster/test-utils'
import type { LocalPeer } from '../dev/local-cluster.ts'
import { localClusterFixture, oneReplicaQuickMetrics } from './helpers/local-cluster.ts'

const run = promisify(execFile)
const CTL = join(import.meta.dirname, '..', '..', 'ctl', 'src', 'cli.ts')

interface PinJson { cid: string, name: string, metadata: Record<string, string> | null, allocations: string[], expire_at: string, timestamp: string }
interface StatusJson { cid: string, name: string, peer_map: Record<string, { status: string }> }

/** Identity CIDs: Kubo pins them at once, with no block to fetch. */
function identityCid (text: string): string {
  const bytes = new TextEncoder().encode(text)
  return CID.decode(Uint8Array.from([0x01, 0x55, 0x00, bytes.length, ...bytes])).toString()
}

const PHASE_A = 1500
const PHASE_B = 1000
const N = PHASE_A + PHASE_B
const nameOf = (i: number): string => i % 10 === 0 ? `photo-${i}` : `doc-${i}`
const tenantOf = (i: number): string => `t${i % 4}`
/** Every 50th pin expires, at one of two times. */
const EXPIRY_EARLY = '2090-01-01T00:00:00Z'
const EXPIRY_LATE = '2095-01-01T00:00:00Z'
const expiryOf = (i: number): string | undefined => i % 50 === 0 ? (i % 100 === 0 ? EXPIRY_EARLY : EXPIRY_LATE) : undefined

async function lines<T> (res: Response): Promise<T[]> {
  if (res.status === 204) return []
  expect(res.status).toBe(200)
  return (await res.text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l) as T)
}

/** Pins [from, to) in one batch request (POST /pins). */
async function pinAll (peer: LocalPeer, from: number, to: number): Promise<void> {
  const items = Array.from({ length: to - from }, (_, k) => {
    const i = from + k
    const expiry = expiryOf(i)
    return { cid: identityCid(`search pin ${i}`), name: nameOf(i), metadata: { tenant: tenantOf(i), batch: i < PHASE_A ? 'a' : 'b' }, ...(expiry === undefined ? {} : { 'expire-at': expiry }) }
  })
  const res = await fetch(`${peer.restUrl}/pins`, { method: 'POST', body: JSON.stringify(items), signal: AbortSignal.timeout(120_000) })
  const failed = (await res.text()).split('\n').filter(l => l.includes('"error"'))
  if (res.status !== 200 || failed.length > 0) throw new Error(`batch ${from}-${to}: ${res.status} ${failed.slice(0, 3).join(' ')}`)
}

describe('search over a few thousand pins on 2 daemons', () => {
  let all: PinJson[]
  let middle: string
  const fx = localClusterFixture('search-', {
    peers: 2,
    // Allocation needs both peers' metrics.
    metrics: ['freespace'],
    configure: oneReplicaQuickMetrics,
    ready: async ({ cluster, p0 }) => {
      await pinAll(p0, 0, PHASE_A)
      // Timestamps are whole seconds: phase B starts in a later second than phase A ended.
      await new Promise(resolve => setTimeout(resolve, 1100))
      middle = new Date().toISOString()
      await new Promise(resolve => setTimeout(resolve, 1100))
      await pinAll(cluster.peers[1] as LocalPeer, PHASE_A, N)
      all = await lines<PinJson>(await fetch(`${p0.restUrl}/allocations`))
    },
    startTimeoutMs: 600_000
  })

  /** The oracle: the full Go-shaped listing filtered here, in the listing's (CID) order. */
  const expected = (keep: (p: PinJson) => boolean): string[] => all.filter(keep).map(p => p.cid)
  const cidsOf = async (query: string): Promise<string[]> => (await lines<PinJson>(await fetch(`${fx.p0.restUrl}/allocations?${query}`))).map(p => p.cid)

  it('filters by name, metadata, allocation, expiry and time, alone and combined', async () => {
    expect(all).toHaveLength(N)
    const [peerA, peerB] = fx.cluster.peers.map(p => p.id) as [string, string]
    expect(await cidsOf('name=doc-7')).toEqual(expected(p => p.name === 'doc-7'))
    expect(await cidsOf('name-prefix=photo-1')).toEqual(expected(p => p.name.startsWith('photo-1')))
    expect(await cidsOf('name-contains=99')).toEqual(expected(p => p.name.includes('99')))
    expect(await cidsOf('meta-tenant=t2')).toEqual(expected(p => p.metadata?.tenant === 't2'))
    // Which peer gets a pin depends on the peers' free space; each pin has one copy.
    const onA = await cidsOf(`allocation=${peerA}`)
    const onB = await cidsOf(`allocation=${peerB}`)
    expect(onA).toEqual(expected(p => p.allocations.includes(peerA)))
    expect(onB).toEqual(expected(p => p.allocations.includes(peerB)))
    expect(onA.length + onB.length).toBe(N)
    expect(await cidsOf(`allocation=${peerA},${peerB}`)).toEqual(expected(() => true))
    expect(await cidsOf('expire-before=2091-01-01T00:00:00Z')).toEqual(expected(p => p.expire_at.startsWith('2090')))
    expect(await cidsOf('expire-after=2091-01-01T00:00:00Z')).toHaveLength(N / 100)
    const phaseB = await cidsOf(`after=${middle}`)
    expect(phaseB).toEqual(expected(p => p.metadata?.batch === 'b'))
    expect(await cidsOf(`before=${middle}&meta-tenant=t1&name-prefix=photo-`))
      .toEqual(expected(p => p.metadata?.batch === 'a' && p.metadata?.tenant === 't1' && p.name.startsWith('photo-')))
    expect(await cidsOf(`meta-tenant=t3&meta-batch=b&allocation=${peerB}&filter=pin`))
      .toEqual(expected(p => p.metadata?.tenant === 't3' && p.metadata?.batch === 'b' && p.allocations.includes(peerB)))
    expect(await cidsOf('filter=meta-pin&meta-tenant=t0')).toEqual([])
    const none = await fetch(`${fx.p0.restUrl}/allocations?name=nobody`)
    expect(none.status).toBe(204)
  })

  it('pages with limit and the X-Next-Cursor header until the end', async () => {
    const filter = 'meta-tenant=t1&name-prefix=doc-'
    const want = expected(p => p.metadata?.tenant === 't1' && p.name.startsWith('doc-'))
    const got: string[] = []
    let cursor: string | null = null
    let pages = 0
    for (; pages < 50; pages++) {
      const res = await fetch(`${fx.p0.restUrl}/allocations?${filter}&limit=100${cursor === null ? '' : `&cursor=${cursor}`}`)
      const page = (await lines<PinJson>(res)).map(p => p.cid)
      cursor = res.headers.get('x-next-cursor')
      expect(page.length).toBe(cursor === null ? want.length - got.length : 100)
      got.push(...page)
      if (cursor === null) break
    }
    expect(got).toEqual(want)
    expect(pages + 1).toBe(Math.ceil(want.length / 100))

    // A cursor continues only the search it came from.
    const first = await fetch(`${fx.p0.restUrl}/allocations?${filter}&limit=10`)
    const other = await fetch(`${fx.p0.restUrl}/allocations?meta-tenant=t2&limit=10&cursor=${first.headers.get('x-next-cursor') ?? ''}`)
    expect(other.status).toBe(400)
    expect((await other.json() as { message: string }).message).toMatch(/belongs to a search with other filters/)
  })

  it('answers the statuses of a search page by page (GET /pins), and curl sees the cursor', async () => {
    const want = expected(p => p.name.startsWith('photo-2'))
    const settled = (s: StatusJson): boolean => Object.values(s.peer_map).map(e => e.status).sort().join() === 'pinned,remote'
    // Pages of 7 until the end, asked again until Kubo has pinned them all (each on its one peer).
    const got = await until(async () => {
      const statuses: StatusJson[] = []
      let cursor = ''
      for (let page = 0; page < 20; page++) {
        const res = await fetch(`${fx.p0.restUrl}/pins?name-prefix=photo-2&limit=7${cursor === '' ? '' : `&cursor=${cursor}`}`)
        statuses.push(...await lines<StatusJson>(res))
        cursor = res.headers.get('x-next-cursor') ?? ''
        if (cursor === '') break
      }
      return statuses.every(settled) ? statuses : undefined
    }, 'the statuses of the search: pinned on one peer, remote on the other')
    expect(got.map(s => s.cid)).toEqual(want)
    const pinnedHere = await lines<StatusJson>(await fetch(`${fx.p0.restUrl}/pins?name-prefix=photo-2&local=true&filter=pinned`))
    expect(pinnedHere.map(s => s.cid)).toEqual(expected(p => p.name.startsWith('photo-2') && p.allocations.includes(fx.p0.id)))

    const { stdout } = await run('curl', ['-sS', '-i', `${fx.p0.restUrl}/allocations?meta-batch=a&limit=2`])
    expect(stdout).toMatch(/^HTTP\/1\.1 200/)
    expect(stdout).toMatch(/\r\nx-next-cursor: [A-Za-z0-9_-]+\r\n/i)
    expect(stdout.split('\n').filter(l => l.startsWith('{')).map(l => (JSON.parse(l) as PinJson).cid)).toEqual(expected(p => p.metadata?.batch === 'a').slice(0, 2))
  })

  it('refuses bad filters with a 400 that says what is wrong', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/allocations?tenant=t1', /unknown query parameter 'tenant'/],
      ['/pins?nmae=doc-1', /unknown query parameter 'nmae'/],
      ['/allocations?after=yesterday', /invalid 'after' query parameter "yesterday"/],
      ['/allocations?expire-before=2024-13-01T00:00:00Z', /invalid 'expire-before'/],
      ['/allocations?name=doc-1&limit=0', /invalid 'limit' query parameter "0"/],
      ['/allocations?name=doc-1&limit=-5', /invalid 'limit'/],
      ['/allocations?name=doc-1&limit=ten', /invalid 'limit'/],
      ['/allocations?allocation=not-a-peer', /"not-a-peer" is not a peer ID/],
      ['/allocations?name=doc-1&cursor=garbage', /invalid 'cursor'/],
      ['/allocations?name=a&name-prefix=b', /only one of 'name', 'name-prefix' and 'name-contains'/],
      ['/allocations?meta-tenant=t1&meta-tenant=t2', /'meta-tenant' given 2 times/],
      ['/allocations?name-contains=', /'name-contains' must not be empty/],
      [`/pins?name=doc-1&cids=${identityCid('search pin 1')}`, /'cids' cannot be combined/],
      ['/allocations?name=doc-1&filter=bogus', /./]
    ]
    for (const [path, message] of cases) {
      const res = await fetch(`${fx.p0.restUrl}${path}`)
      expect(res.status, path).toBe(400)
      expect((await res.json() as { message: string }).message, path).toMatch(message)
    }
  })

  it('Pinning Service API: name and meta filters (through the index) give what the full listing gives', async () => {
    const config = JSON.parse(readFileSync(join(fx.p0.folder, 'service.json'), 'utf8')) as { api: { pinsvcapi: { http_listen_multiaddress: string } } }
    const [, , host, , port] = config.api.pinsvcapi.http_listen_multiaddress.split('/')
    const svc = `http://${host ?? ''}:${port ?? ''}`
    interface SvcList { count: number, results: Array<{ pin: { cid: string, name: string, meta: Record<string, string> } }> }
    const list = async (query: string): Promise<SvcList> => {
      const res = await fetch(`${svc}/pins?${query}`)
      expect(res.status, query).toBe(200)
      return await res.json() as SvcList
    }
    const exact = await list('name=doc-7')
    expect(exact.results.map(r => r.pin.cid)).toEqual(expected(p => p.name === 'doc-7'))
    const meta = encodeURIComponent(JSON.stringify({ tenant: 't1', batch: 'b' }))
    const partial = await list(`name=photo-1&match=partial&meta=${meta}&limit=1000`)
    const want = expected(p => p.name.includes('photo-1') && p.metadata?.tenant === 't1' && p.metadata?.batch === 'b')
    expect(partial.count).toBe(want.length)
    expect(partial.results.map(r => r.pin.cid).sort()).toEqual([...want].sort())
    // Too many candidates for the index (every tenant-t2 pin): the full pass answers the same way.
    const many = await list(`meta=${encodeURIComponent(JSON.stringify({ tenant: 't2' }))}&limit=1000`)
    expect(many.count).toBe(expected(p => p.metadata?.tenant === 't2').length)
  })

  it('ipfs-cluster-ctl: ours takes the search flags, Go\'s listing is unchanged', async () => {
    const host = ['--host', fx.p0.restApi]
    const ours = await run(process.execPath, ['--conditions=source', CTL, ...host, '--enc', 'json', 'pin', 'ls', '--metadata', 'tenant=t0', '--name-prefix', 'photo-', '--limit', '20'])
    const listed = JSON.parse(`[${ours.stdout.trim().replace(/\}\n\{/g, '},{')}]`) as PinJson[]
    const want = expected(p => p.metadata?.tenant === 't0' && p.name.startsWith('photo-'))
    expect(listed.map(p => p.cid)).toEqual(want.slice(0, 20))
    const cursor = /^next page: --cursor (\S+)$/m.exec(ours.stderr)?.[1]
    expect(cursor).toBeDefined()
    const rest = await run(process.execPath, ['--conditions=source', CTL, ...host, 'pin', 'ls', '--metadata', 'tenant=t0', '--name-prefix', 'photo-', '--cursor', cursor as string])
    expect(rest.stdout.trim().split('\n').map(l => l.split(' ')[0])).toEqual(want.slice(20))
    expect(rest.stderr).toBe('')

    const status = await run(process.execPath, ['--conditions=source', CTL, ...host, 'status', '--name', 'doc-11'])
    expect(status.stdout).toContain(`${identityCid('search pin 11')} | doc-11:`)
    const refused = await run(process.execPath, ['--conditions=source', CTL, ...host, 'pin', 'ls', '--after', 'soon']).catch((err: { code: number, stdout: string }) => err)
    expect(refused.code).toBe(2)
    expect(refused.stdout).toContain('invalid \'after\' query parameter "soon"')

    const go = await run('ipfs-cluster-ctl', [...host, 'pin', 'ls'], { maxBuffer: 64 * 1024 * 1024 })
    expect(go.stdout.trim().split('\n')).toHaveLength(N)
  })
})

/**
 * The proxy in front of a real Kubo with the Go tests' fake cluster (proxy.md §7), plus bad
 * input: malformed and missing arguments, unknown flags, oversize bodies and headers.
 */
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KuboDaemon } from '@cluster/test-utils'
import { ProxyServer, type ProxyConfig } from '../src/index.ts'
import { CID1, CID3, CID4, CID4_B58, NOT_IN_PINSET_CID, ERROR_CID, ERROR_MESSAGE, FakeCluster, RESOLVED_CID, lines, multipart, request } from './helpers.ts'

let kubo: KuboDaemon
let cluster: FakeCluster
let proxy: ProxyServer
let url: string
const dir = mkdtempSync(join(tmpdir(), 'proxy-test-'))

async function startProxy (c: FakeCluster, config: Partial<ProxyConfig> = {}): Promise<{ proxy: ProxyServer, url: string }> {
  const p = new ProxyServer(c.asApi(), { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: kubo.apiMultiaddr, ...config }, {
    stopGraceMs: 500,
    repoStats: async () => [{ repoSize: 2000n, storageMax: 100000n }, { repoSize: 2000n, storageMax: 100000n }, new Error('peer down'), { repoSize: 2000n, storageMax: 100000n }]
  })
  return { proxy: p, url: (await p.start()).url }
}

function kuboError (a: { body: string, headers: Record<string, unknown> }): { Message: string, Code: number, Type: string } {
  expect(a.headers['content-type']).toMatch(/^application\/json/)
  const e = JSON.parse(a.body) as { Message: string, Code: number, Type: string }
  expect(e.Type).toBe('error')
  expect(e.Code).toBe(0)
  return e
}

beforeAll(async () => {
  kubo = await KuboDaemon.start()
  cluster = new FakeCluster()
  cluster.blockSink = {
    put: async (block) => {
      const form = new FormData()
      form.append('file', new Blob([block.bytes]))
      await kubo.rpc('block/put', { 'cid-codec': block.cid.code === 0x70 ? 'dag-pb' : 'raw', mhtype: 'sha2-256' }, form)
    }
  }
  ;({ proxy, url } = await startProxy(cluster))
}, 120_000)

afterAll(async () => {
  await proxy.stop()
  await kubo.stop()
  rmSync(dir, { recursive: true, force: true })
}, 60_000)

describe('proxied calls', () => {
  it('forwards version and unknown commands to Kubo unchanged', async () => {
    const v = await request(`${url}/api/v0/version`)
    expect(v.status).toBe(200)
    expect(JSON.parse(v.body).Version).toMatch(/^0\.\d+/)
    const bad = await request(`${url}/api/v0/bad/command`)
    expect(bad.status).toBe(404)
    expect(bad.body).toContain('404 page not found')
    const get = await request(`${url}/api/v0/version`, { method: 'GET' })
    expect(get.status).toBe(405)
  })

  it('forwards a mid-stream error trailer of a streamed answer', async () => {
    const missing = 'bafkreiaxnnnb7qz2focittuqq3ya25q7rcv3bqynnczfzako47346wosmu'
    const form = new FormData()
    form.append('file', new Blob([JSON.stringify({ a: { '/': missing } })]))
    const { Cid } = await kubo.rpc<{ Cid: { '/': string } }>('dag/put', { 'input-codec': 'dag-json', 'store-codec': 'dag-cbor' }, form)
    const a = await request(`${url}/api/v0/dag/export?arg=${Cid['/']}&offline=true`)
    expect(a.status).toBe(200)
    expect(a.body.length).toBeGreaterThan(0)
    expect(a.trailers['x-stream-error']).toContain(missing)
  })
})

describe('pin/add and pin/rm', () => {
  it('pins a CID, a path (resolved), and the slash form', async () => {
    for (const [path, want] of [[`pin/add?arg=${CID1}`, CID1], [`pin/add?arg=/ipfs/${CID1}/im.gif`, RESOLVED_CID], [`pin/add/${CID4_B58}`, CID4]] as const) {
      const a = await request(`${url}/api/v0/${path}`)
      expect(a.status, path).toBe(200)
      expect(JSON.parse(a.body)).toEqual({ Pins: [want] })
      expect(a.headers.server).toBe('ipfs-cluster/ipfsproxy/1.1.6')
    }
  })

  it('reports cluster errors as Kubo errors (query and slash forms)', async () => {
    for (const path of [`pin/add?arg=${ERROR_CID}`, `pin/add/${ERROR_CID}`, `pin/rm?arg=${ERROR_CID}`, `pin/rm/${ERROR_CID}`]) {
      const a = await request(`${url}/api/v0/${path}`)
      expect(a.status, path).toBe(500)
      expect(kuboError(a).Message).toBe(ERROR_MESSAGE)
    }
  })

  it('pins every arg in order, honours recursive=false, type=direct and name', async () => {
    const a = await request(`${url}/api/v0/pin/add?arg=${CID1}&arg=${CID4}&recursive=false&name=both`)
    expect(JSON.parse(a.body)).toEqual({ Pins: [CID1, CID4] })
    const calls = cluster.calls.slice(-2)
    expect(calls.map(c => [c.cid, c.options?.mode, c.options?.name])).toEqual([[CID1, 'direct', 'both'], [CID4, 'direct', 'both']])
    await request(`${url}/api/v0/pin/add?arg=${CID4}&type=direct`)
    expect(cluster.calls.at(-1)?.options?.mode).toBe('direct')
    await request(`${url}/api/v0/pin/add?arg=${CID4}`)
    expect(cluster.calls.at(-1)?.options?.mode).toBe('recursive')
  })

  it('unpins, and answers Kubo\'s "not pinned" text for a CID outside the pinset', async () => {
    await request(`${url}/api/v0/pin/add?arg=${CID4}`)
    const a = await request(`${url}/api/v0/pin/rm/${CID4}`)
    expect(JSON.parse(a.body)).toEqual({ Pins: [CID4] })
    const again = await request(`${url}/api/v0/pin/rm?arg=${CID4}`)
    expect(again.status).toBe(500)
    expect(kuboError(again).Message).toBe('not pinned or pinned indirectly')
  })
})

describe('pin/update', () => {
  it('needs two args (400)', async () => {
    const none = await request(`${url}/api/v0/pin/update`)
    expect(none.status).toBe(400)
    expect(kuboError(none).Message).toBe('argument "from-path" is required')
    const one = await request(`${url}/api/v0/pin/update?arg=${CID1}`)
    expect(one.status).toBe(400)
    expect(kuboError(one).Message).toBe('argument "to-path" is required')
    const bad = await request(`${url}/api/v0/pin/update?arg=nope&arg=${CID1}`)
    expect(bad.status).toBe(400)
    expect(kuboError(bad).Message).toMatch(/^error parsing "from-path" argument: /)
  })

  it('pins the new CID with the options of the old one, then unpins the old one', async () => {
    await request(`${url}/api/v0/pin/add?arg=${CID1}&name=old`)
    const a = await request(`${url}/api/v0/pin/update?arg=${CID1}&arg=${CID4}&unpin=false`)
    expect(a.status).toBe(200)
    expect(JSON.parse(a.body)).toEqual({ Pins: [CID1, CID4] })
    const pinCall = cluster.calls.at(-1)
    expect(pinCall?.options?.pinUpdate?.toString()).toBe(CID1)
    expect(pinCall?.options?.name).toBe('old')
    expect(cluster.pins.has(CID1)).toBe(true)
    // unpin defaults to true: the unpin step runs (and fails for the error CID).
    const unpin = await request(`${url}/api/v0/pin/update?arg=${ERROR_CID}&arg=${CID4}`)
    expect(unpin.status).toBe(500)
    expect(kuboError(unpin).Message).toBe(ERROR_MESSAGE)
    const pin = await request(`${url}/api/v0/pin/update?arg=${CID1}&arg=${ERROR_CID}&unpin=false`)
    expect(pin.status).toBe(500)
    expect(kuboError(pin).Message).toBe(ERROR_MESSAGE)
  })
})

describe('pin/ls', () => {
  it('lists one CID from the pinset (query and slash forms)', async () => {
    await request(`${url}/api/v0/pin/add?arg=${CID1}`)
    for (const path of [`pin/ls?arg=${CID1}`, `pin/ls/${CID1}`]) {
      const a = await request(`${url}/api/v0/${path}`)
      expect(a.status).toBe(200)
      expect(JSON.parse(a.body)).toEqual({ Keys: { [CID1]: { Type: 'recursive', Name: '' } } })
    }
    const s = await request(`${url}/api/v0/pin/ls?arg=${CID3}&stream=true`)
    expect(s.body).toBe(`{"Cid":"${CID3}","Type":"direct"}\n`)
    const wrongType = await request(`${url}/api/v0/pin/ls?arg=${CID3}&type=recursive&stream=true`)
    expect(wrongType.status).toBe(500)
    expect(kuboError(wrongType).Message).toBe(`path '${CID3}' is not pinned`)
  })

  it('lists everything, typed by mode, and filters by type', async () => {
    const all = await request(`${url}/api/v0/pin/ls`)
    const keys = JSON.parse(all.body).Keys as Record<string, { Type: string }>
    expect(Object.keys(keys).length).toBe(cluster.pins.size)
    expect(keys[CID3]?.Type).toBe('direct')
    const stream = await request(`${url}/api/v0/pin/ls?stream=true&type=direct`)
    expect(stream.headers.trailer).toBe('X-Stream-Error')
    expect(stream.headers['x-chunked-output']).toBe('1')
    expect(stream.body.endsWith('\n')).toBe(true)
    const direct = lines(stream.body) as Array<{ Cid: string, Type: string }>
    expect(direct.every(e => e.Type === 'direct')).toBe(true)
    expect(direct.map(e => e.Cid)).toContain(CID3)
    expect(lines((await request(`${url}/api/v0/pin/ls?s=true&type=indirect`)).body)).toEqual([])
  })

  it('rejects bad CIDs, unknown types and CIDs outside the pinset', async () => {
    const bad = await request(`${url}/api/v0/pin/ls?arg=${ERROR_CID.slice(0, 10)}`)
    expect(bad.status).toBe(400)
    expect(kuboError(bad).Message).toMatch(/cid/i)
    const type = await request(`${url}/api/v0/pin/ls?type=sideways`)
    expect(type.status).toBe(400)
    expect(kuboError(type).Message).toContain("invalid type 'sideways'")
    const missing = await request(`${url}/api/v0/pin/ls?arg=${NOT_IN_PINSET_CID}`)
    expect(kuboError(missing).Message).toBe(`path '${NOT_IN_PINSET_CID}' is not pinned`)
  })
})

describe('repo/stat and repo/gc', () => {
  it('sums the peers that answered', async () => {
    const a = await request(`${url}/api/v0/repo/stat?size-only=true`)
    expect(a.body).toBe('{"RepoSize":6000,"StorageMax":300000}')
  })

  it('streams GC results with errors as lines', async () => {
    const a = await request(`${url}/api/v0/repo/gc?stream-errors=true`)
    expect(a.status).toBe(200)
    expect(a.headers.trailer).toBe('X-Stream-Error')
    const entries = lines(a.body) as Array<{ Key: { '/': string } | null, Error?: string }>
    expect(entries[0]).toEqual({ Key: { '/': CID1 } })
    expect(entries[4]).toEqual({ Key: null, Error: 'no link by that name' })
    expect(entries).toHaveLength(9)
    expect(a.trailers['x-stream-error'] ?? '').toBe('')
  })

  it('puts GC errors in the trailer otherwise', async () => {
    const a = await request(`${url}/api/v0/repo/gc?stream-errors=false`)
    const entries = lines(a.body) as Array<{ Key: unknown, Error?: string }>
    expect(entries).toHaveLength(8)
    expect(entries.every(e => e.Error === undefined && e.Key !== null)).toBe(true)
    expect(a.trailers['x-stream-error']?.trim()).toBe('no link by that name;')
  })
})

describe('add', () => {
  const tree = [
    { name: 'dir', content: '', directory: true },
    { name: 'dir/a.txt', content: 'a'.repeat(300_000) },
    { name: 'dir/sub', content: '', directory: true },
    { name: 'dir/sub/b.txt', content: 'hello proxy add' }
  ]

  async function expectedRoot (query: string): Promise<string> {
    const m = multipart(tree)
    const a = await request(`${kubo.apiUrl}/api/v0/add?only-hash=true&${query}`, { headers: { 'Content-Type': m.contentType }, body: m.body })
    return (lines(a.body).at(-1) as { Hash: string }).Hash
  }

  for (const query of ['recursive=true', 'recursive=true&progress=true', 'recursive=true&wrap-with-directory=true', 'recursive=true&trickle=true', 'recursive=true&layout=trickle&cid-version=1']) {
    it(`adds with the cluster adder and pins the root cluster-wide (${query})`, async () => {
      const m = multipart(tree)
      const a = await request(`${url}/api/v0/add?${query}&replication-min=2&replication-max=3&name=tree`, { headers: { 'Content-Type': m.contentType }, body: m.body })
      expect(a.status).toBe(200)
      expect(a.headers['x-chunked-output']).toBe('1')
      expect(a.trailers['x-stream-error'] ?? '').toBe('')
      const out = lines(a.body) as Array<{ Name: string, Hash?: string, Size?: string, Bytes?: number }>
      const root = out.at(-1)
      const want = await expectedRoot(query.replace('layout=trickle', 'trickle=true'))
      expect(root?.Hash).toBe(want)
      expect(typeof root?.Size).toBe('string')
      if (query.includes('progress')) expect(out.some(l => l.Hash === undefined && typeof l.Bytes === 'number')).toBe(true)
      const pin = cluster.pins.get(want)
      expect(pin?.replicationFactorMin).toBe(2)
      expect(pin?.replicationFactorMax).toBe(3)
      expect(pin?.name).toBe('tree')
      // Kubo itself keeps no pin of its own: the cluster decides.
      await expect(kubo.rpc('pin/ls', { arg: want })).rejects.toThrow(/not pinned/)
    })
  }

  it('buffers the output into an array with stream-channels=false', async () => {
    const m = multipart([{ name: 'single.txt', content: 'one file' }])
    const a = await request(`${url}/api/v0/add?stream-channels=false`, { headers: { 'Content-Type': m.contentType }, body: m.body })
    expect(a.status).toBe(200)
    const out = JSON.parse(a.body) as Array<{ Name: string, Hash: string }>
    expect(out).toHaveLength(1)
    expect(out[0]?.Name).toBe('single.txt')
    expect(cluster.pins.has(out[0]?.Hash ?? '')).toBe(true)
  })

  it('does not pin with pin=false; rejects a non-multipart body and only-hash', async () => {
    const m = multipart([{ name: 'nopin.txt', content: `no pin ${Date.now()}` }])
    const a = await request(`${url}/api/v0/add?pin=false`, { headers: { 'Content-Type': m.contentType }, body: m.body })
    const hash = (lines(a.body).at(-1) as { Hash: string }).Hash
    expect(cluster.pins.has(hash)).toBe(false)
    const notMultipart = await request(`${url}/api/v0/add?recursive=true`, { body: '' })
    expect(notMultipart.status).toBe(400)
    expect(kuboError(notMultipart).Message).toMatch(/^error reading request: /)
    const onlyHash = await request(`${url}/api/v0/add?only-hash=true`, { headers: { 'Content-Type': m.contentType }, body: m.body })
    expect(kuboError(onlyHash).Message).toBe('only-hash is not supported when adding to cluster')
    const badBool = await request(`${url}/api/v0/add?hidden=perhaps`, { headers: { 'Content-Type': m.contentType }, body: m.body })
    expect(kuboError(badBool).Message).toBe('error parsing options:parameter hidden invalid')
  })
})

describe('block/put and dag/put with pin=true', () => {
  for (const codec of ['raw', 'dag-pb', 'dag-cbor']) {
    it(`pins each block put with cid-codec=${codec} in the cluster, not in Kubo`, async () => {
      const form = multipart([{ name: 'b1', content: codec === 'dag-pb' ? Buffer.from('0a0208011801', 'hex') : codec === 'dag-cbor' ? Buffer.from('a16161' + '01', 'hex') : `block one ${codec}` },
        { name: 'b2', content: codec === 'dag-pb' ? Buffer.from('0a0208021802', 'hex') : codec === 'dag-cbor' ? Buffer.from('a16162' + '02', 'hex') : `block two ${codec}` }])
      const a = await request(`${url}/api/v0/block/put?pin=true&cid-codec=${codec}`, { headers: { 'Content-Type': form.contentType }, body: form.body })
      expect(a.status).toBe(200)
      const out = lines(a.body) as Array<{ Key: string, Size: number }>
      expect(out).toHaveLength(2)
      for (const { Key } of out) {
        expect(cluster.pins.has(Key)).toBe(true)
        await expect(kubo.rpc('pin/ls', { arg: Key })).rejects.toThrow(/not pinned/)
      }
    })
  }

  it('pins each dag/put node and echoes {"Cid":{"/":…}}', async () => {
    const form = multipart([{ name: 'n1', content: '{"x":1}' }, { name: 'n2', content: '{"x":2}' }])
    const a = await request(`${url}/api/v0/dag/put?pin=true&store-codec=dag-cbor&input-codec=dag-json`, { headers: { 'Content-Type': form.contentType }, body: form.body })
    const out = lines(a.body) as Array<{ Cid: { '/': string } }>
    expect(out).toHaveLength(2)
    for (const { Cid } of out) expect(cluster.pins.has(Cid['/'])).toBe(true)
  })

  it('copies Kubo\'s error for an oversize block', async () => {
    const form = multipart([{ name: 'big', content: Buffer.alloc(2 * 1024 * 1024 + 10, 7) }])
    const a = await request(`${url}/api/v0/block/put?pin=true`, { headers: { 'Content-Type': form.contentType }, body: form.body })
    expect(a.status).toBe(500)
    expect(kuboError(a).Message).toMatch(/block/i)
  })
})

describe('bad input', () => {
  it('answers malformed and missing args with Kubo errors (400: the client\'s mistake)', async () => {
    for (const path of ['pin/add?arg=not-a-cid', 'pin/add', 'pin/rm?arg=', 'pin/add?arg=/ipfs/', 'pin/add/%ZZ']) {
      const a = await request(`${url}/api/v0/${path}`)
      if (path.endsWith('%ZZ')) { expect(a.status).toBe(400); continue } // not intercepted: Kubo's own 400
      expect(a.status, path).toBe(400)
      expect(kuboError(a).Message, path).toMatch(/^Error parsing IPFS Path: /)
    }
  })

  it('ignores unknown flags like Kubo does', async () => {
    const a = await request(`${url}/api/v0/pin/add?arg=${CID1}&frobnicate=yes`)
    expect(a.status).toBe(200)
    const v = await request(`${url}/api/v0/version?frobnicate=yes`)
    expect(v.status).toBe(200)
  })

  it('ignores a large body on a call that takes none', async () => {
    const a = await request(`${url}/api/v0/pin/ls?arg=${CID1}`, { body: Buffer.alloc(8 * 1024 * 1024, 1) })
    expect(a.status).toBe(200)
    expect(JSON.parse(a.body).Keys[CID1]).toBeDefined()
  })

  it('answers 431 to oversize headers, passes big-but-allowed ones to Kubo', async () => {
    const p = await startProxy(cluster, { maxHeaderBytes: 16384 })
    try {
      const ok = await request(`${p.url}/api/v0/not/a/command`, { headers: { 'X-Big': 'a'.repeat(10_000) } })
      expect(ok.status).toBe(404)
      const big = await request(`${p.url}/api/v0/not/a/command`, { headers: { 'X-Big': 'a'.repeat(50_000) } })
      expect(big.status).toBe(431)
    } finally {
      await p.proxy.stop()
    }
  })

  it('with Kubo down: 502 on proxied calls, Kubo errors on intercepted ones that need it', async () => {
    const dead = new ProxyServer(cluster.asApi(), { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: '/ip4/127.0.0.1/tcp/1' }, { stopGraceMs: 500 })
    const { url: deadUrl } = await dead.start()
    try {
      const v = await request(`${deadUrl}/api/v0/version`)
      expect(v.status).toBe(502)
      expect(kuboError(v).Message).toMatch(/ECONNREFUSED/)
      const m = multipart([{ name: 'x', content: 'x' }])
      // `add` belongs to the cluster adder, which does not need this proxy's Kubo.
      const add = await request(`${deadUrl}/api/v0/add`, { headers: { 'Content-Type': m.contentType }, body: m.body })
      expect(add.status).toBe(200)
      expect((lines(add.body).at(-1) as { Hash?: string }).Hash).toMatch(/^Qm/)
      const upd = await request(`${deadUrl}/api/v0/pin/update?arg=/ipns/example.org&arg=${CID1}`)
      expect(upd.status).toBe(500)
      expect(kuboError(upd).Message.length).toBeGreaterThan(0)
      const stat = await request(`${deadUrl}/api/v0/repo/stat`)
      expect(stat.status).toBe(500)
      kuboError(stat)
      // The cluster still answers what it owns.
      const ls = await request(`${deadUrl}/api/v0/pin/ls?arg=${CID1}`)
      expect(ls.status).toBe(200)
    } finally {
      await dead.stop()
    }
  })
})

describe('life cycle', () => {
  it('appends access lines to log_file across restarts; stop twice is fine', async () => {
    const logFile = join(dir, 'proxy.log')
    const first = await startProxy(cluster, { logFile })
    expect(statSync(logFile).size).toBe(0)
    await request(`${first.url}/api/v0/version`)
    await first.proxy.stop()
    await first.proxy.stop()
    const size1 = statSync(logFile).size
    expect(size1).toBeGreaterThan(0)
    expect(readFileSync(logFile, 'utf8')).toMatch(/"POST \/api\/v0\/version HTTP\/1.1" 200 \d+\n$/)
    const second = await startProxy(cluster, { logFile })
    await request(`${second.url}/api/v0/pin/ls?arg=${CID1}`)
    await second.proxy.stop()
    expect(statSync(logFile).size).toBeGreaterThan(size1)
  })

  it('fails to start on a busy port', async () => {
    const busy = new ProxyServer(cluster.asApi(), { listenMultiaddress: [proxy.addresses[0]?.multiaddr ?? ''], nodeMultiaddress: kubo.apiMultiaddr })
    await expect(busy.start()).rejects.toThrow(/error creating IPFS Proxy component/)
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import { base58btc } from 'multiformats/bases/base58'
import {
  BlockPutError, ConfigKeyError, IpfsApiError, IpfsBadResponseError, IpfsConnector, KuboClient, UnpinDisabledError,
  type IpfsConnectorOptions
} from '../src/index.ts'
import { FakeKubo, kuboHeaders, sendJson, sendKuboError, type RecordedRequest } from './helpers/fake-kubo.ts'
import type { ServerResponse } from 'node:http'

const V1 = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const PEER = '12D3KooWLz5dHyyrr9ZP5ZMW6TZxbqJfHW4BQy8hG3Cq1c2eDo2v'

let fake: FakeKubo | undefined
let connector: IpfsConnector | undefined
afterEach(async () => {
  connector?.shutdown()
  connector = undefined
  await fake?.close()
  fake = undefined
})

type Route = (res: ServerResponse, rec: RecordedRequest) => void

async function withRoutes (routes: Record<string, Route>, options: IpfsConnectorOptions = {}): Promise<{ fake: FakeKubo, connector: IpfsConnector }> {
  fake = await FakeKubo.start((_req, res, rec) => {
    const route = routes[rec.endpoint]
    if (route === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' })
      res.end('404 page not found\n')
      return
    }
    route(res, rec)
  })
  connector = new IpfsConnector({ ...options, config: { nodeMultiaddress: fake.multiaddr, ...options.config } })
  return { fake, connector }
}

const endpoints = (f: FakeKubo): string[] => f.requests.map(r => r.endpoint)

describe('request shape', () => {
  it('POSTs every call, repeats arg, sends no Origin/Referer nor a browser User-Agent', async () => {
    const { fake, connector } = await withRoutes({
      'pin/update': (res, rec) => { sendJson(res, 200, { Pins: rec.query.getAll('arg') }) }
    })
    const pins = await connector.client.pinUpdate(V1, 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq')
    expect(pins).toEqual([V1, 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq'])
    const rec = fake.requests[0]
    expect(rec?.method).toBe('POST')
    expect(rec?.query.toString()).toBe(`arg=${V1}&arg=QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq&unpin=false`)
    expect(rec?.headers.origin).toBeUndefined()
    expect(rec?.headers.referer).toBeUndefined()
    expect(String(rec?.headers['user-agent'] ?? '')).not.toMatch(/^Mozilla/)
  })
})

describe('id, swarm, repo stat, config', () => {
  it('id skips unparseable addresses and tolerates Addresses: null', async () => {
    let addresses: unknown = ['/ip4/127.0.0.1/tcp/4001/p2p/' + PEER, '/ip4/1.2.3.4/tcp/1/totally-new-proto/x']
    const warnings: string[] = []
    const { connector } = await withRoutes({ id: (res) => { sendJson(res, 200, { ID: PEER, Addresses: addresses, AgentVersion: 'kubo/0.42.0/' }) } },
      { logger: (level, m) => { if (level === 'warn') warnings.push(m) } })
    const id = await connector.ipfsId()
    expect(id).toEqual({ id: PEER, addresses: ['/ip4/127.0.0.1/tcp/4001/p2p/' + PEER], agentVersion: 'kubo/0.42.0/' })
    expect(warnings).toHaveLength(1)
    addresses = null
    expect((await connector.ipfsId()).addresses).toEqual([])
  })

  it('id fails with IpfsBadResponseError when ID is not a peer ID', async () => {
    const { connector } = await withRoutes({ id: (res) => { sendJson(res, 200, { ID: 'not-a-peer', Addresses: [] }) } })
    await expect(connector.ipfsId()).rejects.toBeInstanceOf(IpfsBadResponseError)
  })

  it('swarm/peers maps Peers: null to [] and reads each Peer', async () => {
    let peers: unknown = null
    const { connector } = await withRoutes({ 'swarm/peers': (res) => { sendJson(res, 200, { Peers: peers }) } })
    expect(await connector.swarmPeers()).toEqual([])
    peers = [{ Addr: '/ip4/127.0.0.1/tcp/4001', Peer: PEER, Identify: {} }]
    expect(await connector.swarmPeers()).toEqual([PEER])
  })

  it('repo/stat reads sizes as bigint, exactly, even 2^64-1', async () => {
    const { fake, connector } = await withRoutes({
      'repo/stat': (res) => {
        res.writeHead(200, kuboHeaders())
        res.end('{"RepoSize":9007199254740993,"StorageMax":18446744073709551615,"NumObjects":0,"RepoPath":"","Version":""}\n')
      }
    })
    expect(await connector.repoStat()).toEqual({ repoSize: 9007199254740993n, storageMax: 18446744073709551615n, numObjects: 0n })
    expect(fake.requests[0]?.query.get('size-only')).toBe('true')
  })

  it('configKey walks Kubo\'s configuration and reports missing keys and bad paths', async () => {
    const { connector } = await withRoutes({ 'config/show': (res) => { sendJson(res, 200, { Datastore: { StorageMax: '10G' } }) } })
    expect(await connector.configKey('Datastore/StorageMax')).toBe('10G')
    await expect(connector.configKey('Datastore/Nope')).rejects.toThrow(new ConfigKeyError('key not found in configuration'))
    await expect(connector.configKey('Datastore/StorageMax/x')).rejects.toThrow(new ConfigKeyError('invalid path'))
  })
})

describe('pin / unpin flows', () => {
  it('does not call pin/add when the CID is already pinned as wanted (compared by value, any base)', async () => {
    const b58 = CID.parse(V1).toString(base58btc) // same CID, another base (zb2…)
    const { fake, connector } = await withRoutes({
      'pin/ls': (res) => {
        res.writeHead(200, kuboHeaders(true))
        res.end(JSON.stringify({ Cid: b58, Type: 'recursive' }) + '\n')
      }
    })
    await connector.pin({ cid: V1 })
    expect(endpoints(fake)).toEqual(['pin/ls'])
    expect(fake.requests[0]?.query.toString()).toBe(`stream=true&arg=${V1}&type=recursive`)
  })

  it('pins with pin/add when not pinned; maps max_depth to Kubo\'s query', async () => {
    const { fake, connector } = await withRoutes({
      'pin/ls': (res, rec) => { sendKuboError(res, `path '${rec.query.get('arg') ?? ''}' is not pinned`) },
      'pin/add': (res, rec) => {
        res.writeHead(200, kuboHeaders(true))
        res.end(`{"Progress":1}\n${JSON.stringify({ Pins: [rec.query.get('arg')] })}\n`)
      }
    })
    await connector.pin({ cid: V1, maxDepth: 0 })
    await connector.pin({ cid: V1, maxDepth: 1 })
    await connector.pin({ cid: V1 })
    const adds = fake.requests.filter(r => r.endpoint === 'pin/add').map(r => r.query.toString())
    expect(adds).toEqual([
      `arg=${V1}&recursive=false&progress=true`,
      `arg=${V1}&max-depth=1&recursive=true&progress=true`,
      `arg=${V1}&recursive=true&progress=true`
    ])
    // The third pin, fully recursive, skipped the check: Kubo had answered pin/add itself by then.
    expect(fake.requests.filter(r => r.endpoint === 'pin/ls').map(r => r.query.get('type'))).toEqual(['direct', 'recursive'])
    expect(connector.pinsAdded).toBe(3)
  })

  /** A Kubo stand-in (pins in a map) whose pin/add answers as `answer` says: Kubo's stream or a cluster proxy's object. */
  async function pinningKubo (answer: 'kubo' | 'cluster proxy'): Promise<{ fake: FakeKubo, connector: IpfsConnector }> {
    const pinned = new Set<string>()
    return await withRoutes({
      'pin/ls': (res, rec) => {
        const arg = rec.query.get('arg') ?? ''
        if (!pinned.has(arg)) { sendKuboError(res, `path '${arg}' is not pinned`); return }
        res.writeHead(200, kuboHeaders(true))
        res.end(JSON.stringify({ Cid: arg, Type: 'recursive' }) + '\n')
      },
      'pin/add': (res, rec) => {
        const arg = rec.query.get('arg') ?? ''
        pinned.add(arg)
        if (answer === 'kubo') {
          res.writeHead(200, { ...kuboHeaders(true), Server: 'kubo/0.42.0' })
          res.end(`{"Progress":1}\n${JSON.stringify({ Pins: [arg] })}\n`)
        } else {
          res.writeHead(200, { 'Content-Type': 'application/json', Server: 'ipfs-cluster/ipfsproxy/1.1.6' })
          res.end(JSON.stringify({ Pins: [arg] }))
        }
      }
    })
  }

  it('once Kubo answered a pin/add itself, a recursive pin goes straight to pin/add (Kubo ignores a pin it already has)', async () => {
    const { fake, connector } = await pinningKubo('kubo')
    const other = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1]))).toString()
    await connector.pin({ cid: V1 })
    await connector.pin({ cid: other })
    await connector.pin({ cid: V1 })
    expect(endpoints(fake)).toEqual(['pin/ls', 'pin/add', 'pin/add', 'pin/add'])
    // A direct pin still asks first.
    await connector.pin({ cid: V1, maxDepth: 0 })
    expect(endpoints(fake).slice(4)).toEqual(['pin/ls', 'pin/add'])
  })

  it('keeps the pin/ls check below an IPFS Cluster proxy, whose pin/add would replace the options of a pin it holds', async () => {
    const { fake, connector } = await pinningKubo('cluster proxy')
    await connector.pin({ cid: V1 })
    await connector.pin({ cid: V1 })
    await connector.pin({ cid: V1 })
    expect(endpoints(fake)).toEqual(['pin/ls', 'pin/add', 'pin/ls', 'pin/ls'])
  })

  it('uses pin/update when the pin_update source is pinned recursively', async () => {
    const FROM = 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq'
    const { fake, connector } = await withRoutes({
      'pin/ls': (res, rec) => {
        const arg = rec.query.get('arg') ?? ''
        if (arg === FROM) {
          res.writeHead(200, kuboHeaders(true))
          res.end(JSON.stringify({ Cid: FROM, Type: 'recursive' }) + '\n')
        } else sendKuboError(res, `path '${arg}' is not pinned`)
      },
      'pin/update': (res, rec) => { sendJson(res, 200, { Pins: rec.query.getAll('arg') }) }
    })
    await connector.pin({ cid: V1, pinUpdate: FROM })
    expect(endpoints(fake)).toEqual(['pin/ls', 'pin/ls', 'pin/update'])
    expect(fake.requests[2]?.query.get('unpin')).toBe('false')
  })

  it('fires origin swarm/connects (at most 10) in the background, errors ignored', async () => {
    const { fake, connector } = await withRoutes({
      'pin/ls': (res) => { sendKuboError(res, 'path is not pinned') },
      'swarm/connect': (res) => { sendKuboError(res, 'connect failure: dial to self attempted') },
      'pin/add': (res, rec) => {
        // Answer after the origins had a chance to be dialled.
        setTimeout(() => { sendJson(res, 200, { Pins: [rec.query.get('arg')] }) }, 100)
      }
    })
    const origins = Array.from({ length: 12 }, (_, i) => `/ip4/127.0.0.${i + 1}/tcp/4001/p2p/${PEER}`)
    await connector.pin({ cid: V1, origins })
    expect(fake.requests.filter(r => r.endpoint === 'swarm/connect')).toHaveLength(10)
  })

  it('treats "not pinned or pinned indirectly" as a successful unpin, other errors as failures', async () => {
    let message = 'not pinned or pinned indirectly'
    const { connector } = await withRoutes({ 'pin/rm': (res) => { sendKuboError(res, message) } })
    await expect(connector.unpin(V1)).resolves.toBeUndefined()
    message = 'pinned indirectly, not unpinning'
    await expect(connector.unpin(V1)).rejects.toBeInstanceOf(IpfsApiError)
  })

  it('refuses to unpin when unpin_disable is set, without calling Kubo', async () => {
    const { fake, connector } = await withRoutes({}, { config: { unpinDisable: true } })
    await expect(connector.unpin(V1)).rejects.toThrow(new UnpinDisabledError())
    expect(fake.requests).toHaveLength(0)
  })

  it('pinLsCid maps "not pinned" to unpinned and other failures to errors', async () => {
    let message = `path '${V1}' is not pinned`
    const { connector } = await withRoutes({ 'pin/ls': (res) => { sendKuboError(res, message) } })
    expect(await connector.pinLsCid(V1, -1)).toBe('unpinned')
    message = 'blockstore: block not found'
    await expect(connector.pinLsCid(V1, -1)).rejects.toBeInstanceOf(IpfsApiError)
    await expect(connector.pinLsCid(undefined)).rejects.toThrow('calling PinLsCid without a defined CID')
  })

  it('pinLs lists every requested type (not only the first) and parses types', async () => {
    const { fake, connector } = await withRoutes({
      'pin/ls': (res, rec) => {
        res.writeHead(200, kuboHeaders(true))
        const type = rec.query.get('type')
        res.end(type === 'recursive'
          ? JSON.stringify({ Cid: V1, Type: 'recursive' }) + '\n'
          : JSON.stringify({ Cid: 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq', Type: 'direct' }) + '\n' +
            JSON.stringify({ Cid: 'QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn', Type: 'indirect through ' + V1 }) + '\n')
      }
    })
    const types: string[] = []
    for await (const e of connector.pinLs(['recursive', 'direct'])) types.push(e.type)
    expect(types).toEqual(['recursive', 'direct', 'indirect'])
    expect(fake.requests.map(r => r.query.get('type'))).toEqual(['recursive', 'direct'])
    expect(connector.lastPinCount).toBe(3)
  })
})

describe('informer triggers, resolve, block stream', () => {
  it('calls the informer trigger every informer_trigger_interval events (start and end of a pin)', async () => {
    let triggers = 0
    const { connector } = await withRoutes({
      'pin/ls': (res) => { sendKuboError(res, 'path is not pinned') },
      'pin/add': (res, rec) => { sendJson(res, 200, { Pins: [rec.query.get('arg')] }) }
    }, { config: { informerTriggerInterval: 3 }, onInformerTrigger: () => { triggers++ } })
    await connector.pin({ cid: V1 })
    expect(triggers).toBe(0)
    await connector.pin({ cid: V1 })
    expect(triggers).toBe(1)
    await connector.pin({ cid: V1 })
    expect(triggers).toBe(2)
  })

  it('resolves a bare CID locally and anything longer through Kubo', async () => {
    const { fake, connector } = await withRoutes({ resolve: (res) => { sendJson(res, 200, { Path: `/ipfs/${V1}` }) } })
    expect((await connector.resolve('QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq')).toString()).toBe('QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq')
    expect((await connector.resolve(`/ipfs/${V1}/`)).toString()).toBe(V1)
    expect(fake.requests).toHaveLength(0)
    expect((await connector.resolve(`/ipns/k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8/a.txt`)).toString()).toBe(V1)
    expect(fake.requests[0]?.query.get('arg')).toBe('/ipns/k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8/a.txt')
    await expect(connector.resolve('not a path')).rejects.toThrow('invalid path')
  })

  it('streams blocks as multipart and matches Kubo\'s CIDv1 answers by multihash', async () => {
    const parts: string[] = []
    const { fake, connector } = await withRoutes({})
    // Answer every block as CIDv1, whatever was sent.
    fake.setHandler(async (req, res, rec) => {
      let body = ''
      for await (const chunk of req) body += String(chunk)
      for (const m of body.matchAll(/filename="([^"]+)"/g)) parts.push(CID.parse(m[1] ?? '').toV1().toString())
      expect(rec.query.toString()).toBe('allow-big-block=true&cid-codec=raw&mhlen=32&mhtype=sha2-256&pin=false')
      expect(String(req.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/)
      res.writeHead(200, kuboHeaders(true))
      for (const p of parts) res.write(JSON.stringify({ Key: p, Size: 3 }) + '\n')
      res.end()
    })
    const blocks = await Promise.all(['a', 'b', 'c'].map(async (s) => {
      const bytes = new TextEncoder().encode(s.repeat(3))
      return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
    }))
    expect(await connector.blockStream(blocks)).toBe(3)
    await expect(connector.blockStream([])).rejects.toThrow(new BlockPutError('BlockStream: no blocks to peek in blocks channel'))
  })

  it('refuses a block stream whose blocks are not all acknowledged', async () => {
    const { connector } = await withRoutes({ 'block/put': (res) => { sendJson(res, 200, { Key: V1, Size: 1 }) } })
    const bytes = new TextEncoder().encode('zzz')
    const block = { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
    await expect(connector.blockStream([block])).rejects.toBeInstanceOf(BlockPutError)
  })
})

describe('KuboClient on a unix socket', () => {
  it('speaks HTTP over /unix/<path>', async () => {
    const { createServer } = await import('node:http')
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = await mkdtemp(join(tmpdir(), 'ipfsconn-'))
    const sock = join(dir, 'api.sock')
    const server = createServer((_req, res) => { sendJson(res, 200, { Version: '0.42.0', Commit: '', Repo: '18', System: 'amd64/linux', Golang: 'go1' }) })
    await new Promise<void>(resolve => server.listen(sock, resolve))
    const client = new KuboClient({ address: `/unix${sock}` })
    try {
      expect((await client.version()).version).toBe('0.42.0')
    } finally {
      client.destroy()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
      await rm(dir, { recursive: true, force: true })
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import type { KuboDaemon } from '@cluster/test-utils'
import {
  DiskInformer, IpfsAbortedError, IpfsConnector, IpfsUnreachableError, NumpinInformer, PinStalledError, sameMultihash,
  type BlockInput, type PinProgress
} from '../src/index.ts'
import { ManualClock, until } from './helpers/manual-clock.ts'
import { startKubo } from './helpers/kubo.ts'

let kubo: KuboDaemon
let other: KuboDaemon
let connector: IpfsConnector
let clock: ManualClock
let dir: string

beforeAll(async () => {
  [kubo, other] = await Promise.all([startKubo(), startKubo()])
  clock = new ManualClock()
  connector = new IpfsConnector({ clock, config: { nodeMultiaddress: kubo.apiMultiaddr, pinTimeoutMs: 5000 } })
  dir = await mkdtemp(join(tmpdir(), 'ipfsconn-data-'))
}, 120_000)

afterAll(async () => {
  connector?.shutdown()
  await Promise.all([kubo?.stop(), other?.stop()])
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

/** `ipfs add -r` of a fresh folder (not pinned); returns root CID and the per-file CIDs. */
async function addFolder (name: string, files: Record<string, string>, node = kubo): Promise<{ root: string, byPath: Map<string, string> }> {
  const base = join(dir, name)
  for (const [rel, content] of Object.entries(files)) {
    const path = join(base, rel)
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, content)
  }
  const out = await node.cli(['add', '-r', '--pin=false', '--cid-version=1', base])
  const byPath = new Map<string, string>()
  for (const line of out.trim().split('\n')) {
    const [, cid, path] = line.split(' ')
    if (cid !== undefined && path !== undefined) byPath.set(path, cid)
  }
  const root = byPath.get(name)
  if (root === undefined) throw new Error(`no root in ${out}`)
  return { root, byPath }
}

async function rawBlock (text: string): Promise<BlockInput> {
  const bytes = new TextEncoder().encode(text)
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
}

describe('IpfsConnector against a real Kubo', () => {
  it('reads Kubo\'s identity and version', async () => {
    const id = await connector.ipfsId()
    expect(id.id).toBe(kubo.peerId)
    expect(id.addresses).toEqual(expect.arrayContaining(kubo.swarmAddresses))
    expect((await connector.client.version()).version).toMatch(/^0\.\d+\.\d+/)
  })

  it('pins a real DAG recursively with progress, sees it, unpins it', async () => {
    const { root, byPath } = await addFolder('dag', {
      'a.txt': 'hello',
      'sub/b.txt': randomBytes(300_000).toString('hex'),
      'sub/c.txt': 'world'
    })
    expect(await connector.pinLsCid(root, -1)).toBe('unpinned')
    const progress: PinProgress[] = []
    await connector.pin({ cid: root }, { onProgress: (p) => { progress.push(p) } })
    expect(progress.length).toBeGreaterThan(0)
    expect(Math.max(...progress.map(p => p.progress))).toBeGreaterThan(1)
    expect(await connector.pinLsCid(root, -1)).toBe('recursive')
    // A child is pinned indirectly: not pinned "recursively" as itself.
    expect(await connector.pinLsCid(byPath.get('dag/sub/c.txt'), -1)).toBe('unpinned')
    await connector.unpin(root)
    expect(await connector.pinLsCid(root, -1)).toBe('unpinned')
    // Unpinning again is fine ("not pinned or pinned indirectly").
    await connector.unpin(root)
  })

  it('stores blocks through block/put and pins one directly', async () => {
    const block = await rawBlock(`direct-${randomBytes(8).toString('hex')}`)
    expect(await connector.blockStream([block])).toBe(1)
    expect(Buffer.from(await connector.blockGet(block.cid))).toEqual(Buffer.from(block.bytes))
    expect((await connector.client.blockStat(block.cid)).size).toBe(block.bytes.length)
    await connector.pin({ cid: block.cid, maxDepth: 0 })
    expect(await connector.pinLsCid(block.cid, 0)).toBe('direct')
    expect(await connector.pinLsCid(block.cid, -1)).toBe('unpinned')
    const direct: CID[] = []
    for await (const e of connector.pinLs(['direct'])) direct.push(e.cid)
    expect(direct.some(c => sameMultihash(c, block.cid))).toBe(true)
  })

  it('pins again straight through pin/add once Kubo has answered one: Kubo keeps what it has, a direct pin becomes recursive', async () => {
    const block = await rawBlock(`again-${randomBytes(8).toString('hex')}`)
    await connector.blockStream([block])
    await connector.pin({ cid: block.cid, maxDepth: 0 })
    expect(await connector.pinLsCid(block.cid, 0)).toBe('direct')
    const adds = connector.counters.pinAdd
    // Recursive over direct: pin/add only (Kubo has answered pin/add by now), as pin/ls then pin/add did.
    await connector.pin({ cid: block.cid })
    expect(await connector.pinLsCid(block.cid, -1)).toBe('recursive')
    expect(await connector.pinLsCid(block.cid, 0)).toBe('unpinned')
    // Already pinned: Kubo answers the pin/add at once and the pin stays.
    await connector.pin({ cid: block.cid })
    expect(connector.counters.pinAdd).toBe(adds + 2)
    expect(await connector.pinLsCid(block.cid, -1)).toBe('recursive')
  })

  it('pins CIDs started in the same turn in one pin/add when Kubo holds their blocks; a CID it lacks sends each to its own call', async () => {
    const c = new IpfsConnector({ config: { nodeMultiaddress: kubo.apiMultiaddr, pinTimeoutMs: 1500 } })
    try {
      const blocks = await Promise.all(Array.from({ length: 7 }, async (_, i) => await rawBlock(`batch-${i}-${randomBytes(8).toString('hex')}`)))
      await c.blockStream(blocks)
      const [first, ...rest] = blocks as [BlockInput, ...BlockInput[]]
      // The first pin/add shows that Kubo itself answers (the one-call path is for Kubo only).
      await c.pin({ cid: first.cid })
      const before = c.counters.pinAdd
      await Promise.all(rest.slice(0, 5).map(async b => { await c.pin({ cid: b.cid }) }))
      expect(c.counters.pinAdd - before).toBe(1)
      for (const b of blocks.slice(0, 6)) expect(await c.pinLsCid(b.cid, -1)).toBe('recursive')

      // Beside a block Kubo holds, one nobody has (routing is off): the call fails at once and
      // each pin goes its own way: the first is pinned, the other stalls as it would alone.
      const local = rest[5] as BlockInput
      const missing = (await rawBlock(`batch-missing-${randomBytes(8).toString('hex')}`)).cid
      const [ok, stalled] = await Promise.allSettled([c.pin({ cid: local.cid }), c.pin({ cid: missing })])
      expect(ok.status).toBe('fulfilled')
      expect(stalled.status === 'rejected' ? stalled.reason : undefined).toBeInstanceOf(PinStalledError)
      expect(await c.pinLsCid(local.cid, -1)).toBe('recursive')
      expect(await c.pinLsCid(missing, -1)).toBe('unpinned')
      expect(c.counters.ipfsPins).toBe(7)
    } finally {
      c.shutdown()
    }
  })

  it('pins with pin/update from an existing recursive pin, keeping the old one', async () => {
    const a = await addFolder('upd-a', { 'x.txt': 'version 1', 'same.txt': 'shared' })
    const b = await addFolder('upd-b', { 'x.txt': 'version 2', 'same.txt': 'shared' })
    await connector.pin({ cid: a.root })
    await connector.pin({ cid: b.root, pinUpdate: a.root })
    expect(await connector.pinLsCid(b.root, -1)).toBe('recursive')
    expect(await connector.pinLsCid(a.root, -1)).toBe('recursive')
  })

  it('streams a listing of 10k pins of both types, all of them', async () => {
    const N = 10_000
    const tag = randomBytes(6).toString('hex')
    const blocks: BlockInput[] = []
    for (let i = 0; i < N; i++) blocks.push(await rawBlock(`bulk-${tag}-${i}`))
    expect(await connector.blockStream(blocks)).toBe(N)
    const BATCH = 500
    for (let i = 0; i < N; i += BATCH) {
      const batch = blocks.slice(i, i + BATCH).map(b => b.cid.toString())
      await kubo.rpc('pin/add', { arg: batch, recursive: i === 0 ? 'false' : 'true' })
    }
    const wanted = new Set(blocks.map(b => b.cid.toString()))
    let seen = 0
    let direct = 0
    for await (const entry of connector.pinLs(['recursive', 'direct'])) {
      if (wanted.delete(entry.cid.toV1().toString())) seen++
      if (entry.type === 'direct') direct++
    }
    expect(seen).toBe(N)
    expect(direct).toBeGreaterThanOrEqual(BATCH)
    expect(connector.lastPinCount).toBeGreaterThanOrEqual(N)
    const [numpin] = await new NumpinInformer(connector).getMetrics()
    expect(Number(numpin?.value)).toBe(connector.lastPinCount)
  }, 120_000)

  it('reads repo size and StorageMax, and the disk informer turns them into freespace', async () => {
    const stat = await connector.repoStat()
    expect(stat.storageMax).toBe(1_000_000_000n)
    expect(stat.repoSize).toBeGreaterThan(0n)
    expect(await connector.configKey('Datastore/StorageMax')).toBe('1GB')
    const [m] = await new DiskInformer(connector).getMetrics()
    expect(m?.valid).toBe(true)
    expect(BigInt(m?.value ?? '0')).toBeLessThanOrEqual(stat.storageMax - stat.repoSize + 1_000_000n)
    expect(BigInt(m?.value ?? '0')).toBeGreaterThan(0n)
  })

  it('connects two Kubos and pins content that only the other one has', async () => {
    const result = await connector.connectSwarms(other.swarmAddresses)
    expect(result).toEqual({ attempted: other.swarmAddresses.length, connected: other.swarmAddresses.length })
    expect(await connector.swarmPeers()).toContain(other.peerId)
    const { root } = await addFolder('remote', { 'r.txt': randomBytes(50_000).toString('hex') }, other)
    await connector.pin({ cid: root, origins: other.swarmAddresses })
    expect(await connector.pinLsCid(root, -1)).toBe('recursive')
  })

  it('resolves paths: bare CIDs locally, sub-paths through Kubo', async () => {
    const { root, byPath } = await addFolder('res', { 'd/file.txt': 'resolve me' })
    expect((await connector.resolve(root)).toString()).toBe(root)
    const resolved = await connector.resolve(`/ipfs/${root}/d/file.txt`)
    expect(resolved.toString()).toBe(byPath.get('res/d/file.txt'))
  })

  it('runs repo gc, streaming the removed keys', async () => {
    const { root } = await addFolder('garbage', { 'g.txt': `garbage ${randomBytes(8).toString('hex')}` })
    const result = await connector.repoGc()
    expect(result.error).toBeUndefined()
    expect(result.keys.some(k => k.key !== null && sameMultihash(k.key, root))).toBe(true)
    expect(await connector.pinLsCid(root, -1)).toBe('unpinned')
  })

  it('aborts a pin of unavailable content after pin_timeout without progress (injected clock)', async () => {
    const missing = (await rawBlock(`nobody-has-${randomBytes(8).toString('hex')}`)).cid
    const p = connector.pin({ cid: missing }).then(() => undefined, (e: unknown) => e)
    await until(() => clock.hasTimer(5000), 'the stall window to be armed')
    await clock.advance(4999)
    expect(await Promise.race([p, Promise.resolve('pending')])).toBe('pending')
    await clock.advance(1)
    expect(await p).toBeInstanceOf(PinStalledError)
    expect(await connector.pinLsCid(missing, -1)).toBe('unpinned')
  })

  it('cancels a pin through an AbortSignal', async () => {
    const missing = (await rawBlock(`nobody-has-${randomBytes(8).toString('hex')}`)).cid
    const ac = new AbortController()
    const p = connector.pin({ cid: missing }, { signal: ac.signal }).then(() => undefined, (e: unknown) => e)
    await until(() => clock.hasTimer(5000), 'pin/add to be under way')
    ac.abort(new Error('operation cancelled by the tracker'))
    expect(await p).toBeInstanceOf(IpfsAbortedError)
  })

  it('reports a dead daemon as IpfsUnreachableError', async () => {
    const c = new IpfsConnector({ config: { nodeMultiaddress: other.apiMultiaddr } })
    try {
      await c.ipfsId()
      await other.kill()
      const err = await c.ipfsId().then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(IpfsUnreachableError)
      expect((err as IpfsUnreachableError).systemCode).toBe('ECONNREFUSED')
    } finally {
      c.shutdown()
    }
  })
})

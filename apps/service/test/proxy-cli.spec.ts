/**
 * The real `ipfs` CLI against the proxy of a real 3-peer cluster (each peer with its own Kubo,
 * replication factor 2): pins made through the proxy are cluster pins.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PinNotFoundError, parseCid } from '@cluster/api'
import { ipfsBinary, KuboDaemon, runGoCtl, until } from '@cluster/test-utils'
import { RestApiServer } from '@cluster/rest-api'
import { ipfsCli, startCluster, statuses, type TestCluster } from './proxy/cluster-harness.ts'

const dir = mkdtempSync(join(tmpdir(), 'proxy-cluster-'))
/** The CLI needs no repository of its own with --api: an empty folder proves it. */
const cliHome = join(dir, 'cli')
const kubos: KuboDaemon[] = []
let cluster: TestCluster
let api: string

const cli = async (...args: string[]): Promise<string> => await ipfsCli(api, args, cliHome)

async function rawBlock (text: string): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([text]))
  return (await (kubos[0] as KuboDaemon).rpc<{ Key: string }>('block/put', {}, form)).Key
}

beforeAll(async () => {
  mkdirSync(cliHome)
  kubos.push(...await Promise.all([0, 1, 2].map(async () => await KuboDaemon.start())))
  cluster = await startCluster({ dir, secret: 'b'.repeat(64), ipfsAddrs: kubos.map(k => k.apiMultiaddr), replication: [2, 2], name: 'peer' })
  api = cluster.proxyAddrs[0] as string
}, 180_000)

afterAll(async () => {
  await cluster?.stop()
  await Promise.all(kubos.map(async k => await k.stop()))
  rmSync(dir, { recursive: true, force: true })
}, 60_000)

describe('the ipfs CLI through the proxy', () => {
  it('version and id are Kubo\'s', async () => {
    expect(await cli('version')).toMatch(/^ipfs version 0\.\d+/)
    const id = JSON.parse(await cli('id')) as { ID: string }
    expect(id.ID).toBe((kubos[0] as KuboDaemon).peerId)
  })

  it('pin add / pin add --progress make cluster pins with replication 2', async () => {
    const a = await rawBlock(`plain ${Date.now()}`)
    const b = await rawBlock(`progress ${Date.now()}`)
    expect((await cli('pin', 'add', a)).trim()).toBe(`pinned ${a} recursively`)
    expect((await cli('pin', 'add', '--progress', b)).trim()).toContain(`pinned ${b} recursively`)
    for (const cid of [a, b]) {
      const pin = await cluster.peers[1]!.allocation(parseCid(cid))
      expect(pin.allocations).toHaveLength(2)
      expect(pin.replicationFactorMin).toBe(2)
      await until(async () => await statuses(cluster.peers[2]!, parseCid(cid)) === 'pinned,pinned,remote' ? true : undefined, `${cid} pinned twice`)
    }
    const listed = await cli('pin', 'ls')
    expect(listed).toContain(`${a} recursive`)
    expect(listed).toContain(`${b} recursive`)
    const streamed = await cli('pin', 'ls', '--stream')
    expect(streamed).toContain(`${a} recursive`)
    expect((await cli('pin', 'ls', a)).trim()).toBe(`${a} recursive`)
  }, 90_000)

  it('pin update moves the pin with its allocations; pin rm unpins cluster-wide', async () => {
    const from = await rawBlock(`from ${Date.now()}`)
    const to = await rawBlock(`to ${Date.now()}`)
    await cli('pin', 'add', from)
    const before = await cluster.peers[0]!.allocation(parseCid(from))
    expect((await cli('pin', 'update', from, to)).trim()).toBe(`updated ${from} to ${to}`)
    const after = await cluster.peers[0]!.allocation(parseCid(to))
    expect([...(after.allocations ?? [])].sort()).toEqual([...(before.allocations ?? [])].sort())
    await expect(cluster.peers[0]!.allocation(parseCid(from))).rejects.toBeInstanceOf(PinNotFoundError)
    expect((await cli('pin', 'rm', to)).trim()).toBe(`unpinned ${to}`)
    await expect(cluster.peers[2]!.allocation(parseCid(to))).rejects.toBeInstanceOf(PinNotFoundError)
    await expect(cli('pin', 'rm', to)).rejects.toThrow(/not pinned or pinned indirectly/)
    await expect(cli('pin', 'ls', to)).rejects.toThrow(/is not pinned/)
  }, 60_000)

  it('Go\'s ipfs-cluster-ctl pin update reaches each allocated Kubo as pin/update (no pin/add), and from stays pinned', async () => {
    const server = new RestApiServer(cluster.peers[0]!, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] })
    const { port } = await server.start()
    try {
      const from = await rawBlock(`update from ${Date.now()}`)
      const to = await rawBlock(`update to ${Date.now()}`)
      await cli('pin', 'add', from)
      const allocated = (await cluster.peers[0]!.allocation(parseCid(from))).allocations ?? []
      const peersOf = cluster.peers.filter(p => allocated.includes(p.peerId))
      await until(async () => await statuses(cluster.peers[0]!, parseCid(from)) === 'pinned,pinned,remote' ? true : undefined, `${from} pinned twice`)
      const pinAdds = peersOf.map(p => p.connector.counters.pinAdd)
      const run = await runGoCtl(['--host', `/ip4/127.0.0.1/tcp/${port}`, 'pin', 'update', '--no-status', from, to])
      expect(run.code).toBe(0)
      await until(async () => await statuses(cluster.peers[0]!, parseCid(to)) === 'pinned,pinned,remote' ? true : undefined, `${to} pinned on the same peers`)
      expect(peersOf.map(p => p.connector.counters.pinAdd)).toEqual(pinAdds)
      expect((await cluster.peers[0]!.allocation(parseCid(from))).allocations).toEqual(allocated)
    } finally {
      await server.stop()
    }
  }, 60_000)

  it('add -r pins the folder cluster-wide; cat reads it back through the proxy', async () => {
    const folder = join(dir, 'folder')
    mkdirSync(join(folder, 'sub'), { recursive: true })
    writeFileSync(join(folder, 'a.txt'), `alpha ${Date.now()}\n`)
    writeFileSync(join(folder, 'sub', 'b.txt'), Buffer.alloc(600_000, 'b'))
    const out = (await cli('add', '-r', folder)).trim().split('\n')
    expect(out).toHaveLength(4)
    const root = /^added (\S+) folder$/.exec(out.at(-1) ?? '')?.[1]
    expect(root).toBeDefined()
    const cid = parseCid(root as string)
    expect((await cluster.peers[2]!.allocation(cid)).allocations).toHaveLength(2)
    await until(async () => await statuses(cluster.peers[0]!, cid) === 'pinned,pinned,remote' ? true : undefined, 'folder pinned twice')
    expect(await cli('cat', `${root as string}/a.txt`)).toMatch(/^alpha \d+\n$/)
    expect((await cli('cat', `${root as string}/sub/b.txt`)).length).toBe(600_000)
  }, 90_000)

  it('`echo … | ipfs add` (a nameless file) is added and pinned cluster-wide, printed as Kubo prints it', async () => {
    const text = `from stdin ${Date.now()}\n`
    const stdinAdd = async (apiAddr: string, extra: string[]): Promise<string> => await new Promise((resolve, reject) => {
      const child = spawn(ipfsBinary(), ['--api', apiAddr, 'add', ...extra], { env: { ...process.env, IPFS_PATH: cliHome, IPFS_TELEMETRY: 'off' }, timeout: 60_000 })
      let out = ''
      let err = ''
      child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8') })
      child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8') })
      child.on('error', reject)
      child.on('close', code => { code === 0 ? resolve(out) : reject(new Error(`ipfs add: ${err}`)) })
      child.stdin.end(text)
    })
    const out = await stdinAdd(api, [])
    expect(out).toBe(await stdinAdd(kubos[1]!.apiMultiaddr, ['--only-hash']))
    const root = /^added (\S+) \1\n$/.exec(out)?.[1]
    expect(root).toBeDefined()
    const cid = parseCid(root as string)
    expect((await cluster.peers[1]!.allocation(cid)).allocations).toHaveLength(2)
    await until(async () => await statuses(cluster.peers[0]!, cid) === 'pinned,pinned,remote' ? true : undefined, 'stdin add pinned twice')
    expect(await cli('cat', root as string)).toBe(text)
  }, 90_000)

  it('repo stat sums the three peers; repo gc runs on every peer', async () => {
    const stat = await cli('repo', 'stat')
    expect(stat).toMatch(/StorageMax:\s+3000000000/)
    const size = Number(/RepoSize:\s+(\d+)/.exec(stat)?.[1])
    const own = await Promise.all(kubos.map(async k => (await k.rpc<{ RepoSize: number }>('repo/stat', { 'size-only': 'true' })).RepoSize))
    expect(size).toBeGreaterThan(0)
    expect(size).toBeLessThanOrEqual(own.reduce((s, v) => s + v, 0) + 1_000_000)
    const junk = await rawBlock(`junk ${Date.now()}`)
    const gc = await cli('repo', 'gc')
    expect(gc).toContain(`removed ${junk}`)
  }, 60_000)
})

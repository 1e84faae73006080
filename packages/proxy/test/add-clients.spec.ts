/**
 * `add` through the proxy as the common clients send it, compared with what the same client gets
 * from Kubo itself: the `ipfs` CLI (stdin, a file, wrapped stdin) and kubo-rpc-client (`add` of
 * bare bytes, `addAll` of paths). Errors before any output are Kubo error objects with a status.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { create, type KuboRPCClient } from 'kubo-rpc-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ipfsBinary, KuboDaemon } from '@cluster/test-utils'
import { ProxyServer } from '../src/index.ts'
import { FakeCluster, request } from './helpers.ts'

let kubo: KuboDaemon
let cluster: FakeCluster
let proxy: ProxyServer
let proxyAddr: string
let viaProxy: KuboRPCClient
let direct: KuboRPCClient
const dir = mkdtempSync(join(tmpdir(), 'proxy-add-clients-'))

interface CliRun { code: number | null, stdout: string, stderr: string }

/** The `ipfs` CLI against `api`, with `input` on its stdin (no repository of its own: an empty folder). */
async function ipfs (api: string, args: string[], input?: string): Promise<CliRun> {
  return await new Promise((resolve, reject) => {
    const child = spawn(ipfsBinary(), ['--api', api, ...args], {
      env: { ...process.env, IPFS_PATH: join(dir, 'cli'), IPFS_TELEMETRY: 'off' },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: 60_000
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8') })
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8') })
    child.on('error', reject)
    child.on('close', code => { resolve({ code, stdout, stderr }) })
    child.stdin?.end(input)
  })
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
  proxy = new ProxyServer(cluster.asApi(), { listenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], nodeMultiaddress: kubo.apiMultiaddr }, { stopGraceMs: 500 })
  const started = await proxy.start()
  proxyAddr = started.multiaddr
  viaProxy = create({ url: `${started.url}/api/v0` })
  direct = create({ url: `${kubo.apiUrl}/api/v0` })
}, 120_000)

afterAll(async () => {
  await proxy?.stop()
  await kubo?.stop()
  rmSync(dir, { recursive: true, force: true })
}, 60_000)

describe('the ipfs CLI', () => {
  it('`echo … | ipfs add` prints what Kubo prints (the CID as the name); the cluster pins it', async () => {
    const text = `hi ${Date.now()}\n`
    const ours = await ipfs(proxyAddr, ['add'], text)
    expect(ours.stderr).toBe('')
    expect(ours.code).toBe(0)
    const kubos = await ipfs(kubo.apiMultiaddr, ['add', '--only-hash'], text)
    expect(ours.stdout).toBe(kubos.stdout)
    const cid = /^added (\S+) (\S+)\n$/.exec(ours.stdout)
    expect(cid?.[2]).toBe(cid?.[1])
    expect(cluster.pins.has(cid![1]!)).toBe(true)
    expect((await ipfs(proxyAddr, ['cat', cid![1]!])).stdout).toBe(text)
  }, 60_000)

  it('`ipfs add <file>` and `ipfs add -w` of stdin print what Kubo prints', async () => {
    const file = join(dir, 'note.txt')
    writeFileSync(file, `a note ${Date.now()}\n`)
    for (const [args, input] of [[['add', file], undefined], [['add', '-w'], `wrapped ${Date.now()}\n`]] as const) {
      const ours = await ipfs(proxyAddr, [...args], input)
      expect(ours.stderr, args.join(' ')).toBe('')
      const kubos = await ipfs(kubo.apiMultiaddr, [...args, '--only-hash'], input)
      expect(ours.stdout, args.join(' ')).toBe(kubos.stdout)
    }
  }, 60_000)

})

describe('kubo-rpc-client', () => {
  it('add(bytes) answers what Kubo answers; the cluster pins it', async () => {
    const bytes = new TextEncoder().encode(`bare bytes ${Date.now()}`)
    const ours = await viaProxy.add(bytes)
    const kubos = await direct.add(bytes, { onlyHash: true })
    expect({ ...ours, cid: ours.cid.toString() }).toEqual({ ...kubos, cid: kubos.cid.toString() })
    expect(ours.path).toBe(ours.cid.toString())
    expect(cluster.pins.has(ours.cid.toString())).toBe(true)
  })

  it('addAll of bare bytes and paths, wrapped or not, answers what Kubo answers', async () => {
    const text = (t: string): Uint8Array => new TextEncoder().encode(`${t} ${Date.now()}`)
    const collect = async (client: KuboRPCClient, files: Array<{ path?: string, content: Uint8Array }>, options = {}): Promise<unknown[]> => {
      const out: unknown[] = []
      for await (const r of client.addAll(files, options)) out.push({ ...r, cid: r.cid.toString() })
      return out
    }
    const mixed = [{ content: text('bare') }, { path: 'docs/a.txt', content: text('alpha') }, { path: 'docs/deep/b.bin', content: new Uint8Array(400_000).fill(7) }]
    const ours = await collect(viaProxy, mixed, { cidVersion: 1 })
    expect(ours).toEqual(await collect(direct, mixed, { cidVersion: 1, onlyHash: true }))
    expect(ours.map(o => (o as { path: string }).path).slice(1)).toEqual(['docs/a.txt', 'docs/deep/b.bin', 'docs/deep', 'docs'])
    const bare = [{ content: text('one') }, { content: text('two') }]
    expect(await collect(viaProxy, bare, { wrapWithDirectory: true })).toEqual(await collect(direct, bare, { wrapWithDirectory: true, onlyHash: true }))
  })

  it('a refused add rejects with the proxy\'s message (a Kubo error object with status 400)', async () => {
    const err = await viaProxy.add(new TextEncoder().encode('x'), { hashAlg: 'md5', cidVersion: 1 }).catch((e: unknown) => e) as Error & { response?: Response }
    expect(err.message).toBe('unrecognized hash function: md5')
    expect(err.response?.status).toBe(400)
  })
})

describe('errors before any output', () => {
  it('are Kubo error objects with their status, not a 200 with a trailer', async () => {
    const namelessDir = '--b\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/x-directory\r\n\r\n\r\n--b--\r\n'
    for (const query of ['', '?stream-channels=false']) {
      const a = await request(`${proxy.addresses[0]!.url}/api/v0/add${query}`, { headers: { 'Content-Type': 'multipart/form-data; boundary=b' }, body: namelessDir })
      expect(a.status, query).toBe(400)
      expect(a.headers.trailer, query).toBeUndefined()
      expect(JSON.parse(a.body), query).toEqual({ Message: 'a directory in the upload has no name', Code: 0, Type: 'error' })
    }
  })
})

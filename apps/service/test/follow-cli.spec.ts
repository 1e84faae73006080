// `ipfs-cluster-follow` without a running cluster: listing, init (URL and DNSLink name), info and
// list of a follower that is not running, and `service.json` sources that fail in each way.
import { execFileSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { followMain } from '../src/cli/follow.ts'
import { ConfigSourceError, defaultServiceConfig, formatServiceConfig, loadConfigFolder } from '../src/config/index.ts'
import { capture } from './helpers/capture.ts'

/** No IPFS answers here: port 1 on loopback refuses. */
const NO_IPFS = { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: '/ip4/127.0.0.1/tcp/1' }

describe('ipfs-cluster-follow, no peer running', () => {
  let root: string
  let server: Server
  let base: string
  const routes = new Map<string, { status: number, body: string }>()
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'follow-cli-'))
    server = createServer((req, res) => {
      const route = routes.get(req.url ?? '') ?? { status: 404, body: '404 page not found' }
      res.writeHead(route.status, { 'content-type': 'application/json' }).end(route.body)
    })
    await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
    const address = server.address()
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  })
  afterAll(async () => {
    await new Promise(resolve => { server.close(resolve) })
    rmSync(root, { recursive: true, force: true })
  })

  it('lists no clusters, then says a cluster is not initialized (exit 1), then needs a URL to init', async () => {
    const none = capture()
    expect(await followMain(['-c', join(root, 'nothing-here')], none, NO_IPFS)).toBe(0)
    expect(none.stdout).toContain('No clusters configured yet!')
    const info = capture()
    expect(await followMain(['-c', root, 'absent'], info, NO_IPFS)).toBe(1)
    expect(info.stdout).toBe('\nThis cluster peer has not been initialized.\n\nTry running "ipfs-cluster-follow absent init <config-url>" first.\n')
    const list = capture()
    expect(await followMain(['-c', root, 'absent', 'list'], list, NO_IPFS)).toBe(1)
    expect(list.stdout).toContain('has not been initialized')
    const noUrl = capture()
    expect(await followMain(['-c', root, 'absent', 'init'], noUrl, NO_IPFS)).toBe(1)
    expect(noUrl.stderr).toBe('configuration URL not provided\n')
    const bad = capture()
    expect(await followMain(['-c', root, 'absent', 'frobnicate'], bad, NO_IPFS)).toBe(2)
    expect(bad.stderr).toMatch(/^Incorrect Usage: /)
  })

  it('init writes a service.json naming the source and a new identity; a second init is refused', async () => {
    const url = `${base}/cluster.json`
    const io = capture()
    expect(await followMain(['-c', root, 'web', 'init', url], io, NO_IPFS)).toBe(0)
    const folder = join(root, 'web')
    expect(JSON.parse(readFileSync(join(folder, 'service.json'), 'utf8'))).toEqual({ source: url })
    expect(JSON.parse(readFileSync(join(folder, 'identity.json'), 'utf8')).id).toMatch(/^12D3KooW/)
    expect(io.stdout).toBe(`Identity written to ${join(folder, 'identity.json')}.\nConfiguration written to ${join(folder, 'service.json')}.\n` +
      'Cluster "web" follower peer initialized.\n\nYou can now use "ipfs-cluster-follow web run" to start a follower peer for this cluster.\n' +
      '(Remember to start your IPFS daemon before)\n')
    const again = capture()
    expect(await followMain(['-c', root, 'web', 'init', url], again, NO_IPFS)).toBe(1)
    expect(again.stderr).toBe(`Configuration for this cluster already exists.\nPlease delete ${folder} if you wish to re-initialize.\n`)
  })

  it('init of a DNSLink name reads it through the gateway, with http:// when the gateway has no scheme', async () => {
    const io = capture()
    expect(await followMain(['-c', root, 'dns', 'init', 'collab.example.org'], io, { ...NO_IPFS, IPFS_GATEWAY: '127.0.0.1:8080' })).toBe(0)
    expect(io.stdout).toContain('collab.example.org will be assumed to be an DNSLink-powered address: /ipns/collab.example.org.')
    expect(JSON.parse(readFileSync(join(root, 'dns', 'service.json'), 'utf8'))).toEqual({ source: 'http://127.0.0.1:8080/ipns/collab.example.org' })
    const flag = capture()
    expect(await followMain(['-c', root, 'dns2', 'init', 'collab.example.org', '--gateway', 'https://gw.example.net/'], flag, NO_IPFS)).toBe(0)
    expect(JSON.parse(readFileSync(join(root, 'dns2', 'service.json'), 'utf8'))).toEqual({ source: 'https://gw.example.net/ipns/collab.example.org' })
  })

  it('lists the configured clusters; info says the source failed and nothing is online; list of a peer that never ran is empty', async () => {
    const io = capture()
    expect(await followMain(['-c', root], io, NO_IPFS)).toBe(0)
    expect(io.stdout).toBe('Configurations found for 3 follower peers. For info and help, try running:\n\n' +
      'ipfs-cluster-follow "dns"\nipfs-cluster-follow "dns2"\nipfs-cluster-follow "web"\n\nTip: "ipfs-cluster-follow --help" for help and examples.\n')
    const info = capture()
    expect(await followMain(['-c', root, 'web', 'info'], info, NO_IPFS)).toBe(0)
    expect(info.stdout).toBe(`Information about follower peer for Cluster "web":\n\nConfig folder: ${join(root, 'web')}\n` +
      `Config source URL: failed retrieving configuration source (${base}/cluster.json)\nCluster Peer online: false\nIPFS peer online: false\n`)
    const list = capture()
    expect(await followMain(['-c', root, 'web', 'list'], list, NO_IPFS)).toBe(0)
    expect(list.stdout).toBe('')
  })

  it('a daemon reads a service.json source at start: served, refused with its status, nested, unreachable', async () => {
    const folder = join(root, 'sourced')
    const io = capture()
    expect(await followMain(['-c', root, 'sourced', 'init', `${base}/good.json`], io, NO_IPFS)).toBe(0)
    const published = defaultServiceConfig({ peername: 'from-the-source', secret: 'ab'.repeat(32) })
    published.consensus.crdt.clusterName = 'collab'
    routes.set('/good.json', { status: 200, body: formatServiceConfig(published) })
    const loaded = await loadConfigFolder(folder)
    expect(loaded.source).toBe(`${base}/good.json`)
    expect(loaded.config.cluster.peername).toBe('from-the-source')
    expect(loaded.config.consensus.crdt.clusterName).toBe('collab')

    // What was fetched is kept (0600: it holds the secret) and serves while the source is down.
    const copy = join(folder, 'service.source.json')
    expect(statSync(copy).mode & 0o777).toBe(0o600)
    routes.set('/good.json', { status: 503, body: 'down for maintenance' })
    const fallback = await loadConfigFolder(folder)
    expect(fallback.config.cluster.peername).toBe('from-the-source')
    expect(fallback.sourceFallback).toMatch(/^unsuccessful request \(503\): down for maintenance: using the configuration fetched from it at 20\d\d-\S+Z \(.*service\.source\.json\)$/)
    const info = capture()
    expect(await followMain(['-c', root, 'sourced', 'info'], info, NO_IPFS)).toBe(0)
    expect(info.stdout).toContain(`Config source URL: failed retrieving configuration source (${base}/good.json)\n`)
    // A body 1,000 times a service.json's size is refused, without the copy standing in.
    routes.set('/good.json', { status: 200, body: ' '.repeat(5 * 1024 * 1024) })
    await expect(loadConfigFolder(folder)).rejects.toThrow('could not fetch configuration from source: the configuration is larger than 4194304 bytes')
    // A refusal is an answer: no fallback.
    routes.set('/good.json', { status: 403, body: 'go away' })
    await expect(loadConfigFolder(folder)).rejects.toThrow('unsuccessful request (403): go away')
    // A broken publication fails and leaves the good copy alone.
    routes.set('/good.json', { status: 200, body: '{"cluster": ' })
    await expect(loadConfigFolder(folder)).rejects.toThrow(/error parsing JSON/)
    expect(JSON.parse(readFileSync(copy, 'utf8'))).toMatchObject({ url: `${base}/good.json`, config: JSON.parse(formatServiceConfig(published)) })
    routes.set('/good.json', { status: 200, body: JSON.stringify({ source: `${base}/other.json` }) })
    await expect(loadConfigFolder(folder)).rejects.toThrow('a sourced configuration cannot point to another source')
    // A port nobody listens on any more.
    const closed = createServer()
    await new Promise<void>(resolve => { closed.listen(0, '127.0.0.1', resolve) })
    const closedPort = (closed.address() as { port: number }).port
    await new Promise(resolve => { closed.close(resolve) })
    writeFileSync(join(folder, 'service.json'), JSON.stringify({ source: `http://127.0.0.1:${closedPort}/none.json` }))
    const err = await loadConfigFolder(folder).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigSourceError)
    expect((err as Error).message).toMatch(/^could not fetch configuration from source: .*ECONNREFUSED/)
    // (The copy there is good.json's: it never stands in for another URL.)
    writeFileSync(join(folder, 'service.json'), JSON.stringify({ source: 'file:///etc/passwd' }))
    await expect(loadConfigFolder(folder)).rejects.toThrow('is not an http(s) URL')
  })

  it('run waits for IPFS in Go\'s words, holding the process open, and gives up at its deadline', () => {
    // In a process of its own: nothing else keeps its event loop alive (a wait on unreferenced
    // timers would end the process silently).
    const script = `const { waitForIpfs } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'src', 'cli', 'follow-peer.ts'))})
      const up = await waitForIpfs({ CLUSTER_IPFSHTTP_NODEMULTIADDRESS: '/ip4/127.0.0.1/tcp/1' }, line => process.stdout.write(line), 2500)
      process.stdout.write('up: ' + up + '\\n')`
    const out = execFileSync(process.execPath, ['--conditions=source', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(out).toBe('waiting for IPFS to become available on /ip4/127.0.0.1/tcp/1...\nup: false\n')
  })
})

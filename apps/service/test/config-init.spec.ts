import { chmod, readFile, stat, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ConfigError, DEFAULT_LISTEN_MULTIADDRESS, consensusOf, defaultServiceConfig, generateIdentity, initConfigFolder,
  loadConfigFolder, partitionListenAddrs, parsePeersOption, randomizePorts, readIdentityFile,
  readServiceConfigFile, resolveConfigFolder, writeIdentityFile, writeServiceConfigFile
} from '../src/config/index.ts'
import { fixture, tempDir } from './fixtures/config/helpers.ts'

const PEER_A = '12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW'
const PEER_B = 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'

function portOf (addr: string): number {
  const c = multiaddr(addr).getComponents().find((x) => x.name === 'tcp' || x.name === 'udp')
  return Number(c?.value)
}

async function canListen (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen({ host: '127.0.0.1', port }, () => { server.close(() => { resolve(true) }) })
  })
}

describe('the configuration folder (config.md §1.1)', () => {
  it('is --config, else IPFS_CLUSTER_PATH, else $HOME/.ipfs-cluster, made absolute', () => {
    expect(resolveConfigFolder({ flag: 'rel/dir', env: { IPFS_CLUSTER_PATH: '/env/dir' }, cwd: '/work' })).toBe('/work/rel/dir')
    expect(resolveConfigFolder({ env: { IPFS_CLUSTER_PATH: '/env/dir', HOME: '/home/u' } })).toBe('/env/dir')
    expect(resolveConfigFolder({ env: { HOME: '/home/u' } })).toBe('/home/u/.ipfs-cluster')
    expect(resolveConfigFolder({ env: { HOME: '' } })).toMatch(/\/\.ipfs-cluster$/)
  })
})

describe('init --consensus raft (config.md §7.2)', () => {
  it('writes service.json, identity.json and an empty peerstore with Go\'s modes and messages', async () => {
    await using tmp = await tempDir()
    const folder = join(tmp.dir, 'nested', 'cfg')
    const result = await initConfigFolder({ folder, peername: 'node-a', consensus: 'raft' })
    expect((await stat(folder)).mode & 0o777).toBe(0o700)
    const service = await readFile(join(folder, 'service.json'), 'utf8')
    expect((await stat(join(folder, 'service.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(folder, 'identity.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(folder, 'peerstore'))).size).toBe(0)
    // byte-identical to the §8 example apart from the secret
    const expected = (await fixture('service-default.json')).replace(/"secret": "[0-9a-f]{64}"/, `"secret": "${result.config.cluster.secret}"`)
    expect(service).toBe(expected)
    expect(result.identityCreated).toBe(true)
    expect(result.messages).toEqual([
      `configuration written to ${folder}/service.json.`,
      `new identity written to ${folder}/identity.json`,
      `new empty peerstore written to ${folder}/peerstore.`
    ])
    const json = JSON.parse(service) as Record<string, any>
    expect(json.consensus.crdt).toBeUndefined()
    expect(json.consensus.raft).toBeDefined()

    const loaded = await loadConfigFolder(folder)
    expect(loaded.identity.id).toBe((await readIdentityFile(join(folder, 'identity.json'))).id)
    expect(loaded.config.cluster.secret).toBe(result.config.cluster.secret)
    expect(loaded.warnings).toEqual([])
  })

  it('keeps an existing identity and persists environment overrides', async () => {
    await using tmp = await tempDir()
    const identity = await generateIdentity()
    await writeIdentityFile(join(tmp.dir, 'identity.json'), identity)
    const result = await initConfigFolder({
      folder: tmp.dir,
      consensus: 'raft',
      env: { CLUSTER_SECRET: '', CLUSTER_PEERNAME: 'env-name', CLUSTER_RAFT_COMMITRETRIES: '3' }
    })
    expect(result.identityCreated).toBe(false)
    expect(result.messages).toHaveLength(2)
    expect((await readIdentityFile(join(tmp.dir, 'identity.json'))).id).toBe(identity.id)
    const json = JSON.parse(await readFile(join(tmp.dir, 'service.json'), 'utf8')) as Record<string, any>
    expect(json.cluster.secret).toBe('')
    expect(json.cluster.peername).toBe('env-name')
    expect(json.consensus.raft.commit_retries).toBe(3)
    // later loads apply the environment without writing it
    const loaded = await loadConfigFolder(tmp.dir, { env: { CLUSTER_PEERNAME: 'other' } })
    expect(loaded.config.cluster.peername).toBe('other')
    expect(JSON.parse(await readFile(join(tmp.dir, 'service.json'), 'utf8')).cluster.peername).toBe('env-name')
  })

  it('uses a secret typed at the prompt, and rejects a bad one', async () => {
    await using tmp = await tempDir()
    const secret = 'C0FFEE'.repeat(10) + 'ABCD'
    const result = await initConfigFolder({ folder: tmp.dir, customSecret: secret })
    expect(result.config.cluster.secret).toBe(secret.toLowerCase())
    await expect(initConfigFolder({ folder: tmp.dir, customSecret: 'abc' })).rejects.toThrow('error parsing user-provided secret: encoding/hex: odd length hex string')
  })

  it('--peers fills init_peerset and the peerstore file', async () => {
    await using tmp = await tempDir()
    const peers = ` /ip4/192.168.1.10/tcp/9096/ipfs/${PEER_A}, /dns4/c.example.org/tcp/9096/p2p/${PEER_A},/ip4/10.0.0.2/tcp/9096/p2p/${PEER_B}`
    const result = await initConfigFolder({ folder: tmp.dir, peers, consensus: 'raft' })
    expect(result.config.consensus.raft.initPeerset).toEqual([PEER_A, PEER_B])
    expect(result.peerCount).toBe(3)
    expect(result.messages[2]).toBe(`peerstore written to ${tmp.dir}/peerstore with 3 entries.`)
    expect(await readFile(join(tmp.dir, 'peerstore'), 'utf8')).toBe([
      `/ip4/192.168.1.10/tcp/9096/p2p/${PEER_A}`,
      `/dns4/c.example.org/tcp/9096/p2p/${PEER_A}`,
      `/ip4/10.0.0.2/tcp/9096/p2p/${PEER_B}`
    ].join('\n') + '\n')
    const json = JSON.parse(await readFile(join(tmp.dir, 'service.json'), 'utf8')) as Record<string, any>
    expect(json.consensus.raft.init_peerset).toEqual([PEER_A, PEER_B])
  })

  it('without --consensus writes Go\'s default, the crdt section; --peers become its trusted peers', async () => {
    await using tmp = await tempDir()
    const result = await initConfigFolder({ folder: tmp.dir, peername: 'node-a', env: { CLUSTER_CRDT_CLUSTERNAME: 'my-cluster' } })
    const json = JSON.parse(await readFile(join(tmp.dir, 'service.json'), 'utf8')) as Record<string, any>
    expect(json.consensus).toEqual({
      crdt: { cluster_name: 'my-cluster', trusted_peers: ['*'], batching: { max_batch_size: 0, max_batch_age: '0s' }, repair_interval: '1h0m0s' }
    })
    expect(consensusOf(result.config)).toBe('crdt')
    const loaded = await loadConfigFolder(tmp.dir)
    expect(loaded.warnings).toEqual([])
    expect(loaded.config.consensus.crdt.clusterName).toBe('my-cluster')

    await using withPeers = await tempDir()
    await initConfigFolder({ folder: withPeers.dir, peers: `/ip4/10.0.0.2/tcp/9096/p2p/${PEER_B}` })
    const trusted = JSON.parse(await readFile(join(withPeers.dir, 'service.json'), 'utf8')) as Record<string, any>
    expect(trusted.consensus.crdt.trusted_peers).toEqual([PEER_B])
  })

  it('--peers: a bad address fails before writing; one without /p2p/ fails after service.json', async () => {
    await using tmp = await tempDir()
    await expect(initConfigFolder({ folder: tmp.dir, peers: '/ip4/1.2.3.4/tcp/x' })).rejects.toThrow(/^error parsing peer multiaddress: \/ip4\/1\.2\.3\.4\/tcp\/x: /)
    await expect(stat(join(tmp.dir, 'service.json'))).rejects.toThrow()
    await expect(initConfigFolder({ folder: tmp.dir, peers: '/ip4/1.2.3.4/tcp/9096' })).rejects.toThrow(ConfigError)
    await expect(initConfigFolder({ folder: tmp.dir, peers: '/ip4/1.2.3.4/tcp/9096' })).rejects.toThrow(/^error saving peers to peerstore: invalid p2p multiaddr/)
    expect((await stat(join(tmp.dir, 'service.json'))).isFile()).toBe(true)
  })

  it('parses --peers like Go (trimmed, comma-separated, IDs de-duplicated)', () => {
    expect(parsePeersOption(undefined)).toEqual({ addrs: [], peerIds: [] })
    expect(parsePeersOption(`/ip4/1.1.1.1/tcp/1/p2p/${PEER_A} , /ip4/2.2.2.2/tcp/1/p2p/${PEER_A}`).peerIds).toEqual([PEER_A])
  })

  it('with a source URL writes only the source', async () => {
    await using tmp = await tempDir()
    const result = await initConfigFolder({ folder: tmp.dir, sourceUrl: 'https://example.org/cluster.json', customSecret: 'ignored' })
    expect(await readFile(join(tmp.dir, 'service.json'), 'utf8')).toBe('{\n  "source": "https://example.org/cluster.json"\n}')
    expect(result.identityCreated).toBe(true)
    expect((await stat(join(tmp.dir, 'peerstore'))).size).toBe(0)
  })

  it('--randomports gives distinct free ports to the four listen addresses', async () => {
    await using tmp = await tempDir()
    const { config } = await initConfigFolder({ folder: tmp.dir, randomPorts: true })
    const addrs = [
      ...config.cluster.listenMultiaddress,
      ...config.api.restapi.httpListenMultiaddress,
      ...config.api.ipfsproxy.listenMultiaddress,
      ...config.api.pinsvcapi.httpListenMultiaddress
    ]
    expect(addrs).toHaveLength(5)
    expect(addrs[0]).toMatch(/^\/ip4\/0\.0\.0\.0\/tcp\/\d+$/)
    expect(addrs[1]).toMatch(/^\/ip4\/0\.0\.0\.0\/udp\/\d+\/quic$/)
    const ports = addrs.map(portOf)
    expect(new Set(ports).size).toBe(5)
    // Below the ephemeral range, where no outgoing connection can take the port before the daemon binds it.
    const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(10_000)
    for (const port of ports) expect(port).toBeLessThan(ephemeralLow)
    for (const addr of addrs.slice(2)) expect(await canListen(portOf(addr))).toBe(true)
    expect(config.ipfsConnector.ipfshttp.nodeMultiaddress).toBe('/ip4/127.0.0.1/tcp/5001')
    const json = JSON.parse(await readFile(join(tmp.dir, 'service.json'), 'utf8')) as Record<string, any>
    expect(json.api.restapi.http_listen_multiaddress).toBe(config.api.restapi.httpListenMultiaddress[0])
  })

  it('randomizePorts keeps the other components and handles IPv6', async () => {
    const [v4, v6] = await randomizePorts(['/ip4/127.0.0.1/tcp/1234/ws', '/ip6/::1/tcp/9096'])
    expect(v4).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws$/)
    expect(v6).toMatch(/^\/ip6\/::1\/tcp\/\d+$/)
    expect(portOf(v4!)).not.toBe(1234)
  })

  it('an init over an existing folder replaces service.json', async () => {
    await using tmp = await tempDir()
    await writeFile(join(tmp.dir, 'service.json'), '{}')
    await initConfigFolder({ folder: tmp.dir })
    expect(JSON.parse(await readFile(join(tmp.dir, 'service.json'), 'utf8')).cluster).toBeDefined()
  })
})

describe('service.json on disk', () => {
  it('writes with mode 0600 (also over an existing file) and reads back the same', async () => {
    await using tmp = await tempDir()
    const path = join(tmp.dir, 'service.json')
    await writeFile(path, '{}')
    await chmod(path, 0o644)
    const config = defaultServiceConfig({ peername: 'p' })
    config.cluster.mdnsInterval = 0n
    await writeServiceConfigFile(path, config)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const { config: back } = await readServiceConfigFile(path)
    expect(back.cluster.mdnsInterval).toBe(0n)
    expect(back.cluster.secret).toBe(config.cluster.secret)
    await expect(readServiceConfigFile(join(tmp.dir, 'missing.json'))).rejects.toThrow(/^error reading the configuration file: /)
  })

  it('tells which listen addresses a TCP host serves (the default QUIC one is not)', () => {
    expect(partitionListenAddrs([...DEFAULT_LISTEN_MULTIADDRESS, '/dns4/x.org/tcp/1', '/ip4/1.2.3.4/tcp/1/ws'])).toEqual({
      tcp: ['/ip4/0.0.0.0/tcp/9096', '/dns4/x.org/tcp/1'],
      ignored: ['/ip4/0.0.0.0/udp/9096/quic', '/ip4/1.2.3.4/tcp/1/ws']
    })
  })
})

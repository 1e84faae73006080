/**
 * Only Kubo addresses of use to other hosts are published (ping metric, statuses, delegates):
 * Go's rule is DNS multiaddrs and global-unicast IPs; `cluster.publish_ipfs_addresses` changes it.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPinOptions, parseCid } from '@cluster/api'
import { KuboDaemon, ipfsBinary, until } from '@cluster/test-utils'
import { PinSvcApiServer } from '@cluster/rest-api'
import type { ClusterPeer } from '../src/cluster/index.ts'
import { publishedIpfsAddresses } from '../src/cluster/ipfs-addresses.ts'
import { readPingValue } from '../src/cluster/metrics.ts'
import { ConfigValidationError, formatServiceConfig, parseServiceConfig } from '../src/config/index.ts'
import { startPeerGroup } from './helpers/cluster.ts'
import { defaultJson, fixture } from './fixtures/config/helpers.ts'

const run = promisify(execFile)
const ID = '12D3KooWRN8KRjpyg9rsW2w7StbBRGper65psTZm68cjud9KAkaW'

describe('publishedIpfsAddresses', () => {
  const addrs = [
    `/ip4/127.0.0.1/tcp/4001/p2p/${ID}`, '/ip6/::1/tcp/4001', '/ip4/0.0.0.0/tcp/4001', '/ip6/::/tcp/4001',
    '/ip4/169.254.10.1/tcp/4001', '/ip6/fe80::1/udp/4001/quic-v1', '/ip4/224.0.0.251/udp/5353', '/ip4/255.255.255.255/udp/1',
    '/ip6/::ffff:127.0.0.1/tcp/4001', '/p2p-circuit',
    '/ip4/10.0.0.5/tcp/4001', '/ip4/172.16.3.4/tcp/4001', '/ip4/192.168.1.20/tcp/4001', '/ip6/fd12::1/tcp/4001',
    `/ip4/203.0.113.7/tcp/4001/p2p/${ID}`, '/ip6/2001:db8::7/udp/4001/quic-v1', '/ip6/::ffff:198.51.100.1/tcp/1',
    '/dns4/kubo.example.com/tcp/4001', '/dnsaddr/example.com'
  ]
  const privates = ['/ip4/10.0.0.5/tcp/4001', '/ip4/172.16.3.4/tcp/4001', '/ip4/192.168.1.20/tcp/4001', '/ip6/fd12::1/tcp/4001']
  const publics = [`/ip4/203.0.113.7/tcp/4001/p2p/${ID}`, '/ip6/2001:db8::7/udp/4001/quic-v1', '/ip6/::ffff:198.51.100.1/tcp/1', '/dns4/kubo.example.com/tcp/4001', '/dnsaddr/example.com']

  it('global_unicast (the default, Go\'s IsGlobalUnicast) drops loopback, unspecified, link-local, multicast and broadcast; keeps private and DNS', () => {
    expect(publishedIpfsAddresses(addrs)).toEqual([...privates, ...publics])
    expect(publishedIpfsAddresses(addrs, 'global_unicast')).toEqual([...privates, ...publics])
  })

  it('public also drops private ranges; all keeps everything', () => {
    expect(publishedIpfsAddresses(addrs, 'public')).toEqual(publics)
    expect(publishedIpfsAddresses(addrs, 'all')).toEqual(addrs)
  })

  it('reads the IP before a protocol the multiaddr library does not know', () => {
    expect(publishedIpfsAddresses(['/ip4/127.0.0.1/tcp/1/future-proto', '/ip4/203.0.113.7/tcp/1/future-proto', '/ip4/not-an-ip/tcp/1'])).toEqual(['/ip4/203.0.113.7/tcp/1/future-proto'])
  })
})

describe('cluster.publish_ipfs_addresses', () => {
  it('defaults to global_unicast and is not written then (Go\'s files stay as they are)', async () => {
    const { config } = parseServiceConfig(await fixture('service-default.json'))
    expect(config.cluster.publishIpfsAddresses).toBe('global_unicast')
    expect(JSON.parse(formatServiceConfig(config)).cluster.publish_ipfs_addresses).toBeUndefined()
  })

  it('is read, written back, overridden by CLUSTER_PUBLISHIPFSADDRESSES and validated', async () => {
    const json = await defaultJson()
    json.cluster.publish_ipfs_addresses = 'all'
    const { config } = parseServiceConfig(JSON.stringify(json))
    expect(config.cluster.publishIpfsAddresses).toBe('all')
    expect(JSON.parse(formatServiceConfig(config)).cluster.publish_ipfs_addresses).toBe('all')
    expect(parseServiceConfig(JSON.stringify(json), { env: { CLUSTER_PUBLISHIPFSADDRESSES: 'public' } }).config.cluster.publishIpfsAddresses).toBe('public')
    json.cluster.publish_ipfs_addresses = 'loopback'
    expect(() => parseServiceConfig(JSON.stringify(json))).toThrow(ConfigValidationError)
    expect(() => parseServiceConfig(JSON.stringify(json))).toThrow(/publish_ipfs_addresses must be one of global_unicast, public, all/)
  })
})

/** A Kubo that also announces `extra` (Addresses.AppendAnnounce), in a repository of its own. */
async function kuboAnnouncing (extra: string[]): Promise<KuboDaemon> {
  const repoPath = mkdtempSync(join(tmpdir(), 'kubo-announce-'))
  await run(ipfsBinary(), ['init', '--profile=test'], { env: { ...process.env, IPFS_PATH: repoPath, IPFS_TELEMETRY: 'off' } })
  const file = join(repoPath, 'config')
  const config = JSON.parse(readFileSync(file, 'utf8'))
  config.Routing = { ...config.Routing, Type: 'none' }
  config.Addresses.AppendAnnounce = extra
  writeFileSync(file, JSON.stringify(config, null, 2))
  return await KuboDaemon.start({ repoPath })
}

describe('a 3-peer cluster on loopback: two peers with the default, one with publish_ipfs_addresses "all"', () => {
  // Resolves at once and nothing listens there, so Kubo's swarm/connect to it fails fast.
  const ANNOUNCED = '/dns4/localhost/tcp/9'
  const kubos: KuboDaemon[] = []
  let peers: ClusterPeer[] = []
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'publish-'))
    for (let i = 0; i < 3; i++) kubos.push(await kuboAnnouncing([ANNOUNCED]))
    peers = await startPeerGroup({ dir, ipfsAddrs: kubos.map(k => k.apiMultiaddr), tweak: i => i === 2 ? { publishIpfsAddresses: 'all' } : {} })
  }, 120_000)

  afterAll(async () => {
    await Promise.all(peers.map(async p => await p.stop()))
    await Promise.all(kubos.map(async k => { await k.stop(); rmSync(k.repoPath, { recursive: true, force: true }) }))
    rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it('publishes only the usable addresses in ping metrics and statuses; the ID still lists every one', async () => {
    const [p0, p1, p2] = peers as [ClusterPeer, ClusterPeer, ClusterPeer]
    const kuboId = (i: number): string => kubos[i]!.peerId
    const ping = (seenBy: ClusterPeer, of: ClusterPeer): ReturnType<typeof readPingValue> => readPingValue(seenBy.monitor.store.latestForPeer('ping', of.peerId))
    await until(() => [p0, p1, p2].every(p => ping(p1, p).ipfsId !== undefined) ? true : undefined, 'the ping of every peer with its IPFS ID')

    const announced = (i: number): string => `${ANNOUNCED}/p2p/${kuboId(i)}`
    expect(ping(p1, p0).ipfsAddresses).toEqual([announced(0)])
    expect(ping(p0, p1).ipfsAddresses).toEqual([announced(1)])
    const all = ping(p0, p2).ipfsAddresses
    expect(all).toContain(announced(2))
    expect(all.some(a => a.startsWith('/ip4/127.0.0.1/'))).toBe(true)

    const form = new FormData()
    form.append('file', new Blob([`published addresses ${Date.now()}`]))
    const cid = parseCid((await kubos[0]!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key)
    await p0.pin(cid, { ...defaultPinOptions(), name: 'addresses' })
    const status = await until(async () => {
      const s = await p1.status(cid)
      return Object.values(s.peerMap ?? {}).length === 3 && Object.values(s.peerMap ?? {}).every(e => e.status === 'pinned') ? s : undefined
    }, 'pinned on every peer')
    expect(status.peerMap?.[p0.peerId]?.ipfsPeerAddresses).toEqual([announced(0)])
    expect(status.peerMap?.[p1.peerId]?.ipfsPeerAddresses).toEqual([announced(1)])
    expect(status.peerMap?.[p2.peerId]?.ipfsPeerAddresses.some(a => a.startsWith('/ip4/127.0.0.1/'))).toBe(true)
    expect((await p0.status(cid, { local: true })).peerMap?.[p0.peerId]?.ipfsPeerAddresses).toEqual([announced(0)])

    // As Go's, the ID shows every address Kubo reports.
    expect((await p0.id()).ipfs.addresses?.some(a => a.startsWith('/ip4/127.0.0.1/'))).toBe(true)
  }, 90_000)

  it('gives the published addresses as Pinning Service API delegates', async () => {
    const [p0, p1, p2] = peers as [ClusterPeer, ClusterPeer, ClusterPeer]
    const server = new PinSvcApiServer(p0, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] })
    const { url } = await server.start()
    try {
      const form = new FormData()
      form.append('file', new Blob([`delegates ${Date.now()}`]))
      const cid = (await kubos[0]!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
      const post = async (): Promise<{ delegates: string[] }> => {
        const res = await fetch(`${url}/pins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cid, name: 'delegates' }) })
        expect(res.status).toBe(202)
        return await res.json() as { delegates: string[] }
      }
      // Replication -1 by default here: every member is a delegate, in peerset order.
      const { delegates } = await post()
      const byPeer = new Map([p0, p1, p2].map((p, i) => [p.peerId, i]))
      const published = (await p0.id()).clusterPeers!.flatMap(id => byPeer.get(id) === 2 ? p2.ipfsAddressesOf(p2.peerId) : [`/dns4/localhost/tcp/9/p2p/${kubos[byPeer.get(id)!]!.peerId}`])
      expect(delegates).toEqual(published)
      expect(delegates.filter(a => a.startsWith('/ip4/127.0.0.1/')).every(a => a.endsWith(kubos[2]!.peerId))).toBe(true)
    } finally {
      await server.stop()
    }
  }, 40_000)

  it('still connects the Kubos of peers that publish no loopback address (addresses from the IDs, as Go)', async () => {
    const swarm = async (i: number): Promise<string[]> => (await kubos[i]!.rpc<{ Peers: Array<{ Peer: string }> | null }>('swarm/peers')).Peers?.map(p => p.Peer) ?? []
    await until(async () => (await swarm(0)).includes(kubos[1]!.peerId) ? true : undefined, 'Kubo 0 connected to Kubo 1', 30_000)
  }, 40_000)
})

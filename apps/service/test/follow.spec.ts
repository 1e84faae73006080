// A collaborative cluster as its users run it: one trusted CRDT peer publishes the followers'
// configuration over HTTP; `ipfs-cluster-follow <name> run --init <url>` (a real process, its own
// real Kubo) joins from it, pins what the trusted peer pins, answers `list` and `info` over its
// Unix socket, refuses writes and the trusted peer's repo GC, and lists its pinset offline once
// stopped.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPinOptions, parseCid } from '@cluster/api'
import { RestClient } from '@cluster/rest-client'
import { freePort, KuboDaemon, until } from '@cluster/test-utils'
import { followMain } from '../src/cli/follow.ts'
import { main } from '../src/cli/main.ts'
import { capture } from './helpers/capture.ts'
import { FOLLOW_CLI, startDaemon, type DaemonProcess } from './helpers/daemon-process.ts'
import { followerTemplate, publish, startTrustedPeer, stopProcess, type TrustedPeer } from './helpers/follow.ts'

describe('ipfs-cluster-follow: a follower of a collaborative CRDT cluster', () => {
  let dir: string
  let trustedKubo: KuboDaemon
  let followerKubo: KuboDaemon
  let trusted: TrustedPeer | undefined
  let follower: DaemonProcess | undefined
  let published: { url: string, close: () => Promise<void> } | undefined
  let templateUrl: string
  let api: RestClient
  let trustedId: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'follow-'))
    ;[trustedKubo, followerKubo] = await Promise.all([KuboDaemon.start(), KuboDaemon.start()])
    await followerKubo.connect(trustedKubo)
    trusted = await startTrustedPeer(join(dir, 'trusted'), trustedKubo)
    api = trusted.api
    trustedId = trusted.id
    const template = followerTemplate(trusted.config, trusted.address)
    published = await publish(() => template)
    templateUrl = published.url
  }, 120_000)

  afterAll(async () => {
    api?.close()
    await stopProcess(follower)
    await stopProcess(trusted?.process)
    await published?.close()
    await Promise.all([trustedKubo?.stop(), followerKubo?.stop()])
    rmSync(dir, { recursive: true, force: true })
  })

  const root = (): string => join(dir, 'followers')
  const followerEnv = (): NodeJS.ProcessEnv => ({ CLUSTER_IPFSHTTP_NODEMULTIADDRESS: followerKubo.apiMultiaddr })

  it('runs with --init from the published URL, pins what the trusted peer pins, lists it over its socket', async () => {
    follower = await startDaemon(root(), ['collab', 'run', '--init', templateUrl], followerEnv(), 90_000, FOLLOW_CLI)
    expect(follower.stderr()).toContain(`configuration fetched from its source: ${templateUrl}`)
    expect(JSON.parse(readFileSync(join(root(), 'collab', 'service.json'), 'utf8'))).toEqual({ source: templateUrl })

    const cid = parseCid((await trustedKubo.cli(['add', '-Q', '--cid-version=1', join(import.meta.dirname, 'follow.spec.ts')])).trim())
    await api.pin(cid, { ...defaultPinOptions(), name: 'shared-by-the-trusted-peer' })
    let listed = ''
    await until(async () => {
      const io = capture()
      expect(await followMain(['-c', root(), 'collab', 'list'], io, followerEnv())).toBe(0)
      listed = io.stdout
      return listed.startsWith('pinned ') ? true : undefined
    }, 'the follower to pin the trusted peer\'s pin', 60_000)
    expect(listed).toBe(`${'pinned'.padEnd(20)} ${cid.toString()} shared-by-the-trusted-peer\n`)
    expect(await followerKubo.cli(['pin', 'ls', '--type=recursive', cid.toString()])).toContain(cid.toString())

    const info = capture()
    expect(await followMain(['-c', root(), 'collab', 'info'], info, followerEnv())).toBe(0)
    expect(info.stdout).toContain(`Config source URL: Available (${templateUrl})\nCluster Peer online: true\nIPFS peer online: true\n`)
  }, 180_000)

  it('refuses writes through its own API, and the trusted peer may not GC its repository', async () => {
    const socket = new RestClient({ host: `/unix${join(root(), 'collab', 'api-socket')}` })
    try {
      const cid = parseCid('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
      await expect(socket.pin(cid, defaultPinOptions())).rejects.toThrow(/follower mode/)
    } finally {
      socket.close()
    }
    const gc = await api.repoGc()
    const entries = Object.values(gc.peerMap ?? {})
    expect(entries.length).toBe(2)
    const refused = entries.find(e => e.peer !== trustedId)
    expect(refused?.error).toContain('client does not have permissions to call Cluster.RepoGCLocal')
    expect(entries.find(e => e.peer === trustedId)?.error).toBe('')
  }, 60_000)

  it('once stopped, lists the stored pinset offline; a second run --init keeps the existing folder', async () => {
    await stopProcess(follower)
    const io = capture()
    expect(await followMain(['-c', root(), 'collab', 'list'], io, followerEnv())).toBe(0)
    expect(io.stdout).toMatch(/^offline {14}bafk\S+ shared-by-the-trusted-peer\n$/)
    const info = capture()
    expect(await followMain(['-c', root(), 'collab', 'info'], info, followerEnv())).toBe(0)
    expect(info.stdout).toContain('Cluster Peer online: false\n')

    follower = await startDaemon(root(), ['collab', 'run', '--init', templateUrl], followerEnv(), 90_000, FOLLOW_CLI)
    const again = capture()
    await until(async () => {
      const out = capture()
      await followMain(['-c', root(), 'collab', 'list'], out, followerEnv())
      again.stdout = out.stdout
      return out.stdout.startsWith('pinned ') ? true : undefined
    }, 'the restarted follower to list its pin', 60_000)
    expect(again.stdout).toMatch(/^pinned {15}bafk\S+ shared-by-the-trusted-peer\n$/)
  }, 180_000)

  it('killed -9, restarts while the published configuration cannot be fetched, from the copy fetched before', async () => {
    // kill -9 leaves the API's socket file behind: the restart must not fail on it (Go's does).
    follower?.child.kill('SIGKILL')
    await new Promise(resolve => follower?.child.once('exit', resolve))
    expect(existsSync(join(root(), 'collab', 'api-socket'))).toBe(true)
    await published?.close()
    published = undefined
    follower = await startDaemon(root(), ['collab', 'run'], followerEnv(), 90_000, FOLLOW_CLI)
    expect(follower.stderr()).toMatch(/could not fetch configuration from source: .*: using the configuration fetched from it at \S+ \(.*service\.source\.json\)/)
    const listed = await until(async () => {
      const out = capture()
      await followMain(['-c', root(), 'collab', 'list'], out, followerEnv())
      return out.stdout.startsWith('pinned ') ? out.stdout : undefined
    }, 'the follower to list its pin', 60_000)
    expect(listed).toMatch(/^pinned {15}bafk\S+ shared-by-the-trusted-peer\n$/)
  }, 120_000)

  it('init with a name instead of a URL reads the configuration through an IPFS gateway (/ipns/<name>)', async () => {
    // Published as collaborative clusters publish theirs, but under an IPNS key (a DNSLink name
    // takes the same path through the gateway; there is no DNS here). The gateway is a Kubo of
    // its own, offline so that it resolves the name from its own record (routing is off here).
    const gatewayKubo = await KuboDaemon.start({ daemonArgs: ['--offline'] })
    const named = join(dir, 'named')
    let byName: DaemonProcess | undefined
    try {
      const file = join(dir, 'published.json')
      writeFileSync(file, JSON.stringify(followerTemplate(trusted!.config, trusted!.address)))
      const cid = (await gatewayKubo.cli(['add', '-Q', file])).trim()
      const name = /Published to (\S+):/.exec(await gatewayKubo.cli(['name', 'publish', '--allow-offline', `/ipfs/${cid}`]))?.[1] as string
      // Go's form of the gateway: host:port, no scheme.
      const gateway = readFileSync(join(gatewayKubo.repoPath, 'gateway'), 'utf8').trim().replace(/^http:\/\//, '')
      const env = { ...followerEnv(), IPFS_GATEWAY: gateway }
      byName = await startDaemon(named, ['collab', 'run', '--init', name], env, 90_000, FOLLOW_CLI)
      expect(byName.stderr()).toContain(`configuration fetched from its source: http://${gateway}/ipns/${name}`)
      const listed = await until(async () => {
        const out = capture()
        await followMain(['-c', named, 'collab', 'list'], out, env)
        return out.stdout.startsWith('pinned ') ? out.stdout : undefined
      }, 'the follower initialised by name to list the pin', 60_000)
      expect(listed).toMatch(/^pinned {15}bafk\S+ shared-by-the-trusted-peer\n$/)
    } finally {
      await stopProcess(byName)
      await gatewayKubo.stop()
    }
  }, 120_000)

  it('ipfs-cluster-service init <url>: the daemon and `state export` read the configuration from its source', async () => {
    // A published configuration for ordinary peers: the followers' one, with a REST API.
    const restApi = `/ip4/127.0.0.1/tcp/${await freePort()}`
    const forPeers = await publish(() => ({ ...followerTemplate(trusted!.config, trusted!.address), api: { restapi: { ...trusted!.config.api.restapi, http_listen_multiaddress: restApi } } }))
    const folder = join(dir, 'sourced-peer')
    try {
      expect(await main(['-c', folder, 'init', forPeers.url], capture())).toBe(0)
      expect(readFileSync(join(folder, 'service.json'), 'utf8')).toBe(`{\n  "source": "${forPeers.url}"\n}`)
      const peer = await startDaemon(folder, ['daemon'], followerEnv())
      const client = new RestClient({ host: restApi })
      try {
        expect(peer.stderr()).toContain(`configuration fetched from its source: ${forPeers.url}`)
        await until(async () => {
          for await (const pin of client.allocations()) if (pin.name === 'shared-by-the-trusted-peer') return true
          return undefined
        }, 'the peer to have the trusted peer\'s pin', 60_000)
      } finally {
        client.close()
        await stopProcess(peer)
      }
      const exported = capture()
      expect(await main(['-c', folder, 'state', 'export'], exported)).toBe(0)
      expect(exported.stdout).toContain('"name":"shared-by-the-trusted-peer"')
    } finally {
      await forPeers.close()
    }
  }, 120_000)
})

// `ipfs-cluster-follow` across implementations: ours following a Go ipfs-cluster-service v1.1.6
// trusted peer (its configuration published as Go operators publish it), and Go's
// ipfs-cluster-follow v1.1.6 following our trusted peer — each pins what the trusted peer pins,
// and each `list` shows it.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPinOptions, parseCid } from '@cluster/api'
import { KuboDaemon, stopChild, until } from '@cluster/test-utils'
import { followMain } from '../src/cli/follow.ts'
import { capture } from './helpers/capture.ts'
import { FOLLOW_CLI, startDaemon, type DaemonProcess } from './helpers/daemon-process.ts'
import { followerTemplate, publish, startTrustedPeer, stopProcess, type TrustedPeer } from './helpers/follow.ts'
import { ensureGoFollow, ensureGoService, goFollowBinary, GoPeer, goServiceUnavailable } from './helpers/go-peer.ts'

const run = promisify(execFile)
const noGo = goServiceUnavailable()

async function addOn (kubo: KuboDaemon, text: string): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([`${text} ${Date.now()} ${Math.random()}`]))
  return (await kubo.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)).Key
}

describe.skipIf(noGo !== undefined)('ipfs-cluster-follow with Go IPFS Cluster v1.1.6', () => {
  let dir: string
  const closing: Array<() => Promise<unknown>> = []
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'follow-go-'))
    await Promise.all([ensureGoService(), ensureGoFollow()])
  }, 600_000)
  afterAll(async () => {
    for (const close of closing.reverse()) await close().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })

  it('our follower follows a Go trusted peer from the configuration it publishes', async () => {
    const secret = randomBytes(32).toString('hex')
    const go = new GoPeer({ folder: join(dir, 'go-trusted'), secret, name: 'go-trusted' })
    closing.push(async () => { await go.stop(true) })
    await go.start()
    const followerKubo = await KuboDaemon.start()
    closing.push(async () => { await followerKubo.stop() })
    await followerKubo.connect(go.kubo as KuboDaemon)
    // Go's own service.json (its ports are given by the environment, the secret by init).
    const goConfig = JSON.parse(readFileSync(join(go.opts.folder, 'cluster', 'service.json'), 'utf8'))
    const template = followerTemplate(goConfig, go.clusterAddress)
    template.cluster.secret = secret
    const published = await publish(() => template)
    closing.push(published.close)

    const root = join(dir, 'ours')
    const env = { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: followerKubo.apiMultiaddr }
    const follower: DaemonProcess = await startDaemon(root, ['collab', 'run', '--init', published.url], env, 90_000, FOLLOW_CLI)
    closing.push(async () => { await stopProcess(follower) })
    const cid = await addOn(go.kubo as KuboDaemon, 'pinned by the Go trusted peer')
    const res = await fetch(`${go.restUrl}/pins/${cid}?name=from-go`, { method: 'POST' })
    expect(res.status).toBe(200)
    const line = await until(async () => {
      const io = capture()
      await followMain(['-c', root, 'collab', 'list'], io, env)
      return io.stdout.startsWith('pinned ') ? io.stdout : undefined
    }, 'our follower to pin the Go peer\'s pin', 90_000)
    expect(line).toBe(`${'pinned'.padEnd(20)} ${cid} from-go\n`)
    // Go's ipfs-cluster-follow, pointed at our follower's folder, reads the same over our socket.
    const goEnv = { ...process.env, ...env, IPFS_CLUSTER_PATH: root }
    expect((await run(goFollowBinary(), ['collab', 'list'], { env: goEnv })).stdout).toBe(line)
    const goInfo = (await run(goFollowBinary(), ['collab', 'info'], { env: goEnv })).stdout
    expect(goInfo).toContain(`Config source URL: Available (${published.url})\nCluster Peer online: true\nIPFS peer online: true\n`)
    // Go's REST API sees our follower as a peer of its cluster.
    const peers = await (await fetch(`${go.restUrl}/peers`)).text()
    expect(peers).toContain('"peername":"a-follower"')
  }, 300_000)

  it('Go\'s ipfs-cluster-follow follows our trusted peer', async () => {
    const trustedKubo = await KuboDaemon.start()
    const followerKubo = await KuboDaemon.start()
    closing.push(async () => { await Promise.all([trustedKubo.stop(), followerKubo.stop()]) })
    await followerKubo.connect(trustedKubo)
    const trusted: TrustedPeer = await startTrustedPeer(join(dir, 'ts-trusted'), trustedKubo)
    closing.push(async () => { trusted.api.close(); await stopProcess(trusted.process) })
    // Go's follower needs a datastore section (ours keeps its CRDT state in SQLite and writes none).
    const template = { ...followerTemplate(trusted.config, trusted.address), datastore: { pebble: {} } }
    const published = await publish(() => template)
    closing.push(published.close)

    const root = join(dir, 'go-followers')
    const env = { ...process.env, IPFS_CLUSTER_PATH: root, CLUSTER_IPFSHTTP_NODEMULTIADDRESS: followerKubo.apiMultiaddr }
    let log = ''
    const goFollower: ChildProcess = spawn(goFollowBinary(), ['collab', 'run', '--init', published.url], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    goFollower.stdout?.on('data', (d: Buffer) => { log += d.toString() })
    goFollower.stderr?.on('data', (d: Buffer) => { log += d.toString() })
    closing.push(async () => { await stopChild(goFollower, 'SIGINT') })
    await until(() => {
      if (goFollower.exitCode !== null) throw new Error(`Go's follower exited: ${log}`)
      return log.includes('IPFS Cluster is READY') ? true : undefined
    }, 'Go\'s follower to be ready', 90_000)

    const cid = parseCid(await addOn(trustedKubo, 'pinned by our trusted peer'))
    await trusted.api.pin(cid, { ...defaultPinOptions(), name: 'from-ts' })
    const listed = await until(async () => {
      const { stdout } = await run(goFollowBinary(), ['collab', 'list'], { env })
      return stdout.startsWith('pinned ') ? stdout : undefined
    }, 'Go\'s follower to pin our pin', 90_000)
    expect(listed).toBe(`${'pinned'.padEnd(20)} ${cid.toString()} from-ts\n`)
    // Ours, pointed at Go's follower's folder, reads the same over Go's socket.
    const ours = capture()
    expect(await followMain(['-c', root, 'collab', 'list'], ours, env)).toBe(0)
    expect(ours.stdout).toBe(listed)
    expect(await followerKubo.cli(['pin', 'ls', '--type=recursive', cid.toString()])).toContain(cid.toString())
  }, 300_000)
})

// The main job (`npm start`): a local 3-peer cluster on loopback, each peer an
// `ipfs-cluster-service daemon` process with its own real Kubo. Everything lives under
// .cache/local-cluster/ and survives restarts; Ctrl-C stops it. `--once` starts it, pins a block
// through the REST API, checks it is pinned on every peer, and stops.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { KuboDaemon } from '@cluster/test-utils'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..')
const base = join(root, '.cache', 'local-cluster')
const cli = join(root, 'apps', 'service', 'src', 'cli', 'run.ts')
const PEERS = 3
const once = process.argv.includes('--once')

interface Peer { folder: string, id: string, clusterPort: string, restApi: string, proxy: string }

async function service (args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  await run(process.execPath, ['--conditions=source', cli, ...args], { env: { ...process.env, ...env } })
}

function readPeer (folder: string): Peer {
  const config = JSON.parse(readFileSync(join(folder, 'service.json'), 'utf8'))
  const identity = JSON.parse(readFileSync(join(folder, 'identity.json'), 'utf8'))
  const listen = [config.cluster.listen_multiaddress].flat().find((a: string) => a.includes('/tcp/')) as string
  return {
    folder,
    id: identity.id,
    clusterPort: listen.split('/tcp/')[1] as string,
    restApi: [config.api.restapi.http_listen_multiaddress].flat()[0],
    proxy: [config.api.ipfsproxy.listen_multiaddress].flat()[0]
  }
}

/** First start: one `init --randomports` per peer, then every peer learns the others. */
async function configure (): Promise<Peer[]> {
  const folders = Array.from({ length: PEERS }, (_, i) => join(base, `peer${i}`))
  if (!folders.every(f => existsSync(join(f, 'service.json')))) {
    for (const [i, folder] of folders.entries()) {
      await service(['-c', folder, 'init', '--randomports', '--force'], { CLUSTER_PEERNAME: `peer${i}` })
    }
    const peers = folders.map(readPeer)
    const secret = JSON.parse(readFileSync(join(folders[0] as string, 'service.json'), 'utf8')).cluster.secret
    for (const p of peers) {
      const path = join(p.folder, 'service.json')
      const config = JSON.parse(readFileSync(path, 'utf8'))
      config.cluster.secret = secret
      config.cluster.replication_factor_min = -1
      config.cluster.replication_factor_max = -1
      config.consensus.raft.init_peerset = peers.map(q => q.id)
      writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 })
      const others = peers.filter(q => q !== p).map(q => `/ip4/127.0.0.1/tcp/${q.clusterPort}/p2p/${q.id}`)
      writeFileSync(join(p.folder, 'peerstore'), others.join('\n') + '\n')
    }
  }
  return folders.map(readPeer)
}

mkdirSync(base, { recursive: true })
const peers = await configure()
const kubos: KuboDaemon[] = []
const daemons: ChildProcess[] = []
const shutdown = async (code: number): Promise<never> => {
  for (const d of daemons) d.kill('SIGTERM')
  await Promise.all(daemons.map(async d => await new Promise(resolve => { if (d.exitCode !== null) resolve(null); else d.once('exit', resolve) })))
  await Promise.all(kubos.map(async k => await k.stop()))
  process.exit(code)
}
process.once('SIGINT', () => { void shutdown(0) })
process.once('SIGTERM', () => { void shutdown(0) })

for (const [i, p] of peers.entries()) {
  const kubo = await KuboDaemon.start({ repoPath: join(base, `kubo${i}`) })
  kubos.push(kubo)
  const log = openSync(join(p.folder, 'daemon.log'), 'a')
  daemons.push(spawn(process.execPath, ['--conditions=source', cli, '-c', p.folder, 'daemon'], {
    env: { ...process.env, CLUSTER_IPFSHTTP_NODEMULTIADDRESS: kubo.apiMultiaddr, CLUSTER_IPFSPROXY_NODEMULTIADDRESS: kubo.apiMultiaddr },
    stdio: ['ignore', log, log]
  }))
}
// Kubos only see each other when connected (routing is off on loopback).
for (const a of kubos) for (const b of kubos) if (a !== b) await a.connect(b).catch(() => {})

const apiUrl = (p: Peer): string => { const [, , host, , port] = p.restApi.split('/'); return `http://${host}:${port}` }
async function ready (p: Peer): Promise<boolean> {
  try {
    const id = await (await fetch(`${apiUrl(p)}/id`, { signal: AbortSignal.timeout(2_000) })).json() as { cluster_peers: string[] | null }
    return (id.cluster_peers ?? []).length === PEERS
  } catch { return false }
}
const deadline = Date.now() + 90_000
while (!(await Promise.all(peers.map(ready))).every(Boolean)) {
  if (Date.now() > deadline || daemons.some(d => d.exitCode !== null)) {
    console.error(`the local cluster did not come up: see ${base}/peer*/daemon.log`)
    await shutdown(1)
  }
  await new Promise(resolve => setTimeout(resolve, 500))
}

console.log(`A local IPFS Cluster of ${PEERS} peers is running (state in ${base}).`)
for (const [i, p] of peers.entries()) {
  console.log(`  peer${i}  ${p.id}\n         REST API ${p.restApi}   IPFS proxy ${p.proxy}   Kubo ${kubos[i]?.apiMultiaddr}`)
}
console.log(`Try:  .cache/gobin/ipfs-cluster-ctl --host ${peers[0]?.restApi} peers ls
      curl -X POST '${apiUrl(peers[0] as Peer)}/pins/<cid>?replication=2'`)

if (once) {
  const form = new FormData()
  form.append('file', new Blob([`local cluster check ${new Date().toISOString()}`]))
  const { Key } = await (kubos[0] as KuboDaemon).rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)
  const pinned = await fetch(`${apiUrl(peers[1] as Peer)}/pins/${Key}?name=smoke`, { method: 'POST' })
  let statuses: string[] = []
  for (let i = 0; i < 100 && !(statuses.length === PEERS && statuses.every(s => s === 'pinned')); i++) {
    await new Promise(resolve => setTimeout(resolve, 200))
    const status = await (await fetch(`${apiUrl(peers[2] as Peer)}/pins/${Key}`)).json() as { peer_map: Record<string, { status: string }> }
    statuses = Object.values(status.peer_map).map(s => s.status)
  }
  const ok = pinned.status === 200 && statuses.length === PEERS && statuses.every(s => s === 'pinned')
  console.log(`check: pinned ${Key} through peer1, status from peer2: ${statuses.join(', ')} → ${ok ? 'OK' : 'FAILED'}`)
  await shutdown(ok ? 0 : 1)
}
console.log('Press Ctrl-C to stop.')

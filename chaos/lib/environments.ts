// What a scenario's cluster runs on: Kubo stand-ins on loopback (Raft, or CRDT), the same with every peer in its
// own network namespace (Raft, or CRDT), or a real Kubo per peer (with blocks to pin put into each).
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { KuboDaemon } from '@cluster/test-utils'
import { randomBlock, randomCid } from '../../bench/lib/cids.ts'
import { FakeKubo } from '../../bench/lib/fake-kubo.ts'
import { removeTempDir, tempDir } from '../../bench/lib/processes.ts'
import { ChaosCluster } from './cluster.ts'
import { TcpForward } from './forward.ts'
import type { Mode } from './mode.ts'
import { Netns } from './netns.ts'

export type EnvKind = 'stand-in' | 'netns' | 'kubo' | 'crdt' | 'crdt-netns'
export type Configure = (config: Record<string, any>, index: number) => void

export interface Env {
  cluster: ChaosCluster
  /** Present in `netns` and `crdt-netns` environments. */
  netns?: Netns
  /** Present in `kubo` environments; replaced in place when one is restarted. */
  kubos?: KuboDaemon[]
  /** The next CID clients pin (undefined when a finite supply is used up). */
  nextCid: () => string | undefined
  close: () => Promise<void>
}

const PEERS = 3

export async function createEnv (kind: EnvKind, mode: Mode, configure?: Configure): Promise<Env> {
  if (kind === 'netns' || kind === 'crdt-netns') return await netnsEnv(mode, kind === 'crdt-netns' ? 'crdt' : 'raft', configure)
  if (kind === 'kubo') return await kuboEnv(mode, configure)
  const fakes = await standIns()
  const cluster = new ChaosCluster({ kuboApis: fakes.map(k => k.apiMultiaddr), ...(kind === 'crdt' ? { consensus: 'crdt' as const } : {}), ...(configure === undefined ? {} : { configure }) })
  return await started(cluster, mode, randomCid, async () => { await Promise.all(fakes.map(async k => { await k.stop() })) })
}

async function netnsEnv (mode: Mode, consensus: 'raft' | 'crdt', configure?: Configure): Promise<Env> {
  const netns = new Netns(PEERS)
  const fakes: FakeKubo[] = []
  const relays: TcpForward[] = []
  const release = async (): Promise<void> => {
    await Promise.all([...relays, ...fakes].map(async s => { await s.stop() }))
    netns.destroy()
  }
  try {
    fakes.push(...await standIns())
    relays.push(...fakes.map(k => new TcpForward(netns.hostAddress, k.port)))
    await Promise.all(relays.map(async r => { await r.start() }))
  } catch (err) {
    await release()
    throw err
  }
  // Fixed ports below the ephemeral range: `init --randomports` ports may be taken by outgoing
  // connections inside a namespace by the time the daemon listens. They differ per peer so that
  // a dial of another peer's port on a namespace's own loopback (the peerstore file lists
  // 127.0.0.1 addresses) is refused rather than served.
  const port = (i: number, base: number): number => base + i
  const cluster = new ChaosCluster({
    kuboApis: relays.map(r => r.multiaddr),
    ...(consensus === 'crdt' ? { consensus: 'crdt' as const } : {}),
    configure: (config, i, folder) => {
      const addr = netns.addresses[i] as string
      writeFileSync(join(folder, 'netns'), netns.names[i] as string)
      config.cluster.listen_multiaddress = [`/ip4/${addr}/tcp/${port(i, 9096)}`]
      config.api.restapi.http_listen_multiaddress = `/ip4/${addr}/tcp/${port(i, 9194)}`
      config.api.ipfsproxy.listen_multiaddress = `/ip4/127.0.0.1/tcp/${port(i, 9294)}`
      config.api.pinsvcapi.http_listen_multiaddress = `/ip4/127.0.0.1/tcp/${port(i, 9394)}`
      config.cluster.peer_addresses = netns.addresses.flatMap((a, j) => j === i
        ? []
        : [`/ip4/${a}/tcp/${port(j, 9096)}/p2p/${peerIdOf(join(dirname(folder), `peer${j}`))}`])
      configure?.(config, i)
    }
  })
  const env = await started(cluster, mode, randomCid, release)
  return { ...env, netns }
}

async function kuboEnv (mode: Mode, configure?: Configure): Promise<Env> {
  const kubos: KuboDaemon[] = []
  const release = async (): Promise<void> => {
    await Promise.all(kubos.map(async k => { await k.stop() }))
    for (const k of kubos) removeTempDir(dirname(k.repoPath))
  }
  let blocks: string[]
  try {
    // Persistent repositories (in temporary folders) survive a Kubo restart; tmpfs spares
    // Kubo's fsyncs.
    const starts = await Promise.allSettled(Array.from({ length: PEERS }, async () => await KuboDaemon.start({ repoPath: join(tempDir('chaos-kubo-', '/dev/shm'), 'repo') })))
    for (const s of starts) if (s.status === 'fulfilled') kubos.push(s.value)
    const failed = starts.find(s => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    blocks = await putBlocks(kubos, mode.kuboBlocks)
  } catch (err) {
    await release()
    throw err
  }
  const cluster = new ChaosCluster({ kuboApis: kubos.map(k => k.apiMultiaddr), ...(configure === undefined ? {} : { configure }) })
  let next = 0
  const env = await started(cluster, mode, () => blocks[next++], release)
  return { ...env, kubos }
}

/** Kills a real Kubo (SIGKILL) and starts it again on the same repository and API address. */
export async function restartKubo (kubos: KuboDaemon[], index: number, downMs: number): Promise<void> {
  const old = kubos[index] as KuboDaemon
  await old.kill()
  const file = join(old.repoPath, 'config')
  const config = JSON.parse(readFileSync(file, 'utf8'))
  config.Addresses.API = old.apiMultiaddr
  writeFileSync(file, JSON.stringify(config, null, 2))
  await new Promise(resolve => setTimeout(resolve, downMs))
  kubos[index] = await KuboDaemon.start({ repoPath: old.repoPath })
}

async function started (cluster: ChaosCluster, mode: Mode, nextCid: () => string | undefined, release: () => Promise<void>): Promise<Env> {
  const close = async (): Promise<void> => {
    try { await cluster.stop() } finally { await release() }
  }
  try {
    await cluster.start(mode.startMs)
  } catch (err) {
    await close()
    throw err
  }
  return { cluster, nextCid, close }
}

async function standIns (): Promise<FakeKubo[]> {
  const fakes = Array.from({ length: PEERS }, () => new FakeKubo())
  await Promise.all(fakes.map(async k => { await k.start() }))
  return fakes
}

function peerIdOf (folder: string): string {
  return (JSON.parse(readFileSync(join(folder, 'identity.json'), 'utf8')) as { id: string }).id
}

/** Puts `n` random blocks into every Kubo (so each allocation can pin without fetching). */
async function putBlocks (kubos: KuboDaemon[], n: number): Promise<string[]> {
  const cids: string[] = []
  for (let done = 0; done < n; done += 500) {
    const batch = Array.from({ length: Math.min(500, n - done) }, () => randomBlock(256))
    await Promise.all(kubos.map(async k => {
      const form = new FormData()
      for (const b of batch) form.append('file', new Blob([b.bytes]))
      const res = await fetch(k.url('block/put', { 'cid-codec': 'raw' }), { method: 'POST', body: form, signal: AbortSignal.timeout(60_000) })
      const text = await res.text()
      if (!res.ok) throw new Error(`block/put: ${res.status} ${text.slice(0, 200)}`)
    }))
    cids.push(...batch.map(b => b.cid))
  }
  return cids
}

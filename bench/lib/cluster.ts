// A 3-peer Raft cluster of either implementation on loopback, driven through the same command
// line and service.json keys (ours are Go's). The flavour (ours or Go's) only says how to run
// `ipfs-cluster-service`; each peer is pointed at a Kubo RPC address given by the caller (a
// real Kubo per peer, or one shared stand-in).
import { execFile, type ChildProcess } from 'node:child_process'
import { copyFileSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { randomCid } from './cids.ts'
import { spawnTracked, stopChild, killHard, tempDir, removeTempDir, rssBytes, cpuSeconds } from './processes.ts'

const run = promisify(execFile)

export interface Flavour {
  /** `go` or `ts` (used in labels and folder names). */
  name: 'go' | 'ts'
  /** How to run `ipfs-cluster-service`: executable and leading arguments. */
  service: { command: string, args: string[] }
  /** Makes the program available (e.g. builds it); called once before the first cluster. */
  prepare: () => Promise<void>
}

export interface BenchPeer {
  index: number
  folder: string
  id: string
  clusterPort: string
  restApi: string
  restUrl: string
  kuboApi: string
  daemon?: ChildProcess
}

export interface BenchClusterOptions {
  flavour: Flavour
  /** Kubo RPC multiaddr per peer (its length is the number of peers). */
  kuboApis: string[]
  /** Edits of each peer's service.json (Go keys), after the common benchmark settings. */
  configure?: (config: Record<string, any>, index: number) => void
  /**
   * A pinset to load before the first start (`state import -f`, offline, on every peer): called
   * with the peer IDs, returns the path of an NDJSON file of pins.
   */
  importState?: (peerIds: string[]) => string
}

/** Settings shared by both implementations in every workload. */
export function benchSettings (config: Record<string, any>): void {
  const c = config.cluster
  c.replication_factor_min = 2
  c.replication_factor_max = 2
  c.mdns_interval = '0s'
  c.monitor_ping_interval = '2s'
  c.disable_repinning = false
  c.listen_multiaddress = [c.listen_multiaddress].flat().map((a: string) => a.replace('/ip4/0.0.0.0/', '/ip4/127.0.0.1/'))
  config.monitor.pubsubmon.check_interval = '2s'
  for (const informer of Object.values(config.informer ?? {}) as Array<Record<string, unknown>>) {
    if ('metric_ttl' in informer) informer.metric_ttl = '4s'
  }
}

export class BenchCluster {
  readonly peers: BenchPeer[] = []
  readonly base: string
  private readonly opts: BenchClusterOptions

  constructor (opts: BenchClusterOptions) {
    this.opts = opts
    this.base = tempDir(`side-by-side-${opts.flavour.name}-`)
  }

  get name (): string { return this.opts.flavour.name }

  /** init + configure every peer, start the daemons, wait until each sees the whole peerset. */
  async start (timeoutMs = 90_000): Promise<void> {
    const { flavour, kuboApis } = this.opts
    const n = kuboApis.length
    const folders = Array.from({ length: n }, (_, i) => join(this.base, `peer${i}`))
    await Promise.all(folders.map(async (folder, i) => {
      await run(flavour.service.command, [...flavour.service.args, '-c', folder, 'init', '--consensus', 'raft', '--randomports', '--force'],
        { env: { ...process.env, CLUSTER_PEERNAME: `${flavour.name}${i}` } })
    }))
    const ids = folders.map(f => (readJson(join(f, 'identity.json')) as { id: string }).id)
    const secret = readJson(join(folders[0] as string, 'service.json')).cluster.secret as string
    for (const [i, folder] of folders.entries()) {
      const path = join(folder, 'service.json')
      const config = readJson(path)
      config.cluster.secret = secret
      config.consensus.raft.init_peerset = ids
      config.ipfs_connector.ipfshttp.node_multiaddress = kuboApis[i]
      config.api.ipfsproxy.node_multiaddress = kuboApis[i]
      benchSettings(config)
      this.opts.configure?.(config, i)
      writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 })
    }
    this.peers.push(...folders.map((f, i) => describe(f, i, kuboApis[i] as string)))
    for (const p of this.peers) {
      const others = this.peers.filter(q => q !== p).map(q => `/ip4/127.0.0.1/tcp/${q.clusterPort}/p2p/${q.id}`)
      writeFileSync(join(p.folder, 'peerstore'), others.join('\n') + '\n')
    }
    const importFile = this.opts.importState?.(ids)
    if (importFile !== undefined) {
      await Promise.all(this.peers.map(async p => {
        await run(flavour.service.command, [...flavour.service.args, '-c', p.folder, 'state', 'import', '-f', importFile], { maxBuffer: 64 * 2 ** 20 })
      }))
    }
    for (const p of this.peers) this.startPeer(p)
    await this.waitReady(timeoutMs)
  }

  private startPeer (p: BenchPeer): void {
    const { command, args } = this.opts.flavour.service
    const log = openSync(join(p.folder, 'daemon.log'), 'a')
    p.daemon = spawnTracked(command, [...args, '-c', p.folder, 'daemon'], {
      env: { ...process.env, CLUSTER_IPFSHTTP_NODEMULTIADDRESS: p.kuboApi, CLUSTER_IPFSPROXY_NODEMULTIADDRESS: p.kuboApi },
      stdio: ['ignore', log, log]
    })
    closeSync(log)
  }

  async waitReady (timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const ready = async (p: BenchPeer): Promise<boolean> => {
      try {
        const res = await fetch(`${p.restUrl}/id`, { signal: AbortSignal.timeout(2_000) })
        const id = await res.json() as { cluster_peers?: string[] | null }
        return (id.cluster_peers ?? []).length === this.peers.length
      } catch { return false }
    }
    while (!(await Promise.all(this.peers.map(ready))).every(Boolean)) {
      const dead = this.peers.find(p => p.daemon?.exitCode !== null && p.daemon?.exitCode !== undefined)
      if (dead !== undefined) throw new Error(`${this.name} peer${dead.index} exited: see ${dead.folder}/daemon.log\n${tail(join(dead.folder, 'daemon.log'))}`)
      if (Date.now() > deadline) throw new Error(`the ${this.name} cluster did not come up in ${timeoutMs} ms:\n${tail(join(this.peers[0]?.folder ?? '', 'daemon.log'))}`)
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    // Wait for a Raft leader: a pin (of a CID nobody has) must commit through every peer; it is
    // removed again at once.
    const probe = randomCid()
    for (const p of this.peers) {
      while (true) {
        try {
          const res = await fetch(`${p.restUrl}/pins/${probe}`, { method: 'POST', signal: AbortSignal.timeout(20_000) })
          await res.arrayBuffer()
          if (res.ok) break
        } catch { /* no leader yet */ }
        if (Date.now() > deadline) throw new Error(`the ${this.name} cluster has no Raft leader after ${timeoutMs} ms`)
        await new Promise(resolve => setTimeout(resolve, 250))
      }
    }
    const res = await fetch(`${this.peers[0]?.restUrl}/pins/${probe}`, { method: 'DELETE', signal: AbortSignal.timeout(20_000) })
    await res.arrayBuffer()
  }

  /** SIGKILL one peer's daemon (a crash). */
  async kill (index: number): Promise<void> {
    const d = this.peers[index]?.daemon
    if (d !== undefined) await killHard(d)
  }

  rss (index: number): number {
    return rssBytes(this.peers[index]?.daemon?.pid)
  }

  /** CPU seconds used so far by all daemons (alive ones). */
  cpu (): number {
    return this.peers.reduce((sum, p) => sum + cpuSeconds(p.daemon?.pid), 0)
  }

  /** Stops every daemon and removes the cluster's folders. */
  async stop (): Promise<void> {
    await Promise.all(this.peers.map(async p => { if (p.daemon !== undefined) await stopChild(p.daemon, 10_000) }))
    // BENCH_LOG_DIR=<dir> keeps every daemon's log.
    const keep = process.env.BENCH_LOG_DIR
    if (keep !== undefined && keep !== '') {
      mkdirSync(keep, { recursive: true })
      for (const p of this.peers) { try { copyFileSync(join(p.folder, 'daemon.log'), join(keep, `${basename(this.base)}-peer${p.index}.log`)) } catch { /* no log */ } }
    }
    removeTempDir(this.base)
  }
}

function readJson (path: string): Record<string, any> {
  return JSON.parse(readFileSync(path, 'utf8'))
}

function tail (path: string, lines = 15): string {
  try { return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') } catch { return '' }
}

function describe (folder: string, index: number, kuboApi: string): BenchPeer {
  const config = readJson(join(folder, 'service.json'))
  const identity = readJson(join(folder, 'identity.json'))
  const listen = [config.cluster.listen_multiaddress].flat().find((a: string) => a.includes('/tcp/')) as string
  const restApi = [config.api.restapi.http_listen_multiaddress].flat()[0] as string
  const [, , host, , port] = restApi.split('/')
  return { index, folder, id: identity.id, clusterPort: listen.split('/tcp/')[1] as string, restApi, restUrl: `http://${host ?? ''}:${port ?? ''}`, kuboApi }
}

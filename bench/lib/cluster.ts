// A cluster of either implementation on loopback, Raft or CRDT, driven through the same command
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
  /** performance.now() when the daemon was spawned. */
  startedAt?: number
}

export type Consensus = 'raft' | 'crdt'

/** CRDT settings, the same on both implementations. */
export interface CrdtSettings {
  /** crdt.batching (Go's keys); no batching when absent. */
  batching?: { max_batch_size: number, max_batch_age: string }
  /** crdt.rebroadcast_interval (Go's default 1m). */
  rebroadcastInterval?: string
}

export interface BenchClusterOptions {
  flavour: Flavour
  /** 'raft' (default; init_peerset = every peer) or 'crdt' (trusted_peers '*', Go's pebble datastore). */
  consensus?: Consensus
  crdt?: CrdtSettings
  /** Prefix of the temporary folder. */
  prefix?: string
  /** Kubo RPC multiaddr per peer (its length is the number of peers). */
  kuboApis: string[]
  /** Edits of each peer's service.json (Go keys), after the common benchmark settings. */
  configure?: (config: Record<string, any>, index: number) => void
  /**
   * A pinset to load before the first start (`state import -f`, offline): called with the peer
   * IDs, returns the path of an NDJSON file of pins. Raft: on every peer; CRDT: on peer 0 only
   * (one batch, which the others then fetch).
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
  /** Seconds spent by start() in each of its phases: init, state file, import, daemons ready. */
  readonly startPhases: Record<string, number> = {}
  private readonly opts: BenchClusterOptions

  constructor (opts: BenchClusterOptions) {
    this.opts = opts
    this.base = tempDir(`${opts.prefix ?? 'side-by-side'}-${opts.flavour.name}-`)
  }

  get name (): string { return this.opts.flavour.name }
  get consensus (): Consensus { return this.opts.consensus ?? 'raft' }

  private initArgs (): string[] {
    return this.consensus === 'crdt' ? ['--consensus', 'crdt', '--datastore', 'pebble'] : ['--consensus', 'raft']
  }

  /** The consensus data folder: Raft's, or the CRDT store (ours: <config>/crdt, Go's: <config>/pebble). */
  dataFolder (index: number): string {
    const folder = this.peers[index]?.folder ?? ''
    if (this.consensus === 'raft') return join(folder, 'raft')
    return join(folder, this.name === 'go' ? 'pebble' : 'crdt')
  }

  /** The shared settings of every peer's service.json (also of peers added later). */
  private configurePeer (config: Record<string, any>, secret: string, ids: string[], kuboApi: string, index: number): void {
    config.cluster.secret = secret
    if (this.consensus === 'raft') config.consensus.raft.init_peerset = ids
    else {
      const crdt = config.consensus.crdt
      crdt.trusted_peers = ['*']
      const { batching, rebroadcastInterval } = this.opts.crdt ?? {}
      if (batching !== undefined) crdt.batching = { ...batching }
      if (rebroadcastInterval !== undefined) crdt.rebroadcast_interval = rebroadcastInterval
    }
    config.ipfs_connector.ipfshttp.node_multiaddress = kuboApi
    config.api.ipfsproxy.node_multiaddress = kuboApi
    benchSettings(config)
    this.opts.configure?.(config, index)
  }

  /** init + configure every peer, start the daemons, wait until each sees the whole peerset. */
  async start (timeoutMs = 90_000): Promise<void> {
    const { flavour, kuboApis } = this.opts
    let mark = performance.now()
    const phase = (name: string): void => { const now = performance.now(); this.startPhases[name] = (now - mark) / 1000; mark = now }
    const n = kuboApis.length
    const folders = Array.from({ length: n }, (_, i) => join(this.base, `peer${i}`))
    const init = async (i: number): Promise<void> => {
      await run(flavour.service.command, [...flavour.service.args, '-c', folders[i] as string, 'init', ...this.initArgs(), '--randomports', '--force'],
        { env: { ...process.env, CLUSTER_PEERNAME: `${flavour.name}${i}` } })
    }
    await Promise.all(folders.map(async (_, i) => { await init(i) }))
    // Each init draws its free ports alone: two peers can draw the same one (seen: a daemon
    // failing with EADDRINUSE). A peer sharing a port with an earlier one draws again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const taken = new Set<string>()
      const clashing = folders.flatMap((folder, i) => {
        const ports = listenPorts(readJson(join(folder, 'service.json')))
        const clash = ports.some(p => taken.has(p))
        for (const p of ports) taken.add(p)
        return clash ? [i] : []
      })
      if (clashing.length === 0) break
      for (const i of clashing) await init(i)
    }
    const ids = folders.map(f => (readJson(join(f, 'identity.json')) as { id: string }).id)
    const secret = readJson(join(folders[0] as string, 'service.json')).cluster.secret as string
    for (const [i, folder] of folders.entries()) {
      const path = join(folder, 'service.json')
      const config = readJson(path)
      this.configurePeer(config, secret, ids, kuboApis[i] as string, i)
      writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 })
    }
    this.peers.push(...folders.map((f, i) => describe(f, i, kuboApis[i] as string)))
    for (const p of this.peers) {
      const others = this.peers.filter(q => q !== p).map(multiaddr)
      writeFileSync(join(p.folder, 'peerstore'), others.join('\n') + '\n')
    }
    phase('init')
    const importFile = this.opts.importState?.(ids)
    phase('state file')
    if (importFile !== undefined) {
      const importers = this.consensus === 'crdt' ? this.peers.slice(0, 1) : this.peers
      await Promise.all(importers.map(async p => {
        await run(flavour.service.command, [...flavour.service.args, '-c', p.folder, 'state', 'import', '-f', importFile], { maxBuffer: 64 * 2 ** 20 })
      }))
    }
    phase('import')
    for (const p of this.peers) this.startPeer(p)
    await this.waitReady(timeoutMs)
    phase('daemons ready')
  }

  /**
   * CRDT only: init one more peer like the others (same secret and settings, the others in its
   * peerstore) with an empty state and start it with `--bootstrap <peer 0>`. Does not wait.
   */
  async addPeer (kuboApi: string): Promise<BenchPeer> {
    if (this.consensus !== 'crdt') throw new Error('addPeer: CRDT clusters only')
    const { flavour } = this.opts
    const index = this.peers.length
    const folder = join(this.base, `peer${index}`)
    await run(flavour.service.command, [...flavour.service.args, '-c', folder, 'init', ...this.initArgs(), '--randomports', '--force'],
      { env: { ...process.env, CLUSTER_PEERNAME: `${flavour.name}${index}` } })
    const secret = readJson(join(this.peers[0]?.folder ?? '', 'service.json')).cluster.secret as string
    const path = join(folder, 'service.json')
    const config = readJson(path)
    this.configurePeer(config, secret, [], kuboApi, index)
    writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 })
    const p = describe(folder, index, kuboApi)
    const others = this.peers.map(q => multiaddr(q))
    writeFileSync(join(folder, 'peerstore'), others.join('\n') + '\n')
    this.peers.push(p)
    this.startPeer(p, [multiaddr(this.peers[0] as BenchPeer)])
    return p
  }

  /** SIGTERM one peer's daemon (it stays in `peers`, stopped). */
  async stopPeer (index: number): Promise<void> {
    const d = this.peers[index]?.daemon
    if (d !== undefined) await stopChild(d, 10_000)
  }

  private startPeer (p: BenchPeer, bootstrap: string[] = []): void {
    const { command, args } = this.opts.flavour.service
    const log = openSync(join(p.folder, 'daemon.log'), 'a')
    const bootstrapArgs = bootstrap.length > 0 ? ['--bootstrap', bootstrap.join(',')] : []
    p.startedAt = performance.now()
    p.daemon = spawnTracked(command, [...args, '-c', p.folder, 'daemon', ...bootstrapArgs], {
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
    // Raft: wait for a leader; CRDT: for every peer to take writes. A pin (of a CID nobody has)
    // must commit through every peer; it is removed again at once. CRDT: a CID per peer, removed
    // through the same peer (a removal elsewhere could miss an add not yet received there, and
    // the pin would stay: add wins).
    const raft = this.consensus === 'raft'
    const probes = this.peers.map(() => randomCid())
    const probeOf = (p: BenchPeer): string => raft ? probes[0] as string : probes[p.index] as string
    for (const p of this.peers) {
      const probe = probeOf(p)
      while (true) {
        try {
          const res = await fetch(`${p.restUrl}/pins/${probe}`, { method: 'POST', signal: AbortSignal.timeout(20_000) })
          await res.arrayBuffer()
          if (res.ok) break
        } catch { /* no leader yet */ }
        if (Date.now() > deadline) throw new Error(`the ${this.name} ${this.consensus} cluster takes no pin after ${timeoutMs} ms:\n${tail(join(p.folder, 'daemon.log'))}`)
        await new Promise(resolve => setTimeout(resolve, 250))
      }
    }
    for (const p of raft ? this.peers.slice(0, 1) : this.peers) {
      const res = await fetch(`${p.restUrl}/pins/${probeOf(p)}`, { method: 'DELETE', signal: AbortSignal.timeout(20_000) })
      await res.arrayBuffer()
    }
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

  /**
   * Waits until the daemons together use less than `cores` of a CPU over a 2 s window (the work a
   * start leaves, such as a first check of every pin against IPFS, is over), at most `maxMs`.
   * Returns the ms waited; a cluster that never goes quiet returns `maxMs`.
   */
  async waitQuiet (maxMs = 120_000, cores = 0.1): Promise<number> {
    return await waitAllQuiet([this], maxMs, cores)
  }

  /** CPU seconds used so far by each peer's daemon, in peer order. */
  cpuPerPeer (): number[] {
    return this.peers.map(p => cpuSeconds(p.daemon?.pid))
  }

  /**
   * CPU ms per pin since `before` (a cpuPerPeer() reading) for `pins` pins: peer 0's (every
   * write at 1 client) and the mean of the others'.
   */
  cpuSplitSince (before: number[], pins: number): { writer: number, others: number } {
    const used = this.cpuPerPeer().map((c, i) => 1000 * (c - (before[i] ?? 0)) / Math.max(1, pins))
    const others = used.slice(1)
    return { writer: used[0] ?? NaN, others: others.reduce((a, b) => a + b, 0) / Math.max(1, others.length) }
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

/**
 * Waits until the daemons of all the clusters together use less than `cores` of a CPU over a 2 s
 * window, at most `maxMs`; returns the ms waited. Workloads that keep two clusters up (ours and
 * Go's, runs alternating) call it before each run, so neither measures while the other still
 * works off the previous run (pins still going to IPFS, deltas still merging).
 */
export async function waitAllQuiet (clusters: readonly BenchCluster[], maxMs = 120_000, cores = 0.1): Promise<number> {
  const cpu = (): number => totalCpu(clusters)
  const t0 = performance.now()
  while (performance.now() - t0 < maxMs) {
    const before = cpu()
    await new Promise(resolve => setTimeout(resolve, 2_000))
    if (cpu() - before < 2 * cores) break
  }
  return Math.min(maxMs, performance.now() - t0)
}

/**
 * CPU the daemons of all the clusters use together at rest, in cores, over `ms`: the floor
 * {@link waitAllQuiet} is given (plus a margin), as idle peers still ping, check and heartbeat.
 */
export async function restingCpu (clusters: readonly BenchCluster[], ms = 4_000): Promise<number> {
  const before = totalCpu(clusters)
  await new Promise(resolve => setTimeout(resolve, ms))
  return (totalCpu(clusters) - before) / (ms / 1000)
}

function totalCpu (clusters: readonly BenchCluster[]): number {
  return clusters.reduce((sum, c) => sum + c.cpu(), 0)
}

function multiaddr (p: BenchPeer): string {
  return `/ip4/127.0.0.1/tcp/${p.clusterPort}/p2p/${p.id}`
}

function readJson (path: string): Record<string, any> {
  return JSON.parse(readFileSync(path, 'utf8'))
}

function tail (path: string, lines = 15): string {
  try { return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') } catch { return '' }
}

/** The TCP/UDP ports a peer's service.json listens on (cluster, REST, Pinning Service API, proxy). */
function listenPorts (config: Record<string, any>): string[] {
  const addrs: unknown[] = [config.cluster?.listen_multiaddress, config.api?.restapi?.http_listen_multiaddress,
    config.api?.pinsvcapi?.http_listen_multiaddress, config.api?.ipfsproxy?.listen_multiaddress].flat()
  return addrs.flatMap(a => typeof a === 'string' ? [...a.matchAll(/\/(tcp|udp)\/(\d+)/g)].map(m => `${m[1]}/${m[2]}`) : [])
}

function describe (folder: string, index: number, kuboApi: string): BenchPeer {
  const config = readJson(join(folder, 'service.json'))
  const identity = readJson(join(folder, 'identity.json'))
  const listen = [config.cluster.listen_multiaddress].flat().find((a: string) => a.includes('/tcp/')) as string
  const restApi = [config.api.restapi.http_listen_multiaddress].flat()[0] as string
  const [, , host, , port] = restApi.split('/')
  return { index, folder, id: identity.id, clusterPort: listen.split('/tcp/')[1] as string, restApi, restUrl: `http://${host ?? ''}:${port ?? ''}`, kuboApi }
}

import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { KuboDaemon } from '@cluster/test-utils'
import { daemonLauncher } from './node-flags.ts'

const run = promisify(execFile)
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'run.ts')

export interface LocalPeer {
  index: number
  folder: string
  id: string
  clusterPort: string
  /** REST API multiaddr and URL. */
  restApi: string
  restUrl: string
  proxy: string
  kubo?: KuboDaemon
  /** The IPFS API used instead of a Kubo (LocalClusterOptions.ipfsFor). */
  ipfs?: StandInIpfs
  daemon?: ChildProcess
}

/** Something answering the Kubo RPC API (e.g. a stand-in for runs with huge pinsets). */
export interface StandInIpfs { apiMultiaddr: string, stop: () => Promise<void> }

export interface LocalClusterOptions {
  /** Folder holding every peer's config folder, Kubo repository and log. */
  base: string
  peers?: number
  /** Edits applied to each peer's service.json at first start (JSON object, Go keys); `ids` are every peer's ID. */
  configure?: (config: Record<string, any>, index: number, ids: string[]) => void
  /** Extra environment of the daemons. */
  env?: NodeJS.ProcessEnv
  /** `init --consensus` (default raft: the tests written for Raft rely on it). */
  consensus?: 'raft' | 'crdt'
  /** An IPFS API per peer instead of a real Kubo. */
  ipfsFor?: (index: number) => Promise<StandInIpfs>
}

/**
 * N `ipfs-cluster-service daemon` processes on loopback, each with its own real Kubo — the
 * main job (`npm start`) and the multi-process tests. Configuration happens once (`init
 * --randomports` per peer, one shared secret, with Raft every peer in `init_peerset`, and the
 * others' addresses in each peerstore); later starts reuse the folders, so state survives restarts.
 */
export class LocalCluster {
  readonly peers: LocalPeer[] = []
  private readonly opts: LocalClusterOptions

  /** The consensus in the peers' service.json (known once started). */
  get consensus (): string {
    const folder = this.peers[0]?.folder
    return folder === undefined ? (this.opts.consensus ?? 'raft') : Object.keys(readJson(join(folder, 'service.json')).consensus ?? {})[0] ?? 'unknown'
  }

  constructor (opts: LocalClusterOptions) {
    this.opts = opts
  }

  async start (timeoutMs = 90_000): Promise<void> {
    mkdirSync(this.opts.base, { recursive: true })
    await this.configure()
    for (const p of this.peers) await this.startPeer(p.index)
    for (const a of this.peers) for (const b of this.peers) if (a !== b) await a.kubo?.connect(b.kubo as KuboDaemon).catch(() => {})
    await this.waitReady(this.peers, timeoutMs)
  }

  /** Starts (or restarts) one peer's Kubo and daemon; `daemonArgs` follow `daemon` (e.g. `--bootstrap`). */
  async startPeer (index: number, daemonArgs: string[] = []): Promise<void> {
    const p = this.peers[index] as LocalPeer
    if (this.opts.ipfsFor !== undefined) p.ipfs ??= await this.opts.ipfsFor(index)
    else p.kubo ??= await KuboDaemon.start({ repoPath: join(this.opts.base, `kubo${index}`) })
    const api = (p.kubo ?? p.ipfs)?.apiMultiaddr ?? ''
    const log = openSync(join(p.folder, 'daemon.log'), 'a')
    const launcher = daemonLauncher()
    p.daemon = spawn(launcher.command, [...launcher.args, '--conditions=source', CLI, '-c', p.folder, 'daemon', ...daemonArgs], {
      env: { ...process.env, ...this.opts.env, CLUSTER_IPFSHTTP_NODEMULTIADDRESS: api, CLUSTER_IPFSPROXY_NODEMULTIADDRESS: api },
      stdio: ['ignore', log, log]
    })
  }

  /** SIGKILL a peer's daemon (a crash); its Kubo keeps running. */
  async kill (index: number): Promise<void> {
    const d = this.peers[index]?.daemon
    if (d === undefined || d.exitCode !== null) return
    d.kill('SIGKILL')
    await new Promise(resolve => d.once('exit', resolve))
  }

  async stop (): Promise<void> {
    for (const p of this.peers) p.daemon?.kill('SIGTERM')
    await Promise.all(this.peers.map(async p => {
      const d = p.daemon
      if (d !== undefined && d.exitCode === null && d.signalCode === null) await new Promise(resolve => d.once('exit', resolve))
    }))
    await Promise.all(this.peers.map(async p => { await p.kubo?.stop(); await p.ipfs?.stop() }))
  }

  /**
   * Adds a peer to a running cluster: a new folder configured like the others (same secret and
   * consensus, the current peers in its peerstore), `configure` applied, started.
   */
  async addPeer (configure?: (config: Record<string, any>) => void, daemonArgs: string[] = []): Promise<LocalPeer> {
    const index = this.peers.length
    const folder = join(this.opts.base, `peer${index}`)
    // The peers started just before may not listen yet: their ports must be avoided by name.
    await this.initFolder(folder, index, new Set(this.peers.flatMap(p => listenPorts(readJson(join(p.folder, 'service.json'))))))
    const path = join(folder, 'service.json')
    const config = readJson(path)
    config.cluster.secret = readJson(join(this.peers[0]!.folder, 'service.json')).cluster.secret
    configure?.(config)
    writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 })
    writeFileSync(join(folder, 'peerstore'), this.peers.map(q => `/ip4/127.0.0.1/tcp/${q.clusterPort}/p2p/${q.id}`).join('\n') + '\n')
    const peer = describe(folder, index)
    this.peers.push(peer)
    await this.startPeer(index, daemonArgs)
    for (const other of this.peers) if (other !== peer && other.kubo !== undefined) await peer.kubo?.connect(other.kubo).catch(() => {})
    await this.waitAnswering(peer)
    return peer
  }

  /**
   * Waits until `peer`'s REST API answers `/id` with its own ID: proof that its URL reaches this
   * daemon and not another process on the same port.
   */
  async waitAnswering (peer: LocalPeer, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const id = await fetch(`${peer.restUrl}/id`, { signal: AbortSignal.timeout(2_000) })
        .then(async res => (await res.json() as { id?: string }).id, () => undefined)
      if (id === peer.id) return
      if (id !== undefined) throw new Error(`peer${peer.index}'s REST address ${peer.restUrl} answers as ${id}`)
      const exit = peer.daemon?.exitCode
      if (exit !== null && exit !== undefined) throw new Error(`peer${peer.index} exited (${exit}): see ${peer.folder}/daemon.log, which ends:\n${logTail(join(peer.folder, 'daemon.log'))}`)
      if (Date.now() > deadline) throw new Error(`peer${peer.index} did not answer at ${peer.restUrl}: see ${peer.folder}/daemon.log`)
      await new Promise(resolve => setTimeout(resolve, 300))
    }
  }

  /**
   * `init --randomports` of one peer's folder, again while one of its ports is in `used` (each
   * init finds free ports on its own, and a peer just started may not listen yet); its ports are
   * then added to `used`.
   */
  private async initFolder (folder: string, index: number, used: Set<string>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await run(process.execPath, ['--conditions=source', CLI, '-c', folder, 'init', '--consensus', this.opts.consensus ?? 'raft', '--randomports', '--force'], { env: { ...process.env, CLUSTER_PEERNAME: `peer${index}` } })
      const ports = listenPorts(readJson(join(folder, 'service.json')))
      if (attempt < 5 && ports.some(p => used.has(p))) continue
      for (const p of ports) used.add(p)
      return
    }
  }

  /** Waits until every given peer answers `/id` and sees the whole peerset. */
  async waitReady (peers: LocalPeer[], timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const ready = async (p: LocalPeer): Promise<boolean> => {
      try {
        const id = await (await fetch(`${p.restUrl}/id`, { signal: AbortSignal.timeout(2_000) })).json() as { cluster_peers: string[] | null }
        return (id.cluster_peers ?? []).length === this.peers.length
      } catch { return false }
    }
    while (!(await Promise.all(peers.map(ready))).every(Boolean)) {
      const dead = peers.find(p => p.daemon?.exitCode !== null && p.daemon?.exitCode !== undefined)
      if (dead !== undefined) throw new Error(`peer${dead.index} exited: see ${dead.folder}/daemon.log, which ends:\n${logTail(join(dead.folder, 'daemon.log'))}`)
      if (Date.now() > deadline) throw new Error(`the local cluster did not come up: see ${this.opts.base}/peer*/daemon.log`)
      await new Promise(resolve => setTimeout(resolve, 300))
    }
  }

  private async configure (): Promise<void> {
    const n = this.opts.peers ?? 3
    const folders = Array.from({ length: n }, (_, i) => join(this.opts.base, `peer${i}`))
    if (!folders.every(f => existsSync(join(f, 'service.json')))) {
      const used = new Set<string>()
      for (const [i, folder] of folders.entries()) await this.initFolder(folder, i, used)
      const described = folders.map((f, i) => describe(f, i))
      const secret = readJson(join(folders[0] as string, 'service.json')).cluster.secret
      for (const p of described) {
        const path = join(p.folder, 'service.json')
        const config = readJson(path)
        config.cluster.secret = secret
        if (config.consensus.raft !== undefined) config.consensus.raft.init_peerset = described.map(q => q.id)
        this.opts.configure?.(config, p.index, described.map(q => q.id))
        writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 })
        const others = described.filter(q => q !== p).map(q => `/ip4/127.0.0.1/tcp/${q.clusterPort}/p2p/${q.id}`)
        writeFileSync(join(p.folder, 'peerstore'), others.join('\n') + '\n')
      }
    }
    this.peers.push(...folders.map((f, i) => describe(f, i)))
  }
}

function readJson (path: string): Record<string, any> {
  return JSON.parse(readFileSync(path, 'utf8'))
}

function describe (folder: string, index: number): LocalPeer {
  const config = readJson(join(folder, 'service.json'))
  const identity = readJson(join(folder, 'identity.json'))
  const listen = [config.cluster.listen_multiaddress].flat().find((a: string) => a.includes('/tcp/')) as string
  const restApi = [config.api.restapi.http_listen_multiaddress].flat()[0] as string
  const [, , host, , port] = restApi.split('/')
  return {
    index,
    folder,
    id: identity.id,
    clusterPort: listen.split('/tcp/')[1] as string,
    restApi,
    restUrl: `http://${host ?? ''}:${port ?? ''}`,
    proxy: [config.api.ipfsproxy.listen_multiaddress].flat()[0] as string
  }
}

/** The `tcp/N` and `udp/N` of every address a peer listens on. */
function listenPorts (config: Record<string, any>): string[] {
  const addrs = [config.cluster.listen_multiaddress, config.api.restapi.http_listen_multiaddress, config.api.ipfsproxy.listen_multiaddress, config.api.pinsvcapi?.http_listen_multiaddress].flat().filter((a): a is string => typeof a === 'string')
  return addrs.flatMap(a => [...a.matchAll(/\/(tcp|udp)\/(\d+)/g)].map(m => `${m[1] as string}/${m[2] as string}`))
}

/** The last lines of a log file, for an error message ('' when it cannot be read). */
function logTail (path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

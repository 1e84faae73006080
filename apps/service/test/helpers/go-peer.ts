/**
 * A Go ipfs-cluster-service v1.1.6 CRDT peer on loopback (consensus-crdt.md §11.1), with its own
 * Kubo, for the mixed-cluster interop tests. The binary is the one scripts/install-go-tools.sh
 * (run by the setup) builds into .cache/gobin (the same as the benchmark baseline).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, KuboDaemon, stopChild, until } from '@cluster/test-utils'

const run = promisify(execFile)
const repoRoot = join(import.meta.dirname, '..', '..', '..', '..')
const gobin = process.env.CLUSTER_GOBIN ?? join(repoRoot, '.cache', 'gobin')

/** Path of Go's ipfs-cluster-service. */
export function goServiceBinary (): string {
  return join(gobin, 'ipfs-cluster-service')
}

/**
 * Why the Go service cannot be had, or undefined: only a machine without the binary and without
 * a Go toolchain to build it (synchronous, for `describe.skipIf`).
 */
export function goServiceUnavailable (): string | undefined {
  if (existsSync(goServiceBinary())) return undefined
  const go = spawnSync('go', ['version'], { stdio: 'ignore' })
  return go.status === 0 ? undefined : `no Go toolchain to build ${goServiceBinary()} (scripts/install-go-tools.sh ipfs-cluster-service)`
}

/** Path of Go's ipfs-cluster-follow. */
export function goFollowBinary (): string {
  return join(gobin, 'ipfs-cluster-follow')
}

/** Builds a Go cluster program when missing (the setup builds them; minutes on a cold Go cache). */
async function ensureGoTool (name: string, binary: string): Promise<void> {
  if (existsSync(binary)) return
  await run('bash', [join(repoRoot, 'scripts', 'install-go-tools.sh'), name], { maxBuffer: 64 * 2 ** 20 })
}

export async function ensureGoService (): Promise<void> {
  await ensureGoTool('ipfs-cluster-service', goServiceBinary())
}

export async function ensureGoFollow (): Promise<void> {
  await ensureGoTool('ipfs-cluster-follow', goFollowBinary())
}

export interface GoPeerOptions {
  /** Folder of its configuration, datastore, log and Kubo repository. */
  folder: string
  /** Shared cluster secret (64 hex chars). */
  secret: string
  name: string
  /** Cluster peers to dial at start (`peer_addresses`). */
  peerAddresses?: string[]
  /** `daemon --bootstrap`: peers to join at start (Go trusts them and asks them Cluster.PeerAdd). */
  bootstrap?: string[]
  env?: NodeJS.ProcessEnv
}

export class GoPeer {
  readonly opts: GoPeerOptions
  id = ''
  clusterPort = 0
  restPort = 0
  kubo?: KuboDaemon
  daemon?: ChildProcess

  constructor (opts: GoPeerOptions) {
    this.opts = opts
  }

  get restApi (): string { return `/ip4/127.0.0.1/tcp/${this.restPort}` }
  get restUrl (): string { return `http://127.0.0.1:${this.restPort}` }
  get clusterAddress (): string { return `/ip4/127.0.0.1/tcp/${this.clusterPort}/p2p/${this.id}` }
  get logPath (): string { return join(this.opts.folder, 'daemon.log') }
  private get configFolder (): string { return join(this.opts.folder, 'cluster') }

  log (): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : ''
  }

  /**
   * `init --consensus crdt` (once), then the Kubo and the daemon; resolves when its REST API
   * answers. A daemon that exits at start because a port it was given was taken meanwhile (by a
   * process of another test) is started again on fresh ports; any other exit fails with the end
   * of its log.
   */
  async start (): Promise<void> {
    mkdirSync(this.opts.folder, { recursive: true })
    const env = { ...process.env, IPFS_CLUSTER_PATH: this.configFolder, CLUSTER_SECRET: this.opts.secret }
    const fresh = !existsSync(join(this.configFolder, 'service.json'))
    if (fresh) await run(goServiceBinary(), ['init', '--consensus', 'crdt', '--datastore', 'pebble', '--force'], { env })
    this.id = (JSON.parse(readFileSync(join(this.configFolder, 'identity.json'), 'utf8')) as { id: string }).id
    this.kubo ??= await KuboDaemon.start({ repoPath: join(this.opts.folder, 'kubo') })
    for (let attempt = 1; ; attempt++) {
      // Ports are taken once the Kubo runs, just before the daemon binds them.
      if (fresh && attempt === 1) {
        this.clusterPort = await freePort()
        this.restPort = await freePort()
      }
      const logStart = this.log().length
      const exit = await this.spawnDaemon(env)
      if (exit === undefined) return
      const log = this.log().slice(logStart)
      if (fresh && attempt < 3 && /address already in use/.test(log)) {
        this.clusterPort = await freePort()
        this.restPort = await freePort()
        continue
      }
      throw new Error(`the Go peer exited at start (${exit}); the end of ${this.logPath}:\n${log.split('\n').slice(-25).join('\n')}`)
    }
  }

  /** Runs `daemon` until its REST API answers (undefined) or it exits (how it exited). */
  private async spawnDaemon (env: NodeJS.ProcessEnv): Promise<string | undefined> {
    if (this.kubo === undefined) throw new Error('the Go peer\'s Kubo is not running')
    const log = openSync(this.logPath, 'a')
    const bootstrap = this.opts.bootstrap === undefined ? [] : ['--bootstrap', this.opts.bootstrap.join(',')]
    const daemon = spawn(goServiceBinary(), ['daemon', ...bootstrap], {
      env: {
        ...env,
        CLUSTER_PEERNAME: this.opts.name,
        CLUSTER_LISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${this.clusterPort}`,
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: this.restApi,
        CLUSTER_IPFSPROXY_LISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${await freePort()}`,
        CLUSTER_PINSVCAPI_HTTPLISTENMULTIADDRESS: `/ip4/127.0.0.1/tcp/${await freePort()}`,
        CLUSTER_IPFSHTTP_NODEMULTIADDRESS: this.kubo.apiMultiaddr,
        CLUSTER_MDNSINTERVAL: '0s',
        CLUSTER_CRDT_REBROADCASTINTERVAL: '2s',
        CLUSTER_MONITORPINGINTERVAL: '2s',
        CLUSTER_PEERADDRESSES: (this.opts.peerAddresses ?? []).join(','),
        ...this.opts.env
      },
      stdio: ['ignore', log, log]
    })
    closeSync(log)
    this.daemon = daemon
    const exited = new Promise<string>(resolve => daemon.once('exit', (code, signal) => { resolve(signal === null ? `exit code ${code}` : `signal ${signal}`) }))
    const answering = until(async () => {
      if (daemon.exitCode !== null || daemon.signalCode !== null) return false
      const res = await fetch(`${this.restUrl}/id`, { signal: AbortSignal.timeout(2_000) })
      return res.ok ? true : undefined
    }, `the Go peer's REST API (${this.logPath})`, 60_000)
    const first = await Promise.race([exited, answering])
    if (first === true) return undefined
    return await exited
  }

  /** Stops the daemon (SIGINT, Go's clean shutdown); its Kubo keeps running unless `kubo`. */
  async stop (kubo = false): Promise<void> {
    await stopChild(this.daemon, 'SIGINT')
    if (kubo) {
      await this.kubo?.stop()
      this.kubo = undefined
    }
  }
}

import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { ipfsBinary } from './binary.ts'
import { KuboRpcError, KuboStartError } from './errors.ts'

const run = promisify(execFile)

export interface KuboOptions {
  /** `Datastore.StorageMax` (drives the freespace metric). Default `1GB`. */
  storageMax?: string
  /** How long to wait for "Daemon is ready". Default 60 s (a slow CI machine). */
  startTimeoutMs?: number
  /** Extra `ipfs daemon` flags. `--routing=none` and `--enable-gc=false` are always passed. */
  daemonArgs?: string[]
  /**
   * Where the temporary repository is created. Default: `/dev/shm` when it is a writable tmpfs
   * (Kubo fsyncs every block and pin: ~3 ms each on disk, nothing on tmpfs), else the OS temp dir.
   */
  repoParent?: string
  /**
   * A persistent repository instead of a temporary one: created (`ipfs init`) when missing,
   * reused otherwise, and kept by `stop()` (the local cluster of `npm start` uses it).
   */
  repoPath?: string
}

/** `/dev/shm` when writable, else the OS temp dir. */
function defaultRepoParent (): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK)
      return '/dev/shm'
    }
  } catch { /* no tmpfs here */ }
  return tmpdir()
}

/** Daemons still running, killed synchronously if the test process exits without stopping them. */
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL')
})

function killGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try { process.kill(-child.pid, signal) } catch { /* already gone */ }
}

/**
 * A real Kubo daemon on loopback with a temporary repository and random ports
 * (Kubo's `test` profile, no routing: it talks only to peers it is told to connect to).
 */
export class KuboDaemon {
  readonly repoPath: string
  /** RPC API multiaddr, e.g. `/ip4/127.0.0.1/tcp/40123`. */
  readonly apiMultiaddr: string
  /** RPC API base URL, e.g. `http://127.0.0.1:40123`. */
  readonly apiUrl: string
  readonly peerId: string
  /** Swarm addresses ending in `/p2p/<peerId>`. */
  readonly swarmAddresses: string[]
  readonly pid: number
  /** A `repoPath` repository: kept by stop(). */
  persistent = false
  private readonly child: ChildProcess
  private readonly exited: Promise<void>

  private constructor (init: { repoPath: string, apiMultiaddr: string, peerId: string, swarmAddresses: string[], child: ChildProcess, exited: Promise<void> }) {
    this.repoPath = init.repoPath
    this.apiMultiaddr = init.apiMultiaddr
    this.apiUrl = httpUrlOf(init.apiMultiaddr)
    this.peerId = init.peerId
    this.swarmAddresses = init.swarmAddresses
    this.child = init.child
    this.pid = init.child.pid ?? -1
    this.exited = init.exited
  }

  static async start (options: KuboOptions = {}): Promise<KuboDaemon> {
    const bin = ipfsBinary()
    const persistent = options.repoPath !== undefined
    const repoPath = options.repoPath ?? await mkdtemp(join(options.repoParent ?? defaultRepoParent(), 'kubo-'))
    const env = { ...process.env, IPFS_PATH: repoPath, IPFS_TELEMETRY: 'off' }
    let child: ChildProcess | undefined
    try {
      if (!persistent || !existsSync(join(repoPath, 'config'))) {
        await mkdir(repoPath, { recursive: true })
        await run(bin, ['init', '--profile=test'], { env })
        await configure(repoPath, options.storageMax ?? '1GB')
      }
      child = spawn(bin, ['daemon', '--routing=none', '--enable-gc=false', ...(options.daemonArgs ?? [])], {
        env, detached: true, stdio: ['ignore', 'pipe', 'pipe']
      })
      running.add(child)
      const exited = new Promise<void>(resolve => child?.once('exit', () => { resolve() }))
      void exited.then(() => running.delete(child as ChildProcess))
      await waitReady(child, exited, options.startTimeoutMs ?? 60_000)
      const apiMultiaddr = (await readFile(join(repoPath, 'api'), 'utf8')).trim()
      const daemon = new KuboDaemon({ repoPath, apiMultiaddr, peerId: '', swarmAddresses: [], child, exited })
      const id = await daemon.rpc<{ ID: string, Addresses: string[] | null }>('id')
      daemon.persistent = persistent
      return Object.assign(daemon, {
        peerId: id.ID,
        swarmAddresses: (id.Addresses ?? []).filter(a => a.startsWith('/ip4/127.0.0.1/tcp/'))
      })
    } catch (err) {
      if (child !== undefined) killGroup(child, 'SIGKILL')
      if (!persistent) await rm(repoPath, { recursive: true, force: true })
      throw err
    }
  }

  /** POST `/api/v0/<path>` and parse the JSON answer; non-2xx becomes a KuboRpcError. */
  async rpc<T = unknown> (path: string, args: Record<string, string | string[]> = {}, body?: FormData): Promise<T> {
    const res = await fetch(this.url(path, args), { method: 'POST', body, signal: AbortSignal.timeout(30_000) })
    const text = await res.text()
    if (!res.ok) throw new KuboRpcError(`${path}: ${res.status} ${text}`, res.status)
    return (text === '' ? undefined : JSON.parse(text)) as T
  }

  /** `/api/v0/<path>?…` URL with repeated keys for array values (Kubo's `arg=a&arg=b`). */
  url (path: string, args: Record<string, string | string[]> = {}): string {
    const query = new URLSearchParams()
    for (const [key, value] of Object.entries(args)) {
      for (const v of Array.isArray(value) ? value : [value]) query.append(key, v)
    }
    const qs = query.toString()
    return `${this.apiUrl}/api/v0/${path}${qs === '' ? '' : `?${qs}`}`
  }

  /** Run the `ipfs` CLI against this daemon (it finds the API through the repo's `api` file). */
  async cli (args: string[]): Promise<string> {
    const { stdout } = await run(ipfsBinary(), args, {
      env: { ...process.env, IPFS_PATH: this.repoPath, IPFS_TELEMETRY: 'off' }
    })
    return stdout
  }

  /** Connect this daemon's swarm to another's (routing is off, so nodes only see direct peers). */
  async connect (other: KuboDaemon): Promise<void> {
    await this.rpc('swarm/connect', { arg: other.swarmAddresses[0] ?? '' })
  }

  /** SIGTERM (SIGKILL after 10 s), wait for exit, delete a temporary repository. Idempotent. */
  async stop (): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      killGroup(this.child, 'SIGTERM')
      const timer = setTimeout(() => { killGroup(this.child, 'SIGKILL') }, 10_000)
      await this.exited
      clearTimeout(timer)
    }
    if (!this.persistent) await rm(this.repoPath, { recursive: true, force: true })
  }

  /** SIGKILL without cleanup of the repository: a crashed daemon. */
  async kill (): Promise<void> {
    killGroup(this.child, 'SIGKILL')
    await this.exited
  }
}

/** `/ip4/127.0.0.1/tcp/5001` → `http://127.0.0.1:5001` (Kubo's API is plain HTTP on TCP). */
function httpUrlOf (addr: string): string {
  const parts = multiaddr(addr).getComponents()
  const host = parts.find(c => c.name === 'ip4' || c.name === 'ip6' || c.name === 'dns4' || c.name === 'dns')
  const port = parts.find(c => c.name === 'tcp')
  if (host?.value === undefined || port?.value === undefined) throw new KuboStartError(`unusable API address ${addr}`)
  return `http://${host.name === 'ip6' ? `[${host.value}]` : host.value}:${port.value}`
}

async function configure (repoPath: string, storageMax: string): Promise<void> {
  const file = join(repoPath, 'config')
  const config = JSON.parse(await readFile(file, 'utf8'))
  config.Routing = { ...config.Routing, Type: 'none' }
  config.Datastore = { ...config.Datastore, StorageMax: storageMax }
  await writeFile(file, JSON.stringify(config, null, 2))
}

async function waitReady (child: ChildProcess, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let output = ''
  const ready = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (output.includes('Daemon is ready')) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  })
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>(resolve => { timer = setTimeout(() => { resolve('timeout') }, timeoutMs) })
  ])
  clearTimeout(timer)
  // Keep draining the pipes so a chatty daemon never blocks on a full buffer.
  child.stdout?.resume()
  child.stderr?.resume()
  if (outcome !== 'ready') {
    throw new KuboStartError(`Kubo ${outcome === 'exited' ? 'exited' : `was not ready after ${timeoutMs} ms`}:\n${output}`)
  }
}

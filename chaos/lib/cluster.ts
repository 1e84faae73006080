// The 3-peer cluster under test (Raft, or CRDT) (bench/lib/cluster.ts does init, configuration, start and
// stop), plus what a fault campaign needs on top: restarting, pausing and killing single peers,
// knowing which exits were caused by the campaign (every other exit is a crash, kept with the
// tail of its log), and finding the Raft leader.
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join } from 'node:path'
import { until } from '@cluster/test-utils'
import { BenchCluster, type BenchPeer } from '../../bench/lib/cluster.ts'
import { streamNdjson } from '../../bench/lib/load.ts'
import { killHard, rssBytes, stopChild } from '../../bench/lib/processes.ts'
import { builtService } from './service.ts'

export interface Crash { peer: number, code: number | null, signal: string | null, logTail: string }

export interface ChaosClusterOptions {
  kuboApis: string[]
  /** Default raft. */
  consensus?: 'raft' | 'crdt'
  /** Edits of each peer's service.json, after the benchmark settings; `folder` is the peer's. */
  configure?: (config: Record<string, any>, index: number, folder: string) => void
}

const MiB = 2 ** 20

export class ChaosCluster {
  readonly crashes: Crash[] = []
  /** Peers the campaign has taken down (killed, stopped or paused): clients avoid them. */
  readonly down = new Set<number>()
  private readonly bench: BenchCluster
  /** Daemon processes whose exit the campaign caused. */
  private readonly expected = new WeakSet<ChildProcess>()
  private readonly agent = new Agent({ keepAlive: false })

  constructor (opts: ChaosClusterOptions) {
    const bench: BenchCluster = new BenchCluster({
      flavour: builtService,
      kuboApis: opts.kuboApis,
      ...(opts.consensus === 'crdt' ? { consensus: 'crdt' as const } : {}),
      configure: (config, i) => opts.configure?.(config, i, join(bench.base, `peer${i}`))
    })
    this.bench = bench
  }

  get peers (): BenchPeer[] { return this.bench.peers }
  get base (): string { return this.bench.base }

  async start (timeoutMs: number): Promise<void> {
    await builtService.prepare()
    try {
      await this.bench.start(timeoutMs)
    } finally {
      for (const p of this.peers) this.watch(p)
    }
  }

  /** Peers whose daemon runs and that the campaign has not taken down. */
  live (): BenchPeer[] {
    return this.peers.filter(p => !this.down.has(p.index) && running(p.daemon))
  }

  /** SIGKILL (a crash the campaign caused). */
  async kill (index: number): Promise<void> {
    this.down.add(index)
    const d = this.peers[index]?.daemon
    if (d === undefined) return
    this.expected.add(d)
    await killHard(d)
  }

  /** SIGTERM, SIGKILL after 10 s. */
  async stopPeer (index: number): Promise<void> {
    this.down.add(index)
    const d = this.peers[index]?.daemon
    if (d === undefined) return
    this.expected.add(d)
    await stopChild(d, 10_000)
  }

  pause (index: number): void { this.down.add(index); this.signal(index, 'SIGSTOP') }
  resume (index: number): void { this.signal(index, 'SIGCONT'); this.down.delete(index) }

  /**
   * Starts a stopped peer again with the same folders and waits (bounded) until its REST API
   * answers. False when it did not come up (an exit is recorded as a crash by the watcher); it
   * then stays out of the clients' targets.
   */
  async restart (index: number, timeoutMs: number): Promise<boolean> {
    const p = this.peers[index] as BenchPeer
    if (running(p.daemon)) throw new Error(`peer${index} is still running`)
    // BenchCluster starts a peer exactly as a restart needs (same command, environment, log
    // file); the method is private there because benchmarks never restart.
    ;(this.bench as unknown as { startPeer: (p: BenchPeer) => void }).startPeer(p)
    this.watch(p)
    const up = await until(async () => {
      if (!running(p.daemon)) return false
      const res = await fetch(`${p.restUrl}/id`, { signal: AbortSignal.timeout(2_000) })
      await res.arrayBuffer()
      return res.ok ? true : undefined
    }, `peer${index} to answer`, timeoutMs, 200).catch(() => false)
    // Clients use it again from now on.
    if (up) this.down.delete(index)
    return up
  }

  /**
   * The leader most live peers name in their latest `raft leader:` log line (the daemon logs
   * every change), or undefined when there is no majority.
   */
  leader (): number | undefined {
    const votes = new Map<string, number>()
    for (const p of this.live()) {
      const id = lastMatch(logOf(p), /raft leader: (\S+)/g)
      if (id !== undefined && id !== 'none') votes.set(id, (votes.get(id) ?? 0) + 1)
    }
    for (const [id, n] of votes) {
      if (n * 2 > this.peers.length) return this.peers.find(p => p.id === id)?.index
    }
    return undefined
  }

  async waitLeader (timeoutMs: number): Promise<number | undefined> {
    return await until(() => this.leader(), 'a Raft leader', timeoutMs, 200).catch(() => undefined)
  }

  /** Every CID in one peer's `GET /allocations`, or the error that prevented reading it. */
  async allocations (index: number, timeoutMs: number): Promise<Set<string> | Error> {
    const p = this.peers[index] as BenchPeer
    const cids = new Set<string>()
    try {
      await streamNdjson(this.agent, `${p.restUrl}/allocations`, (pin: { cid: string }) => { cids.add(pin.cid) }, timeoutMs)
      return cids
    } catch (err) {
      return err as Error
    }
  }

  /** Resident memory of each peer in MiB (0 when not running). */
  rssMiB (): number[] {
    return this.peers.map(p => Math.round(rssBytes(p.daemon?.pid) / MiB))
  }

  logTail (index: number, lines = 20): string {
    const p = this.peers[index]
    return p === undefined ? '' : logOf(p).trimEnd().split('\n').slice(-lines).join('\n')
  }

  async stop (): Promise<void> {
    for (const p of this.peers) {
      if (p.daemon !== undefined) {
        this.expected.add(p.daemon)
        // A paused daemon would not act on SIGTERM.
        if (running(p.daemon)) this.signal(p.index, 'SIGCONT')
      }
    }
    this.agent.destroy()
    await this.bench.stop()
  }

  private signal (index: number, signal: NodeJS.Signals): void {
    const pid = this.peers[index]?.daemon?.pid
    if (pid !== undefined) process.kill(-pid, signal)
  }

  private watch (p: BenchPeer): void {
    const d = p.daemon
    if (d === undefined) return
    const record = (code: number | null, signal: string | null): void => {
      if (this.expected.has(d)) return
      this.crashes.push({ peer: p.index, code, signal, logTail: this.logTail(p.index) })
    }
    if (!running(d)) record(d.exitCode, d.signalCode)
    else d.once('exit', record)
  }
}

function running (d: ChildProcess | undefined): boolean {
  return d !== undefined && d.exitCode === null && d.signalCode === null
}

function logOf (p: BenchPeer): string {
  try { return readFileSync(join(p.folder, 'daemon.log'), 'utf8') } catch { return '' }
}

function lastMatch (text: string, re: RegExp): string | undefined {
  let last: string | undefined
  for (const m of text.matchAll(re)) last = m[1]
  return last
}

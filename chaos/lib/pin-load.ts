// The load during a fault: concurrent clients, each posting `POST /pins/<cid>` to the live peers
// in turn, as long as it runs (bounded by a pin count). Every pin answered with 2xx is recorded:
// those are the pins the cluster promised to keep.
import { Agent } from 'node:http'
import { until } from '@cluster/test-utils'
import { call, sleep } from '../../bench/lib/load.ts'

export interface PinLoadOptions {
  clients: number
  /** Stops issuing after this many requests. */
  maxPins: number
  /** Per request: a client gives up on a peer that does not answer in time. */
  requestTimeoutMs: number
  /** REST URLs of the peers clients may use now. */
  targets: () => string[]
  /** The next CID to pin (undefined: none left). */
  nextCid: () => string | undefined
}

export interface PinLoadSummary {
  acked: number
  failed: number
  /** Distinct failure texts (first 120 characters) with their counts, most frequent first. */
  failures: Array<[string, number]>
  /** Longest time without an acknowledged pin while the load ran, in ms. */
  longestGapMs: number
  /** When that gap began, in ms since the load started. */
  longestGapAtMs: number
  /** The slowest acknowledged request, in ms (a stall every client saw shows here too). */
  slowestAckMs: number
  seconds: number
}

export class PinLoad {
  /** CIDs answered with 2xx. */
  readonly acked: string[] = []
  private readonly opts: PinLoadOptions
  private readonly agent: Agent
  private readonly failures = new Map<string, number>()
  private failed = 0
  private issued = 0
  private running = false
  private clients: Promise<void> | undefined
  private startedAt = 0
  private lastAck = 0
  /** When the last client ended: stopped, or out of pins to issue (a gap ends there). */
  private endedAt = 0
  private longestGap = 0
  private longestGapAt = 0
  private slowestAck = 0

  constructor (opts: PinLoadOptions) {
    this.opts = opts
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.clients })
  }

  start (): void {
    this.running = true
    this.startedAt = this.lastAck = performance.now()
    this.clients = Promise.all(Array.from({ length: this.opts.clients }, async (_, i) => { await this.client(i) })).then(() => { this.endedAt = performance.now() })
  }

  /** Acknowledged so far. */
  get count (): number { return this.acked.length }

  /** Waits until `n` pins are acknowledged, the load ends, or `timeoutMs` passes. */
  async waitFor (n: number, timeoutMs: number): Promise<boolean> {
    await until(() => this.acked.length >= n || !this.running ? true : undefined, `${n} acknowledged pins`, timeoutMs, 100).catch(() => {})
    return this.acked.length >= n
  }

  /** Stops issuing and waits for requests in flight (each bounded by the request timeout). */
  async stop (): Promise<PinLoadSummary> {
    this.running = false
    await this.clients
    const now = performance.now()
    this.noteGap(this.endedAt)
    this.agent.destroy()
    return {
      acked: this.acked.length,
      failed: this.failed,
      failures: [...this.failures].sort((a, b) => b[1] - a[1]).slice(0, 5),
      longestGapMs: Math.round(this.longestGap),
      longestGapAtMs: Math.round(this.longestGapAt - this.startedAt),
      slowestAckMs: Math.round(this.slowestAck),
      seconds: (now - this.startedAt) / 1000
    }
  }

  private async client (i: number): Promise<void> {
    let turn = i
    while (this.running && this.issued < this.opts.maxPins) {
      const targets = this.opts.targets()
      if (targets.length === 0) { await sleep(100); continue }
      const cid = this.opts.nextCid()
      if (cid === undefined) return
      this.issued++
      const url = `${targets[turn++ % targets.length] as string}/pins/${cid}`
      const t0 = performance.now()
      try {
        const r = await call(this.agent, url, 'POST', this.opts.requestTimeoutMs)
        if (r.status >= 200 && r.status < 300) {
          const now = performance.now()
          this.slowestAck = Math.max(this.slowestAck, now - t0)
          this.noteGap(now)
          this.acked.push(cid)
          continue
        }
        this.fail(`${r.status} ${r.body}`)
      } catch (err) {
        this.fail((err as Error).message.replace(/http:\/\/\S+/, '<url>'))
      }
      // A peer that fails at once (e.g. refusing connections) must not make the client spin.
      await sleep(50)
    }
  }

  private noteGap (now: number): void {
    const gap = now - this.lastAck
    if (gap > this.longestGap) { this.longestGap = gap; this.longestGapAt = this.lastAck }
    this.lastAck = now
  }

  private fail (text: string): void {
    this.failed++
    const key = text.replace(/\s+/g, ' ').replace(/baf\w{50,}/g, '<cid>').slice(0, 120)
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1)
  }
}

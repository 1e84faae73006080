import { Timestamp, type Alert, type Logger, type Metric } from '@cluster/api'
import type { Alert as MonitorAlert } from '@cluster/monitor'
import type { RpcClient } from '@cluster/rpc'
import { repinFrom, type RepinContext } from './repin.ts'
import { Rpc } from './rpc-methods.ts'

const MAX_ALERTS = 1000
/** How long a peer whose ping expired gets to answer before its pins move away. */
const ALIVE_TIMEOUT_MS = 2_000
/** From this sweep of an episode on, pins a closer peer should have moved are moved by us. */
const TAKE_OVER_FROM_SWEEP = 3

export interface AlertHost {
  options: { followerMode: boolean, disableRepinning: boolean, checkIntervalMs: number }
  rpc: RpcClient
  repinContext: () => RepinContext
  /** The peer's newest ping has expired (its failure episode goes on). */
  stillDown: (peer: string) => boolean
  log: Logger
}

/**
 * What a peer does with the monitor's alerts (cluster-behaviour.md §5.3, §6): keeps the last
 * 1000 for `GET /health/alerts` and, unless repinning is disabled, moves the pins of a peer whose
 * ping expired away from it.
 *
 * The monitor alerts once per failure episode and then only every dozen checks; a sweep that did
 * not finish its work (the peer still answered, or some pins could not be re-allocated yet) is
 * tried again after one check interval (then more slowly) for as long as the ping stays expired, so pins do not wait
 * for the next alert. Each pin is moved by the member closest to it; should that member not do it
 * (busy, or partitioned from the rest), the others take over from the third sweep.
 */
export class AlertLog {
  private readonly list: Alert[] = []
  private readonly host: AlertHost
  /** Down peers with a sweep running or scheduled. */
  private readonly sweeping = new Map<string, NodeJS.Timeout | undefined>()
  /** Sweeps made in the current failure episode of each down peer. */
  private readonly sweeps = new Map<string, number>()
  private stopped = false

  constructor (host: AlertHost) {
    this.host = host
  }

  all (): Alert[] {
    return [...this.list]
  }

  async handle (alert: MonitorAlert<Metric>): Promise<void> {
    const { host } = this
    if (host.options.followerMode || this.stopped) return
    if (this.list.length >= MAX_ALERTS) this.list.length = 0
    this.list.unshift({ ...alert.metric, triggeredAt: Timestamp.fromUnixNanos(alert.triggeredAt) })
    if (alert.metric.name !== 'ping' || host.options.disableRepinning) return
    const down = alert.metric.peer
    if (this.sweeping.has(down)) return
    // A first alert opens a new episode (the monitor re-alerts a long one every dozen checks).
    if (!this.sweeps.has(down) || !this.host.stillDown(down)) this.sweeps.set(down, 0)
    await this.sweep(down)
  }

  /** Cancels the scheduled sweeps. */
  stop (): void {
    this.stopped = true
    for (const timer of this.sweeping.values()) clearTimeout(timer)
    this.sweeping.clear()
    this.sweeps.clear()
  }

  private async sweep (down: string): Promise<void> {
    const { host } = this
    this.sweeping.set(down, undefined)
    let again = false
    try {
      // A ping can expire because *this* peer's event loop was busy (a long listing), or the
      // other peer's was: ask it directly before moving its pins away.
      const alive = await host.rpc.call(down, Rpc.id, undefined, { timeoutMs: ALIVE_TIMEOUT_MS }).then(() => true, () => false)
      if (alive) {
        host.log('info', `ping of ${down} expired but it answers: not re-pinning`)
        again = true
        return
      }
      const sweep = (this.sweeps.get(down) ?? 0) + 1
      this.sweeps.set(down, sweep)
      const report = await repinFrom(host.repinContext(), down, sweep < TAKE_OVER_FROM_SWEEP)
      if (report.repinned > 0 || report.failed > 0) {
        host.log('info', `peer ${down} is down: re-pinned ${report.repinned} of its pins elsewhere` +
          `${report.failed > 0 ? `, ${report.failed} failed (first: ${report.firstError?.error ?? ''})${report.stopped ? ', the others not tried' : ''}; trying again` : ''}` +
          `${report.leftToOthers > 0 ? `; ${report.leftToOthers} left to closer peers` : ''}`)
      }
      again = report.failed > 0 || report.leftToOthers > 0
    } catch (err) {
      host.log('error', `repin from ${down}: ${(err as Error).message}`)
      again = true
    } finally {
      this.sweeping.delete(down)
      if (again && !this.stopped && host.stillDown(down)) this.later(down)
      else this.sweeps.delete(down)
    }
  }

  /** The next sweep, one check interval after the first and slower after each (12 at most). */
  private later (down: string): void {
    const checks = Math.min(Math.max(this.sweeps.get(down) ?? 1, 1), 12)
    const timer = setTimeout(() => {
      this.sweeping.delete(down)
      if (!this.stopped && this.host.stillDown(down)) void this.sweep(down)
      else this.sweeps.delete(down)
    }, this.host.options.checkIntervalMs * checks)
    timer.unref()
    this.sweeping.set(down, timer)
  }
}

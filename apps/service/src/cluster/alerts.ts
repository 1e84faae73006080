import { Timestamp, type Alert, type Metric } from '@cluster/api'
import type { Alert as MonitorAlert } from '@cluster/monitor'
import type { RpcClient } from '@cluster/rpc'
import { repinFrom, type RepinContext } from './repin.ts'
import { Rpc } from './rpc-methods.ts'

const MAX_ALERTS = 1000

export interface AlertHost {
  options: { followerMode: boolean, disableRepinning: boolean }
  rpc: RpcClient
  repinContext: () => RepinContext
  log: (level: 'info' | 'error', message: string) => void
}

/**
 * What a peer does with the monitor's alerts (cluster-behaviour.md §5.3, §6): keeps the last
 * 1000 for `GET /health/alerts` and, unless repinning is disabled, moves the pins of a peer whose
 * ping expired away from it.
 */
export class AlertLog {
  private readonly list: Alert[] = []
  private readonly host: AlertHost

  constructor (host: AlertHost) {
    this.host = host
  }

  all (): Alert[] {
    return [...this.list]
  }

  async handle (alert: MonitorAlert<Metric>): Promise<void> {
    const { host } = this
    if (host.options.followerMode) return
    if (this.list.length >= MAX_ALERTS) this.list.length = 0
    this.list.unshift({ ...alert.metric, triggeredAt: Timestamp.fromUnixNanos(alert.triggeredAt) })
    if (alert.metric.name !== 'ping' || host.options.disableRepinning) return
    // A ping can expire because *this* peer's event loop was busy (a long listing), not because
    // the other peer is gone: ask it directly before moving its pins away.
    const down = alert.metric.peer
    const alive = await host.rpc.call(down, Rpc.id, undefined, { timeoutMs: 2_000 }).then(() => true, () => false)
    if (alive) {
      host.log('info', `ping of ${down} expired but it answers: not re-pinning`)
      return
    }
    await repinFrom(host.repinContext(), down, true).catch((err: Error) => { host.log('error', `repin from ${down}: ${err.message}`) })
  }
}

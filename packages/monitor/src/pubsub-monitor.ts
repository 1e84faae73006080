import type { GossipSub, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import { FailureChecker, type Alert } from './checker.ts'
import { systemClock, unixNanosOf, type ClockLike } from '@cluster/api'
import type { MonitoredMetric } from './metric.ts'
import { MetricStore } from './store.ts'

export const METRICS_TOPIC = 'monitor.metrics'

export interface MetricCodec<M> {
  encode: (metric: M) => Uint8Array
  /** Throws on bad input; such messages are dropped. */
  decode: (bytes: Uint8Array) => M
}

export interface PubsubMonitorInit<M extends MonitoredMetric> {
  pubsub: GossipSub
  codec: MetricCodec<M>
  /** The current cluster peerset: metrics of other peers are stored but hidden. */
  peerset: () => ReadonlySet<string>
  /** Time source; default the system clock. Tests pass a manual one to expire metrics at once. */
  clock?: ClockLike
  /** `pubsubmon.check_interval`, default 15 s. */
  checkIntervalMs?: number
  /** Re-alert period of a long outage, in checks (see FailureChecker). */
  realertEveryChecks?: number
  onAlert?: (alert: Alert<M>) => void
  /** Dropped messages (undecodable, or a metric about another peer than its signer). */
  onDrop?: (reason: string) => void
  topic?: string
}

/**
 * Metrics over gossipsub (cluster-behaviour.md §5): every peer publishes its metrics on one topic
 * and stores what it receives; a periodic check turns expired metrics into alerts. The publisher
 * stores its own metrics directly, because js-libp2p's gossipsub does not deliver a node's own
 * messages to itself. A metric is accepted only from the peer it is about (messages are signed),
 * so a peer cannot keep a dead peer alive by publishing in its name.
 */
export class PubsubMonitor<M extends MonitoredMetric> {
  readonly store: MetricStore<M>
  private readonly init: PubsubMonitorInit<M>
  private readonly checker: FailureChecker<M>
  private readonly topic: string
  private timer?: NodeJS.Timeout
  private readonly onMessage = (evt: CustomEvent<Message>): void => { this.receive(evt.detail) }
  /** Our newest metric of each name, sent again to peers that join the topic. */
  private readonly own = new Map<string, M>()
  private resendTimer?: NodeJS.Timeout
  private readonly onSubscription = (evt: CustomEvent<SubscriptionChangeData>): void => {
    if (!evt.detail.subscriptions.some(s => s.topic === this.topic && s.subscribe)) return
    // A peer that just joined would otherwise wait a whole interval for our metrics (and, where
    // membership comes from them, to see us at all): send them again, once for a burst of joins.
    this.resendTimer ??= setTimeout(() => { this.resendTimer = undefined; this.resendOwn() }, 200)
  }

  constructor (init: PubsubMonitorInit<M>) {
    this.init = init
    this.topic = init.topic ?? METRICS_TOPIC
    const clock = init.clock ?? systemClock
    this.store = new MetricStore<M>(clock)
    this.checker = new FailureChecker<M>(this.store, clock, { realertEveryChecks: init.realertEveryChecks })
  }

  start (): void {
    this.init.pubsub.addEventListener('message', this.onMessage)
    this.init.pubsub.addEventListener('subscription-change', this.onSubscription)
    this.init.pubsub.subscribe(this.topic)
    const interval = this.init.checkIntervalMs ?? 15_000
    this.timer = setInterval(() => { this.check() }, interval)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    clearTimeout(this.resendTimer)
    this.init.pubsub.removeEventListener('message', this.onMessage)
    this.init.pubsub.removeEventListener('subscription-change', this.onSubscription)
    this.init.pubsub.unsubscribe(this.topic)
  }

  /** Stores the metric locally and broadcasts it. Resolves once handed to gossipsub. */
  async publish (metric: M): Promise<void> {
    this.log(metric)
    this.own.set(metric.name, metric)
    await this.init.pubsub.publish(this.topic, this.init.codec.encode(metric))
  }

  /** Runs one failure check now (the timer calls this every check interval). */
  check (): Array<Alert<M>> {
    const alerts = this.checker.check(this.init.peerset())
    for (const alert of alerts) this.init.onAlert?.(alert)
    return alerts
  }

  latest (name: string): M[] {
    return this.store.latest(name, this.init.peerset())
  }

  private resendOwn (): void {
    const now = unixNanosOf(this.init.clock ?? systemClock)
    for (const metric of this.own.values()) {
      if (metric.expire <= now) continue
      this.init.pubsub.publish(this.topic, this.init.codec.encode(metric)).catch(() => {})
    }
  }

  private log (metric: M): void {
    const stored = this.store.add(metric)
    this.checker.reset(stored.name, stored.peer)
  }

  private receive (msg: Message): void {
    if (msg.topic !== this.topic) return
    let metric: M
    try {
      metric = this.init.codec.decode(msg.data)
    } catch (err) {
      this.init.onDrop?.(`undecodable metric: ${(err as Error).message}`)
      return
    }
    const signer = msg.type === 'signed' ? msg.from.toString() : undefined
    if (signer !== metric.peer) {
      this.init.onDrop?.(`metric about ${metric.peer} published by ${signer ?? 'an unsigned message'}`)
      return
    }
    this.log(metric)
  }
}

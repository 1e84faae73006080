/**
 * A peer's background work (cluster-behaviour.md §5, §7): the ping metric (ping.ts), one loop
 * per informer, RecoverAllLocal shortly after start, periodically and when Kubo is back, and the
 * state sync that unpins expired pins. Each loop is stopped through the returned functions.
 */
import { Timestamp, type CID, type Metric } from '@cluster/api'
import { DiskInformer, TagsInformer, type Informer, type IpfsConnector } from '@cluster/ipfs-connector'
import { isClosestPeer, type PubsubMonitor } from '@cluster/monitor'
import { sweepExpiredPins, type PinsetReader, type StatelessTracker } from '@cluster/pintracker'
import { pinqueueInformer } from './adapters.ts'
import { informerLoop } from './metrics.ts'
import type { ClusterPeerOptions, PEER_DEFAULTS } from './options.ts'
import { startPing, type PingHost } from './ping.ts'
import { every } from './repin.ts'

/** The parts of a peer the loops use. */
export interface LoopHost extends PingHost {
  options: ClusterPeerOptions & typeof PEER_DEFAULTS
  connector: IpfsConnector
  monitor: PubsubMonitor<Metric>
  tracker: StatelessTracker
  state: PinsetReader
  unpin: (cid: CID) => Promise<unknown>
  /** Recover-all, one run at a time (a call during a run makes one more after it). */
  recoverAllLocal: () => Promise<void>
  /** Recover-all runs started so far. */
  readonly recoverRuns: number
}

/** Starts every loop; returns their stop functions. */
export function startLoops (host: LoopHost): Array<() => void> {
  const stops: Array<() => void> = []
  const { options } = host
  stops.push(startPing(host))

  const informers: Informer[] = [
    new DiskInformer(host.connector, { metricTtlMs: options.informerTtlMs }),
    new TagsInformer({ tags: options.tags, metricTtlMs: options.informerTtlMs }),
    pinqueueInformer(host.tracker, options.informerTtlMs, options.pinqueueWeightBucket)
  ]
  for (const informer of informers) {
    stops.push(informerLoop(host.peerId, informer, host.monitor, err => { host.log('warn', `informer ${informer.name}: ${err.message}`) }))
  }

  // Recover once right after start (unless a join at start already did), then every
  // pin_recover_interval, and as soon as Kubo answers again after it stopped (what was pinned
  // meanwhile is in pin_error); expire pins at each state sync.
  const recover = host.recoverAllLocal
  const first = setTimeout(() => { if (host.recoverRuns === 0) void recover() }, 1_000)
  first.unref()
  stops.push(() => { clearTimeout(first) })
  stops.push(every(options.pinRecoverIntervalMs, recover))
  stops.push(host.connector.onIpfsBack(() => {
    host.log('info', 'IPFS answers again: recovering pins')
    void recover()
  }))
  stops.push(every(options.stateSyncIntervalMs, async () => {
    if (options.followerMode) return
    const peers = host.peerset()
    const { failed } = await sweepExpiredPins({
      pinset: host.state,
      now: Timestamp.now(),
      isResponsible: cid => isClosestPeer(host.peerId, cid, peers, ''),
      unpin: async cid => { await host.unpin(cid) }
    })
    for (const f of failed) host.log('warn', `expire ${f.cid.toString()}: ${f.error}`)
  }))
  return stops
}

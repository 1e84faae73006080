/**
 * A peer's background work (cluster-behaviour.md §5, §7): the ping metric (with this peer's
 * Kubo identity, connecting the Kubos of the other peers on the way), one loop per informer,
 * RecoverAllLocal shortly after start, periodically and when Kubo is back, and the state sync
 * that unpins expired pins. Each loop is stopped through the returned functions.
 */
import { Timestamp, type CID, type Logger, type Metric, type PeerId } from '@cluster/api'
import { DiskInformer, TagsInformer, type Informer, type IpfsConnector } from '@cluster/ipfs-connector'
import { isClosestPeer, type PubsubMonitor } from '@cluster/monitor'
import { sweepExpiredPins, type PinsetReader, type StatelessTracker } from '@cluster/pintracker'
import type { PeerCard } from './aggregate.ts'
import type { RpcClient } from '@cluster/rpc'
import { pinqueueInformer } from './adapters.ts'
import { publishedIpfsAddresses } from './ipfs-addresses.ts'
import { informerLoop, pingValue } from './metrics.ts'
import type { ClusterPeerOptions, PEER_DEFAULTS } from './options.ts'
import { every } from './repin.ts'
import { Rpc } from './rpc-methods.ts'

/**
 * What this peer last learned of its Kubo: its ID shows every address, the ping metric (and so
 * statuses) only the `published` ones.
 */
export interface IpfsIdentity { id?: string, addresses: string[], published: string[], error: string }

/** The parts of a peer the loops use. */
export interface LoopHost {
  peerId: PeerId
  options: ClusterPeerOptions & typeof PEER_DEFAULTS
  connector: IpfsConnector
  monitor: PubsubMonitor<Metric>
  rpc: RpcClient
  tracker: StatelessTracker
  state: PinsetReader
  ipfs: IpfsIdentity
  peerset: () => string[]
  card: (peer: string) => PeerCard
  unpin: (cid: CID) => Promise<unknown>
  /** Recover-all, one run at a time (a call during a run makes one more after it). */
  recoverAllLocal: () => Promise<void>
  /** Recover-all runs started so far. */
  readonly recoverRuns: number
  log: Logger
}

/**
 * Connects our Kubo to the other peers' Kubos (Go's ConnectSwarms). As in Go the addresses come
 * from each peer's ID, which lists all of its Kubo's addresses: the ping metric leaves out
 * loopback ones, which are the only ones when every peer runs on one host. Each IPFS peer is
 * dialled once (`dialled` remembers them).
 */
async function connectIpfsSwarms (host: LoopHost, dialled: Set<string>): Promise<void> {
  const addresses: string[] = []
  await Promise.all(host.peerset().map(async peer => {
    const ipfsId = host.card(peer).ipfsPeerId
    if (peer === host.peerId || ipfsId === undefined || dialled.has(ipfsId) || ipfsId === host.ipfs.id) return
    const id = await host.rpc.call(peer, Rpc.id, undefined, { timeoutMs: 5_000 }).catch(() => undefined)
    if (id?.ipfs.id === undefined) return
    dialled.add(ipfsId)
    addresses.push(...(id.ipfs.addresses ?? []))
  }))
  if (addresses.length > 0) await host.connector.connectSwarms(addresses).catch(() => {})
}

/** Starts every loop; returns their stop functions. */
export function startLoops (host: LoopHost): Array<() => void> {
  const stops: Array<() => void> = []
  const { options } = host
  const dialled = new Set<string>()
  const ping = async (): Promise<void> => {
    try {
      const id = await host.connector.ipfsId({ signal: AbortSignal.timeout(10_000) })
      host.ipfs = { id: id.id, addresses: id.addresses, published: publishedIpfsAddresses(id.addresses, options.publishIpfsAddresses), error: '' }
    } catch (err) {
      host.ipfs = { ...host.ipfs, error: (err as Error).message }
    }
    const ttl = 2 * options.monitorPingIntervalMs
    await connectIpfsSwarms(host, dialled)
    await host.monitor.publish({
      name: 'ping', peer: host.peerId, value: pingValue(options.peername, host.ipfs.id, host.ipfs.published),
      expire: BigInt(Date.now() + ttl) * 1_000_000n, valid: true, weight: 0, partitionable: false, receivedAt: 0n
    }).catch((err: Error) => { host.log('warn', `ping: ${err.message}`) })
  }
  void ping()
  stops.push(every(options.monitorPingIntervalMs, ping))

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

/**
 * The ping metric (cluster-behaviour.md §5): every `monitor_ping_interval` this peer says it is
 * alive, with its Kubo's identity, valid for twice the interval. The other peers take a peer
 * whose ping expired for gone — in CRDT mode it leaves the peerset, and with repinning on its
 * pins are allocated elsewhere — so nothing slow may stand between two pings: the Kubo ID is
 * asked with a deadline shorter than the interval, the expiry is set when the metric leaves, and
 * connecting our Kubo to the other peers' Kubos (Go's ConnectSwarms) runs beside the loop, after
 * each ping, for the Kubos it is not connected to.
 */
import type { Metric, PeerId, Logger } from '@cluster/api'
import type { IpfsConnector } from '@cluster/ipfs-connector'
import type { PubsubMonitor } from '@cluster/monitor'
import type { RpcClient } from '@cluster/rpc'
import type { PeerCard } from './aggregate.ts'
import { publishedIpfsAddresses } from './ipfs-addresses.ts'
import { pingValue } from './metrics.ts'
import type { ClusterPeerOptions, PEER_DEFAULTS } from './options.ts'
import { every } from './repin.ts'
import { Rpc } from './rpc-methods.ts'

/**
 * What this peer last learned of its Kubo: its ID shows every address, the ping metric (and so
 * statuses) only the `published` ones.
 */
export interface IpfsIdentity { id?: string, addresses: string[], published: string[], error: string }

/** The parts of a peer the ping uses. */
export interface PingHost {
  peerId: PeerId
  options: Pick<ClusterPeerOptions & typeof PEER_DEFAULTS, 'monitorPingIntervalMs' | 'peername' | 'publishIpfsAddresses'>
  connector: Pick<IpfsConnector, 'ipfsId' | 'connectSwarms' | 'swarmPeers'>
  monitor: Pick<PubsubMonitor<Metric>, 'publish'>
  rpc: Pick<RpcClient, 'call'>
  ipfs: IpfsIdentity
  peerset: () => string[]
  card: (peer: string) => PeerCard
  log: Logger
}

/** Longest wait for Kubo's ID before a ping goes out with what was known (Go keeps the last good value too). */
const IPFS_ID_TIMEOUT_MS = 10_000
/** Longest wait between two attempts to connect to a Kubo that stays unreachable. */
const MAX_REDIAL_WAIT_MS = 10 * 60_000

/** When each unreachable Kubo may be tried again (the wait doubles while it stays unreachable). */
type Redials = Map<string, { at: number, waitMs: number }>

/**
 * Connects our Kubo to the other peers' Kubos it is not connected to now (Go's ConnectSwarms,
 * which Go runs once after start). As in Go the addresses come from each peer's ID, which lists
 * all of its Kubo's addresses: the ping metric leaves out loopback ones, the only ones when every
 * peer runs on one host. Asked each time: a Kubo that was restarted, paused or cut off has lost
 * its connections, and without routing (a private network) it could not fetch what the other
 * Kubos hold — its pins stalled until pin_timeout, and failed again at every retry. A Kubo that
 * stays unreachable is tried again less and less often (`redials`), up to every 10 minutes.
 */
async function connectIpfsSwarms (host: PingHost, redials: Redials, signal: AbortSignal): Promise<void> {
  const others = host.peerset().flatMap(peer => {
    const ipfsId = host.card(peer).ipfsPeerId
    return peer === host.peerId || ipfsId === undefined || ipfsId === host.ipfs.id ? [] : [{ peer, ipfsId }]
  })
  if (others.length === 0) return
  const connected = new Set<string>(await host.connector.swarmPeers({ signal }))
  const now = Date.now()
  const due = others.filter(o => {
    if (connected.has(o.ipfsId)) {
      redials.delete(o.ipfsId)
      return false
    }
    const last = redials.get(o.ipfsId)
    if (last !== undefined && last.at > now) return false
    const waitMs = last === undefined ? host.options.monitorPingIntervalMs : Math.min(MAX_REDIAL_WAIT_MS, 2 * last.waitMs)
    redials.set(o.ipfsId, { at: now + waitMs, waitMs })
    return true
  })
  const addresses: string[] = []
  await Promise.all(due.map(async ({ peer }) => {
    const id = await host.rpc.call(peer, Rpc.id, undefined, { timeoutMs: 5_000, signal }).catch(() => undefined)
    addresses.push(...(id?.ipfs.addresses ?? []))
  }))
  if (addresses.length > 0 && !signal.aborted) await host.connector.connectSwarms(addresses, { signal })
}

/** Publishes the ping now and every interval; returns the function that stops it. */
export function startPing (host: PingHost): () => void {
  const interval = host.options.monitorPingIntervalMs
  const idTimeoutMs = Math.max(1, Math.min(IPFS_ID_TIMEOUT_MS, Math.floor(interval / 2)))
  const stopped = new AbortController()
  const redials: Redials = new Map()
  let connecting = false
  const ping = async (): Promise<void> => {
    try {
      const id = await host.connector.ipfsId({ signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(idTimeoutMs)]) })
      host.ipfs = { id: id.id, addresses: id.addresses, published: publishedIpfsAddresses(id.addresses, host.options.publishIpfsAddresses), error: '' }
    } catch (err) {
      host.ipfs = { ...host.ipfs, error: (err as Error).message }
    }
    if (stopped.signal.aborted) return
    await host.monitor.publish({
      name: 'ping', peer: host.peerId, value: pingValue(host.options.peername, host.ipfs.id, host.ipfs.published),
      expire: BigInt(Date.now() + 2 * interval) * 1_000_000n, valid: true, weight: 0, partitionable: false, receivedAt: 0n
    }).catch((err: Error) => { host.log('warn', `ping: ${err.message}`) })
    // One connecting pass at a time, never holding a ping: a Kubo slow to dial (each address
    // within ipfs_request_timeout) made this peer's ping expire before.
    if (connecting) return
    connecting = true
    void connectIpfsSwarms(host, redials, stopped.signal)
      .catch((err: Error) => { if (!stopped.signal.aborted) host.log('debug', `connecting Kubo to the other peers' Kubos: ${err.message}`) })
      .finally(() => { connecting = false })
  }
  void ping()
  const stopLoop = every(interval, ping)
  return () => {
    stopLoop()
    stopped.abort()
  }
}

/**
 * The writes to the shared pinset (cluster-behaviour.md §3): pin, pin update, unpin, by CID or
 * IPFS path. Each is prepared here — checks, defaults, allocation — then committed to consensus;
 * committed pins reach the tracker and Kubo through consensus-setup.ts. Batches (batch.ts),
 * re-pins (repin.ts) and an add's root pin use the same preparation.
 */
import { PinNotFoundError, Timestamp, type CID, type Metric, type Pin, type PinOptions } from '@cluster/api'
import type { ClusterConsensus } from '@cluster/consensus'
import type { IpfsConnector } from '@cluster/ipfs-connector'
import type { PubsubMonitor } from '@cluster/monitor'
import { allocateFor, allocateOnceHeard } from './allocation.ts'
import type { ClusterPeerOptions, PEER_DEFAULTS } from './options.ts'
import { setupPin, updatedPin } from './pin-setup.ts'

/** The parts of a peer its pin writes use. */
export interface PinWriterPeer {
  readonly consensus: ClusterConsensus
  readonly monitor: PubsubMonitor<Metric>
  readonly connector: IpfsConnector
  readonly options: ClusterPeerOptions & typeof PEER_DEFAULTS
  /** Until when an allocation may wait for the other members' metrics (just after a start). */
  readonly metricsGraceUntil: number
  /** Throws unless this peer may write now (running, not a follower). */
  assertWritable: () => void
}

export class PinWriter {
  private readonly peer: PinWriterPeer

  constructor (peer: PinWriterPeer) {
    this.peer = peer
  }

  /** The pin stored for `cid`, or PinNotFoundError. */
  allocation (cid: CID): Pin {
    const pin = this.peer.consensus.state.get(cid)
    if (pin === undefined) throw new PinNotFoundError()
    return pin
  }

  async pin (cid: CID, options: PinOptions): Promise<Pin> {
    if (options.pinUpdate !== undefined && !options.pinUpdate.equals(cid)) return await this.pinUpdate(options.pinUpdate, cid, options)
    return await this.pinWith(draftPin(cid, options), [])
  }

  /** Pins what `path` (`/ipfs/…`, `/ipns/…`) resolves to on this peer's Kubo. */
  async pinPath (path: string, options: PinOptions): Promise<Pin> {
    this.peer.assertWritable()
    return await this.pin(await this.peer.connector.resolve(path), options)
  }

  /**
   * PinUpdate (cluster-behaviour.md §3.4): the new CID takes the old pin's allocations, factors,
   * mode and metadata (no allocation runs); the name and a future expiry may be replaced; the old
   * pin stays. Allocated peers pin the new CID with Kubo's `pin/update` when they can.
   */
  async pinUpdate (from: CID, to: CID, options: PinOptions): Promise<Pin> {
    this.peer.assertWritable()
    const pin = updatedPin(this.allocation(from), from, to, options, Timestamp.now())
    await this.peer.consensus.logPin(pin)
    return pin
  }

  /** Prepares and commits `pin`, never allocating it to a peer of `blacklist` (re-pins). */
  async pinWith (pin: Pin, blacklist: string[]): Promise<Pin> {
    this.peer.assertWritable()
    const ready = await this.preparePin(pin, blacklist, Timestamp.now())
    await this.peer.consensus.logPin(ready)
    return ready
  }

  /** The pin flow of cluster-behaviour.md §3.1 up to the commit: defaults, checks, allocation. */
  async preparePin (pin: Pin, blacklist: string[], now: Timestamp): Promise<Pin> {
    const { consensus, monitor, options } = this.peer
    const existing = consensus.state.get(pin.cid)
    const ready = setupPin(pin, existing, options, now)
    ready.timestamp = now
    if (ready.type !== 'meta-pin' && (ready.allocations ?? []).length === 0 && !(ready.replicationFactorMin === -1 && ready.replicationFactorMax === -1)) {
      const everywhere = existing !== undefined && existing.replicationFactorMin === -1 && existing.replicationFactorMax === -1
      ready.allocations = await allocateOnceHeard(() => allocateFor(monitor, options.allocateBy, ready, everywhere ? [] : existing?.allocations ?? [], blacklist), this.peer.metricsGraceUntil)
    }
    return ready
  }

  async unpin (cid: CID): Promise<Pin> {
    this.peer.assertWritable()
    const pin = this.prepareUnpin(cid)
    await this.peer.consensus.logUnpin(pin)
    return pin
  }

  async unpinPath (path: string): Promise<Pin> {
    this.peer.assertWritable()
    return await this.unpin(await this.peer.connector.resolve(path))
  }

  /** The pin an `unpin` of `cid` would remove; parts of a sharded DAG cannot be unpinned alone. */
  prepareUnpin (cid: CID): Pin {
    const pin = this.allocation(cid)
    if (pin.type === 'shard-pin') throw new Error('cannot unpin a shard directly. Unpin content root CID instead')
    if (pin.type === 'clusterdag-pin') throw new Error('cannot unpin a Cluster DAG directly. Unpin content root CID instead')
    return pin
  }
}

/** A plain pin of `cid` with `options`, before its defaults and allocation. */
export function draftPin (cid: CID, options: PinOptions, allocations: string[] = []): Pin {
  return { ...options, cid, type: 'pin', allocations: allocations as Pin['allocations'], maxDepth: options.mode === 'direct' ? 0 : -1, reference: undefined, timestamp: Timestamp.ZERO }
}

/** What the tracker is given: the IPFS side, the pinset, the peer's identity, a clock. */
import type { CID, ClockLike, Multiaddr, PeerId, Pin, PinMode } from '@cluster/api'

/**
 * How IPFS has a CID pinned. `indirect` (pinned only as part of another DAG) counts as not
 * pinned; `undefined` means not pinned at all.
 */
export type IpfsPinType = 'recursive' | 'direct' | 'indirect'

export interface IpfsPinOptions {
  /** `direct` when the pin's max_depth is 0, else `recursive`. */
  mode: PinMode
  /** The pin's max_depth (-1 recursive, 0 direct, n > 0 for shards). */
  maxDepth: number
  /** Multiaddresses of peers that have the content (the pin's `origins`); may be empty. */
  origins: readonly Multiaddr[]
  /**
   * The pin this one updates (`pin update`): Kubo can move that recursive pin to `cid` with
   * `pin/update`, fetching only the blocks that differ. Absent for a plain pin.
   */
  pinUpdate?: CID
  /** Aborted when the operation is cancelled (replaced by an opposite one, or shutdown). */
  signal: AbortSignal
}

/** One entry of the IPFS pin listing: a CID and how it is pinned. */
export interface IpfsPinEntry {
  cid: CID
  type: IpfsPinType
}

/**
 * The IPFS daemon, as the tracker needs it. The service adapts the Kubo connector to this.
 * Every method may reject; the rejection's message becomes the operation's error text.
 */
export interface TrackerIpfs {
  /** Pins `cid`; must give up (reject) when `signal` aborts. */
  pin: (cid: CID, options: IpfsPinOptions) => Promise<unknown>
  /** Unpins `cid`. Must **resolve** when the CID is not pinned (Kubo's "not pinned"). */
  unpin: (cid: CID, options: { signal: AbortSignal }) => Promise<unknown>
  /**
   * How `cid` is pinned when asked with `type=<mode>` (`undefined`: not pinned). Should give up
   * (reject) when `signal` aborts: a status must not wait for a hung daemon.
   */
  pinLsCid: (cid: CID, mode: PinMode, options?: { signal?: AbortSignal | undefined }) => Promise<IpfsPinType | undefined>
  /** Every recursive **and** direct pin, streamed (one listing per StatusAll). */
  pinLs: () => AsyncIterable<IpfsPinEntry>
}

/** Read access to the shared pinset (the consensus state). */
export interface PinsetReader {
  /** The pin of `cid`, or `undefined` when not in the pinset. Rejects on read errors. */
  get: (cid: CID) => Promise<Pin | undefined> | Pin | undefined
  /** Every pin, streamed. */
  list: () => AsyncIterable<Pin> | Iterable<Pin>
}

/** This peer's IPFS daemon identity (from its own last ping metric, in the cluster). */
export interface IpfsIdentity {
  ipfsPeerId?: PeerId | undefined
  ipfsPeerAddresses?: Multiaddr[] | undefined
}

/** Who the tracker speaks for: used to fill PinInfo objects. */
export interface TrackerPeer {
  /** This cluster peer's ID (decides IsRemotePin and fills `peer`). */
  peerId: PeerId
  /** `peername` of every PinInfo. */
  peerName: string
  /** The IPFS identity to report, read at each status call (default: none). */
  identity?: (() => IpfsIdentity) | undefined
  /** The time source (default: the system clock). */
  clock?: ClockLike | undefined
}

import type { PeerId } from '@cluster/api'
import type { CID } from 'multiformats/cid'
import type { CidLike } from './cid.ts'

/** `id`: Kubo's peer ID and the addresses that parsed as multiaddrs. */
export interface IpfsIdResult {
  id: PeerId
  addresses: string[]
  agentVersion?: string
}

/** `version`. */
export interface IpfsVersionResult {
  version: string
  commit: string
  repo: string
  system: string
  golang: string
}

/** Pin types as Kubo lists them (`bug` = anything unrecognised). */
export type IpfsPinType = 'recursive' | 'direct' | 'indirect' | 'bug'

/** Filters accepted by `pin/ls?type=`. */
export type PinLsType = 'recursive' | 'direct' | 'indirect' | 'all'

/** One line of `pin/ls`. `cid` is parsed; `cidString` is Kubo's own spelling. */
export interface PinLsEntry {
  cid: CID
  cidString: string
  type: IpfsPinType
}

/** Local pin status of one CID (Go's IPFSPinStatus without "error", which is thrown). */
export type IpfsPinStatus = IpfsPinType | 'unpinned'

/** A `pin/add` progress line. All fields are omit-if-zero at Kubo's side. */
export interface PinProgress {
  /** Nodes fetched so far. */
  progress: number
  /** Bytes fetched so far (newer Kubo only). */
  bytes: number
}

/** `repo/stat?size-only=true`, sizes as bigint (StorageMax may be 2^64−1). */
export interface RepoStat {
  repoSize: bigint
  storageMax: bigint
  numObjects: bigint
}

/** One line of `repo/gc`: a removed block or an error. */
export interface RepoGcEntry {
  key: CID | null
  error?: string
}

/** A block to store: its CID (codec and multihash are taken from it) and bytes. */
export interface BlockInput {
  cid: CID
  bytes: Uint8Array
}

/** One acknowledgement line of `block/put` (Kubo answers CIDv1). */
export interface BlockPutResult {
  key: CID
  size: number
}

/** What the connector needs of a pin (a subset of the cluster's Pin type). */
export interface PinRequest {
  cid: CidLike
  /** -1 (default) recursive, 0 direct, n > 0 depth-limited (Kubo pins it fully recursively). */
  maxDepth?: number
  /** Multiaddrs (ending in `/p2p/<id>`) of nodes known to hold the content. */
  origins?: readonly string[]
  /** Pin by updating this existing recursive pin (`pin/update`) when it is pinned. */
  pinUpdate?: CidLike
}

export interface PinCallOptions {
  signal?: AbortSignal
  onProgress?: (progress: PinProgress) => void
}

export interface RepoGcResult {
  keys: RepoGcEntry[]
  /** Set when the run was cut short (deadline, cancellation, decode error). */
  error?: string
}

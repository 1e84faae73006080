/**
 * What the API layers (REST, proxy) need from a cluster peer. `apps/service` implements it with
 * the real cluster; tests implement it with fakes. Errors thrown by implementations map to HTTP:
 * PinNotFoundError → 404, the named input errors of this package → 400, anything else → 500
 * with the error's message (rest-api.md §1.4).
 */
import type { CID } from './cid.ts'
import type { PeerId } from './peer-id.ts'
import type { ConnectGraph } from './types/graph.ts'
import type { Id, Version } from './types/id.ts'
import type { Multiaddr } from './multiaddr.ts'
import type { Alert, Metric } from './types/metric.ts'
import type { Pin, PinOptions } from './types/pin.ts'
import type { GlobalPinInfo } from './types/pin-info.ts'
import type { PinTypeFilter } from './types/pin-type.ts'
import type { PinSearchIndex } from './types/pin-search.ts'
import type { BatchItem, BatchItemResult } from './types/pin-batch.ts'
import type { RebalanceEvent, RebalanceRequest } from './types/rebalance.ts'
import type { TrackerStatusFilter } from './types/status.ts'
import type { GlobalRepoGc } from './types/repo-gc.ts'
import type { BandwidthByProtocol } from './types/bandwidth.ts'
import type { AddedOutput } from './types/added-output.ts'
import type { AddParams } from './add-params.ts'

export interface RequestOptions {
  /** Aborted when the client goes away or the request times out. */
  signal?: AbortSignal
}

export interface LocalOption extends RequestOptions {
  /** Only this peer (`?local=true`). */
  local?: boolean
}

export interface StatusAllOptions extends LocalOption {
  /** Go's "status of these CIDs": the single-CID status of each. */
  cids?: CID[]
  /** Extension: only these CIDs of the pinset (CID strings, in CID-string order). */
  within?: readonly string[]
}

/** A `POST /add` body: a multipart upload as Go's client builds it (rest-api.md §4.15). */
export interface AddUpload {
  /** The request's Content-Type (carries the multipart boundary). */
  contentType: string
  body: AsyncIterable<Uint8Array>
}

export interface ClusterApi {
  id: (opts?: RequestOptions) => Promise<Id>
  version: (opts?: RequestOptions) => Promise<Version>
  /** Every peer's identity; unreachable peers are included with their `error` set. */
  peers: (opts?: RequestOptions) => AsyncIterable<Id>
  peerAdd: (peer: PeerId, opts?: RequestOptions) => Promise<Id>
  peerRemove: (peer: PeerId, opts?: RequestOptions) => Promise<void>

  /** The pinset, filtered by pin type (`/allocations`). */
  allocations: (filter: PinTypeFilter, opts?: RequestOptions) => AsyncIterable<Pin>
  /**
   * Optional: the same pins already encoded, as chunks of NDJSON text (each chunk whole lines of
   * the REST `Pin` JSON). A cluster that stores pins in that form serves big listings without
   * decoding and re-encoding each pin.
   */
  allocationsJson?: (filter: PinTypeFilter, opts?: RequestOptions) => AsyncIterable<string>
  /** Optional (extension): the pinset's search index; without it search filters are refused. */
  pinSearch?: PinSearchIndex
  /** One pin of the pinset; throws PinNotFoundError when absent. */
  allocation: (cid: CID, opts?: RequestOptions) => Promise<Pin>

  status: (cid: CID, opts?: LocalOption) => Promise<GlobalPinInfo>
  /**
   * Status of every CID in the pinset, filtered by status; with `cids`, the single-CID status of
   * each (Go's "status of these CIDs"). Extension: with `within` (CID strings in CID-string
   * order, as the search index lists them), the status of every CID in the pinset as above
   * restricted to those — each peer asked once for all of them, not once per CID.
   */
  statusAll: (filter: TrackerStatusFilter, opts?: StatusAllOptions) => AsyncIterable<GlobalPinInfo>
  recover: (cid: CID, opts?: LocalOption) => Promise<GlobalPinInfo>
  recoverAll: (opts?: LocalOption) => AsyncIterable<GlobalPinInfo>

  pin: (cid: CID, options: PinOptions, opts?: RequestOptions) => Promise<Pin>
  /** Pins `/ipfs/...`, `/ipns/...` or `/ipld/...` after resolving it through IPFS. */
  pinPath: (path: string, options: PinOptions, opts?: RequestOptions) => Promise<Pin>
  unpin: (cid: CID, opts?: RequestOptions) => Promise<Pin>
  /**
   * Optional (extension): pins and unpins many CIDs in as few consensus entries as possible.
   * Yields one result per item (in commit order; `index` says which item); a bad item gets its
   * own error and does not stop the others.
   */
  pinBatch?: (items: BatchItem[], opts?: RequestOptions) => AsyncIterable<BatchItemResult>
  /**
   * Optional (extension): recomputes the allocations of the pins `request.search` matches and
   * moves those that change, a few at a time. Yields one event per move, then a summary. The
   * moves go on when the consumer stops reading (they are persisted and resumed after a restart).
   */
  rebalance?: (request: RebalanceRequest, opts?: RequestOptions) => AsyncIterable<RebalanceEvent>
  unpinPath: (path: string, opts?: RequestOptions) => Promise<Pin>
  /**
   * Chunks the upload into a DAG, sends its blocks to the allocated peers' IPFS and pins the
   * root (unless `noPin`). Yields one output per added node as it is produced; the last one is
   * the root. Failures caused by the request (malformed upload, unsupported option) are
   * ClientInputErrors.
   */
  add: (upload: AddUpload, params: AddParams, opts?: RequestOptions) => AsyncIterable<AddedOutput>

  repoGc: (opts?: LocalOption) => Promise<GlobalRepoGc>
  connectGraph: (opts?: RequestOptions) => Promise<ConnectGraph>
  alerts: (opts?: RequestOptions) => Promise<Alert[]>
  bandwidth: (opts?: RequestOptions) => Promise<BandwidthByProtocol>
  /** Latest valid metrics of that name, one per peer. */
  metrics: (name: string, opts?: RequestOptions) => Promise<Metric[]>
  metricNames: (opts?: RequestOptions) => Promise<string[]>
  /**
   * The IPFS addresses a member publishes (its ping metric's, filtered by its
   * `publish_ipfs_addresses`; Go's RPC `Cluster.IPFSID`), empty when unknown. Optional: a
   * cluster reached over the REST API cannot tell.
   */
  ipfsAddressesOf?: (peer: PeerId) => Multiaddr[]
}

/**
 * Status(cid) and StatusAll(filter) (cluster-behaviour.md §7.4–7.5): merging the operations,
 * the pinset and what IPFS has pinned.
 */
import { TRACKER_STATUS_BITS, cidToString, parseCid, pinDepthToMode, trackerStatusMatches } from '@cluster/api'
import type { CID, Pin, PinInfo, Timestamp, TrackerStatus, TrackerStatusFilter } from '@cluster/api'
import { CidByteSet } from './cid-byte-set.ts'
import { cooperative } from './cooperative.ts'
import { IpfsPinsetError, errorText } from './errors.ts'
import type { OperationTracker } from './operation-tracker.ts'
import { emptyInfo, infoContext, infoFromOperation, infoFromPin } from './pin-info.ts'
import type { InfoContext } from './pin-info.ts'
import { isRemotePin } from './pin-predicates.ts'
import type { IpfsPinType, PinsetReader, TrackerIpfs, TrackerPeer } from './types.ts'

/** The error text of an `unexpectedly_unpinned` item (Go's, word for word). */
export const UNEXPECTEDLY_UNPINNED_MESSAGE = 'the item should be pinned but it is not'

export interface StatusSources {
  ops: OperationTracker
  pinset: PinsetReader
  ipfs: TrackerIpfs
  peer: TrackerPeer
  now: () => Timestamp
}

const BITS = TRACKER_STATUS_BITS
const STATE_STATUSES = BITS.pinned | BITS.unexpectedly_unpinned | BITS.sharded | BITS.remote
const IPFS_STATUSES = BITS.pinned | BITS.unexpectedly_unpinned

/** Go's `filter.Match(mask)`: a 0 filter wants everything, otherwise any common bit. */
function wants (filter: TrackerStatusFilter, mask: number): boolean {
  return filter === 0 || (filter & mask) !== 0
}

function isPinnedType (t: IpfsPinType | undefined): boolean {
  return t === 'recursive' || t === 'direct'
}


/**
 * The pin of `cid` in the pinset (undefined: not there), or the `cluster_error` item of a pinset
 * that could not be read.
 */
async function pinOf (src: StatusSources, ctx: InfoContext, cid: CID): Promise<{ pin?: Pin, failed?: PinInfo }> {
  try {
    const pin = await src.pinset.get(cid)
    return pin === undefined ? {} : { pin }
  } catch (err) {
    const failed = emptyInfo(ctx, cid, src.now())
    failed.status = 'cluster_error'
    failed.error = errorText(err)
    return { failed }
  }
}

/**
 * What the pinset and IPFS say of a pin of the pinset: `sharded`, `remote`, else one `pin/ls` of
 * the CID (`pinned`, `unexpectedly_unpinned`, or `cluster_error` with the IPFS error). Undefined
 * when IPFS would have to be asked and `askIpfs` is false.
 */
async function stateStatusOf (src: StatusSources, ctx: InfoContext, pin: Pin, askIpfs: boolean, signal?: AbortSignal): Promise<PinInfo | undefined> {
  if (pin.type === 'meta-pin') return infoFromPin(ctx, pin, 'sharded')
  if (isRemotePin(pin, src.peer.peerId)) return infoFromPin(ctx, pin, 'remote')
  if (!askIpfs) return undefined
  let type: IpfsPinType | undefined
  try {
    type = await src.ipfs.pinLsCid(pin.cid, pinDepthToMode(pin.maxDepth), { signal })
  } catch (err) {
    return infoFromPin(ctx, pin, 'cluster_error', errorText(err))
  }
  return infoFromState(ctx, pin, isPinnedType(type) ? 'pinned' : 'unexpectedly_unpinned')
}

/**
 * Status(cid): one peer's view of one CID. Never throws: failures give `cluster_error`, an
 * aborted `signal` (the caller's time is up) too, with the IPFS error.
 */
export async function statusOf (src: StatusSources, cid: CID, signal?: AbortSignal): Promise<PinInfo> {
  const ctx = infoContext(src.peer)
  const op = src.ops.operation(cid)
  if (op !== undefined) return infoFromOperation(ctx, op)
  const { pin, failed } = await pinOf(src, ctx, cid)
  if (failed !== undefined) return failed
  if (pin === undefined) {
    const info = emptyInfo(ctx, cid, src.now())
    info.status = 'unpinned'
    return info
  }
  return await stateStatusOf(src, ctx, pin, true, signal) as PinInfo
}

/**
 * One IPFS listing: the CIDs pinned recursively or directly, by their bytes (cid-byte-set.ts:
 * about 45 bytes a pin, outside the V8 heap; how each is pinned is not needed).
 */
async function listIpfsPins (ipfs: TrackerIpfs): Promise<CidByteSet> {
  const pins = new CidByteSet()
  try {
    for await (const entry of ipfs.pinLs()) {
      if (isPinnedType(entry.type)) pins.add(entry.cid.bytes)
    }
  } catch (err) {
    throw new IpfsPinsetError(err)
  }
  return pins
}

function infoFromState (ctx: InfoContext, pin: Pin, status: TrackerStatus): PinInfo {
  return infoFromPin(ctx, pin, status, status === 'unexpectedly_unpinned' ? UNEXPECTEDLY_UNPINNED_MESSAGE : '')
}

/**
 * StatusAll(filter), streamed, in CID-string order (the order the cluster's global status merges
 * the peers' streams in). With a filter that wants no state-derived status (e.g. `queued`,
 * `error`), only operations are listed (including those of CIDs not in the pinset), sorted.
 * Otherwise every pin of the pinset is visited once, in the pinset's CID-string order: its
 * operation if it has one that matches, else the status derived from the state and from one IPFS
 * listing (taken only when `pinned` or `unexpectedly_unpinned` is wanted; a failing listing throws
 * IpfsPinsetError before anything is emitted). CIDs pinned in IPFS or operated on but not in the
 * pinset are not listed (as Go's). Memory: the set of pinned CIDs' bytes plus one pin at a time.
 */
export async function * statusAllOf (src: StatusSources, filter: TrackerStatusFilter = 0): AsyncGenerator<PinInfo> {
  const ctx = infoContext(src.peer)
  if (!wants(filter, STATE_STATUSES)) {
    const keyed = src.ops.getAll(filter).map(info => ({ key: cidToString(info.cid), info }))
    keyed.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    for (const { info } of keyed) yield info
    return
  }
  const ipfsPins = wants(filter, IPFS_STATUSES) ? await listIpfsPins(src.ipfs) : undefined
  const self = src.peer.peerId
  for await (const pin of cooperative(src.pinset.list())) {
    const key = cidToString(pin.cid)
    const op = src.ops.operation(key)
    if (op !== undefined && trackerStatusMatches(op.status, filter)) {
      yield infoFromOperation(ctx, op)
      continue
    }
    let status: TrackerStatus
    if (pin.type === 'meta-pin') status = 'sharded'
    else if (isRemotePin(pin, self)) status = 'remote'
    else if (ipfsPins === undefined) continue // neither pinned nor unexpectedly_unpinned is wanted
    else status = ipfsPins.has(pin.cid.bytes) ? 'pinned' : 'unexpectedly_unpinned'
    if (trackerStatusMatches(status, filter)) yield infoFromState(ctx, pin, status)
  }
}

/** IPFS look-ups in flight at once while answering the status of a list of CIDs. */
const WITHIN_WINDOW = 8

/**
 * StatusAll(filter) restricted to `keys` (CID strings, in the order to answer them): the same
 * items StatusAll would list for those CIDs, in that order, without a listing of IPFS (one
 * `pin/ls` of the CID for each pin allocated here, a few at a time) — the status of a search's
 * matches, a page at a time. A CID not in the pinset (unpinned meanwhile) is left out, as
 * StatusAll leaves it out; a failing IPFS look-up gives that pin `cluster_error`.
 */
export async function * statusWithinOf (src: StatusSources, filter: TrackerStatusFilter, keys: readonly string[], signal?: AbortSignal): AsyncGenerator<PinInfo> {
  const ctx = infoContext(src.peer)
  const ipfsWanted = wants(filter, IPFS_STATUSES)
  const one = async (key: string): Promise<PinInfo | undefined> => {
    const op = src.ops.operation(key)
    if (op !== undefined && trackerStatusMatches(op.status, filter)) return infoFromOperation(ctx, op)
    const { pin, failed } = await pinOf(src, ctx, parseCid(key))
    if (pin === undefined) return failed
    const info = await stateStatusOf(src, ctx, pin, ipfsWanted, signal)
    // A failed look-up is shown whatever the filter: the pin's status is unknown, not another one.
    return info !== undefined && (info.status === 'cluster_error' || trackerStatusMatches(info.status, filter)) ? info : undefined
  }
  const pending: Array<Promise<PinInfo | undefined>> = []
  for (let i = 0; i < keys.length || pending.length > 0;) {
    while (pending.length < WITHIN_WINDOW && i < keys.length) pending.push(one(keys[i++] as string))
    const info = await (pending.shift() as Promise<PinInfo | undefined>)
    if (signal?.aborted === true) return
    if (info !== undefined) yield info
  }
}

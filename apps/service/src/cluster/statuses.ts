/**
 * Status and recover of the cluster (cluster-behaviour.md §9): this peer's tracker alone with
 * `local`, otherwise every member through the fan-outs of fanout.ts.
 */
import { fromStatusItems, pinInfoToGlobal, type CID, type GlobalPinInfo, type LocalOption, type PinInfo, type StatusAllOptions, type TrackerStatusFilter } from '@cluster/api'
import type { StatelessTracker } from '@cluster/pintracker'
import { RpcError, type RpcClient } from '@cluster/rpc'
import { STREAM_IDLE_MS, globalInfo, globalStream, matchesFilter, type FanoutContext } from './fanout.ts'
import { Rpc } from './rpc-methods.ts'

/** What status and recover read from the peer. */
export interface StatusContext extends FanoutContext {
  tracker: StatelessTracker
}

export async function clusterStatus (ctx: StatusContext, cid: CID, opts: LocalOption = {}): Promise<GlobalPinInfo> {
  if (opts.local === true) return pinInfoToGlobal(await ctx.tracker.status(cid))
  return await globalInfo(ctx, cid, 'status')
}

/**
 * Every status (Go's StatusAll), the single-CID status of each of `cids` (Go's "status of these
 * CIDs"), or StatusAll restricted to `within` (a search page: each member asked once).
 */
export async function * clusterStatusAll (ctx: StatusContext, filter: TrackerStatusFilter, opts: StatusAllOptions = {}): AsyncIterable<GlobalPinInfo> {
  const { rpc, tracker } = ctx
  if (opts.within !== undefined) {
    const keys = opts.within
    if (opts.local === true) {
      for await (const info of tracker.statusWithin(filter, keys, opts)) yield pinInfoToGlobal(info)
      return
    }
    yield * globalStream(ctx, (peer, signal) => rpc.stream(peer, Rpc.trackerStatusWithin, { filter, cids: [...keys] }, { signal, idleTimeoutMs: STREAM_IDLE_MS }), filter, opts.signal)
    return
  }
  if (opts.cids !== undefined && opts.cids.length > 0) {
    for (const cid of opts.cids) {
      const info = await clusterStatus(ctx, cid, opts)
      if (matchesFilter(info, filter)) yield info
    }
    return
  }
  if (opts.local === true) {
    for await (const info of tracker.statusAll(filter)) yield pinInfoToGlobal(info)
    return
  }
  yield * globalStream(ctx, (peer, signal) => memberStatusAll(rpc, peer, filter, signal), filter, opts.signal, { pinFieldsFromSelf: true })
}

/**
 * A member's StatusAll through the lean stream (statuses only, its peer fields sent once); a
 * peer of an earlier version, which does not have that method, is asked StatusAll. This peer's
 * own part is not sent anywhere: StatusAll, in-process, the one that gives each CID's pin fields.
 */
async function * memberStatusAll (rpc: RpcClient, peer: string, filter: TrackerStatusFilter, signal: AbortSignal): AsyncGenerator<PinInfo> {
  const opts = { signal, idleTimeoutMs: STREAM_IDLE_MS }
  if (rpc.isSelf(peer)) {
    yield * rpc.stream(peer, Rpc.trackerStatusAll, filter, opts)
    return
  }
  let items = 0
  try {
    for await (const info of fromStatusItems(rpc.stream(peer, Rpc.trackerStatusAllLean, filter, opts))) {
      items++
      yield info
    }
  } catch (err) {
    if (items > 0 || !(err instanceof RpcError) || !err.message.includes(`can't find method ${Rpc.trackerStatusAllLean.name}`)) throw err
    yield * rpc.stream(peer, Rpc.trackerStatusAll, filter, opts)
  }
}

export async function clusterRecover (ctx: StatusContext, cid: CID, opts: LocalOption = {}): Promise<GlobalPinInfo> {
  if (opts.local === true) return pinInfoToGlobal(await ctx.tracker.recover(cid))
  return await globalInfo(ctx, cid, 'recover')
}

export async function * clusterRecoverAll (ctx: StatusContext, opts: LocalOption = {}): AsyncIterable<GlobalPinInfo> {
  if (opts.local === true) {
    for await (const info of ctx.tracker.recoverAll()) yield pinInfoToGlobal(info)
    return
  }
  yield * globalStream(ctx, (peer, signal) => ctx.rpc.stream(peer, Rpc.recoverAllLocal, undefined, { signal }), 0)
}

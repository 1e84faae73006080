/**
 * Batch pinning (ClusterApi.pinBatch, an extension beyond Go): each item is prepared as a single
 * `pin` / `unpin` would be (the same checks, defaults and allocation, the same errors), then
 * every prepared operation is committed in as few consensus entries as fit (batch entries). An
 * item that fails its checks gets its own error; the others go on.
 */
import { ApiError, PinNotFoundError, Timestamp, type BatchItem, type BatchItemResult, type Metric, type Pin } from '@cluster/api'
import type { ClusterConsensus, LogOp } from '@cluster/consensus'
import type { PubsubMonitor } from '@cluster/monitor'
import { allocateFor, allocateOnceHeard } from './allocation.ts'
import type { ClusterPeerOptions, PEER_DEFAULTS } from './options.ts'
import { setupPin } from './pin-setup.ts'

/** An item the batch itself refuses (REST 400). */
export class BatchItemError extends ApiError {
  override readonly name = 'BatchItemError'
  readonly status = 400
}

export interface BatchPeer {
  consensus: ClusterConsensus
  monitor: PubsubMonitor<Metric>
  options: ClusterPeerOptions & typeof PEER_DEFAULTS
  /** See ClusterPeer.metricsGraceUntil: a batch sent just after a start waits as a pin does. */
  metricsGraceUntil: number
}

/** The pin a single `pin` would commit (ClusterPeer.pinWith without a blacklist). */
async function preparePin (peer: BatchPeer, item: BatchItem, now: Timestamp): Promise<Pin> {
  const { options } = item
  if (options.pinUpdate !== undefined && !options.pinUpdate.equals(item.cid)) throw new BatchItemError('pin-update is not supported in a batch: use POST /pins/{cid}?pin-update=…')
  const draft: Pin = { ...options, cid: item.cid, type: 'pin', allocations: [], maxDepth: options.mode === 'direct' ? 0 : -1, reference: undefined, timestamp: Timestamp.ZERO }
  const existing = peer.consensus.state.get(item.cid)
  const ready = setupPin(draft, existing, peer.options, now)
  ready.timestamp = now
  if ((ready.allocations ?? []).length === 0 && !(ready.replicationFactorMin === -1 && ready.replicationFactorMax === -1)) {
    const everywhere = existing !== undefined && existing.replicationFactorMin === -1 && existing.replicationFactorMax === -1
    ready.allocations = await allocateOnceHeard(() => allocateFor(peer.monitor, peer.options.allocateBy, ready, everywhere ? [] : existing?.allocations ?? [], []), peer.metricsGraceUntil)
  }
  return ready
}

/** The pin a single `unpin` would remove, with its errors. */
function prepareUnpin (peer: BatchPeer, item: BatchItem): Pin {
  const pin = peer.consensus.state.get(item.cid)
  if (pin === undefined) throw new PinNotFoundError()
  if (pin.type === 'shard-pin') throw new Error('cannot unpin a shard directly. Unpin content root CID instead')
  if (pin.type === 'clusterdag-pin') throw new Error('cannot unpin a Cluster DAG directly. Unpin content root CID instead')
  return pin
}

export async function * pinBatch (peer: BatchPeer, items: BatchItem[]): AsyncGenerator<BatchItemResult> {
  const now = Timestamp.now()
  const ops: LogOp[] = []
  const indexOf = new Map<LogOp, number>()
  const seen = new Set<string>()
  for (const [index, item] of items.entries()) {
    const key = item.cid.toString()
    try {
      // Each CID once: a later item could not see what an earlier one of the same batch did.
      if (seen.has(key)) throw new BatchItemError(`${key} appears more than once in this batch`)
      seen.add(key)
      const op: LogOp = item.op === 'pin' ? { type: 'pin', pin: await preparePin(peer, item, now) } : { type: 'unpin', pin: prepareUnpin(peer, item) }
      ops.push(op)
      indexOf.set(op, index)
    } catch (err) {
      yield { index, error: err as Error }
    }
  }
  for await (const group of peer.consensus.logBatch(ops)) {
    for (const op of group.ops) {
      const index = indexOf.get(op) as number
      yield group.error === undefined ? { index, pin: op.pin } : { index, error: group.error }
    }
  }
}

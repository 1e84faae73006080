/**
 * Batch pinning (ClusterApi.pinBatch, an extension beyond Go): each item is prepared as a single
 * `pin` / `unpin` would be (the same checks, defaults and allocation, the same errors), then
 * every prepared operation is committed in as few consensus entries as fit (batch entries). An
 * item that fails its checks gets its own error; the others go on.
 */
import { ApiError, cidToString, Timestamp, type BatchItem, type BatchItemResult, type Pin } from '@cluster/api'
import type { ClusterConsensus, LogOp } from '@cluster/consensus'
import { draftPin, type PinWriter } from './pins.ts'

/** An item the batch itself refuses (REST 400). */
export class BatchItemError extends ApiError {
  override readonly name = 'BatchItemError'
  readonly status = 400
}

/** What a batch uses: the preparation of single pins and unpins, and the consensus. */
export interface BatchPeer {
  consensus: ClusterConsensus
  pins: Pick<PinWriter, 'preparePin' | 'prepareUnpin'>
}

/** The pin a single `pin` would commit, or the item's error. */
async function preparePin (peer: BatchPeer, item: BatchItem, now: Timestamp): Promise<Pin> {
  if (item.options.pinUpdate !== undefined && !item.options.pinUpdate.equals(item.cid)) throw new BatchItemError('pin-update is not supported in a batch: use POST /pins/{cid}?pin-update=…')
  return await peer.pins.preparePin(draftPin(item.cid, item.options), [], now)
}

export async function * pinBatch (peer: BatchPeer, items: BatchItem[]): AsyncGenerator<BatchItemResult> {
  const now = Timestamp.now()
  const ops: LogOp[] = []
  const indexOf = new Map<LogOp, number>()
  const seen = new Set<string>()
  for (const [index, item] of items.entries()) {
    const key = cidToString(item.cid)
    try {
      // Each CID once: a later item could not see what an earlier one of the same batch did.
      if (seen.has(key)) throw new BatchItemError(`${key} appears more than once in this batch`)
      seen.add(key)
      const op: LogOp = item.op === 'pin' ? { type: 'pin', pin: await preparePin(peer, item, now) } : { type: 'unpin', pin: peer.pins.prepareUnpin(item.cid) }
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

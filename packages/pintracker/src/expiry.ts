/**
 * The expire_at sweep of the cluster's state sync (cluster-behaviour.md §8): pins whose
 * `expire_at` has passed are unpinned — through consensus, by the one peer responsible for
 * each CID (the closest trusted peer by §6 distance, nobody excluded), so the unpin is
 * committed once. The tracker package decides *which* pins; the service does the unpin.
 */
import type { CID, Timestamp } from '@cluster/api'
import { errorText } from './errors.ts'
import { isExpiredAt } from './pin-predicates.ts'
import type { PinsetReader } from './types.ts'
import { cooperative } from './cooperative.ts'

export interface ExpiredPinsOptions {
  pinset: PinsetReader
  /** The sweep's "now". */
  now: Timestamp
  /** Whether this peer acts for `cid` (the service passes the closest-peer check). */
  isResponsible: (cid: CID) => boolean
}

/**
 * CIDs this peer must unpin because they expired. Collected before returning, so that the
 * caller's unpins do not modify the pinset while it is being listed (only expired CIDs are kept).
 */
export async function expiredPinsToUnpin (options: ExpiredPinsOptions): Promise<CID[]> {
  const out: CID[] = []
  for await (const pin of cooperative(options.pinset.list())) {
    if (isExpiredAt(pin, options.now) && options.isResponsible(pin.cid)) out.push(pin.cid)
  }
  return out
}

export interface ExpirySweepOptions extends ExpiredPinsOptions {
  /** The cluster's Unpin(cid) (a consensus commit). */
  unpin: (cid: CID) => Promise<unknown>
}

export interface ExpirySweepResult {
  unpinned: CID[]
  failed: Array<{ cid: CID, error: string }>
}

/** Unpins every expired pin this peer is responsible for; one failure does not stop the others. */
export async function sweepExpiredPins (options: ExpirySweepOptions): Promise<ExpirySweepResult> {
  const result: ExpirySweepResult = { unpinned: [], failed: [] }
  for (const cid of await expiredPinsToUnpin(options)) {
    try {
      await options.unpin(cid)
      result.unpinned.push(cid)
    } catch (err) {
      result.failed.push({ cid, error: errorText(err) })
    }
  }
  return result
}

/**
 * Cluster status → Pinning Service status (rest-api.md §11), as Go v1.1.6 computes it: the peers'
 * statuses are OR-ed into one bit set, then the first match wins: any error → `failed`,
 * `pin_queued` → `queued`, `pinning` → `pinning`, `pinned` → `pinned`, otherwise undefined
 * (not pinned, unpinning, remote only...). Go quirk kept: with no peer entries the set is 0, which
 * Go's matcher treats as matching everything, so the answer is `failed`.
 */
import { TRACKER_STATUS_BITS } from '@cluster/api'
import type { GlobalPinInfo, Multiaddr, TrackerStatusFilter } from '@cluster/api'
import type { PinSvcPinStatus, PinSvcStatus } from './types.ts'

const BITS = TRACKER_STATUS_BITS

/** Go's TrackerStatus.Match: a 0 filter or a 0 status matches everything. */
function matches (mask: number, filter: number): boolean {
  return filter === 0 || mask === 0 || (mask & filter) !== 0
}

/** Tracker statuses each Pinning Service status stands for (Go's svcStatusToTrackerStatus). */
const TRACKER_BITS: Readonly<Record<PinSvcStatus, number>> = {
  failed: BITS.error,
  queued: BITS.pin_queued,
  pinning: BITS.pinning,
  pinned: BITS.pinned
}

/** In Go's order of precedence. */
const PRECEDENCE: readonly PinSvcStatus[] = ['failed', 'queued', 'pinning', 'pinned']

/** The Pinning Service status of a CID, or undefined when it has none (skipped / 404). */
export function pinSvcStatusOf (gpi: GlobalPinInfo): PinSvcStatus | undefined {
  let mask = 0
  for (const info of Object.values(gpi.peerMap ?? {})) mask |= BITS[info.status]
  return PRECEDENCE.find((s) => matches(mask, TRACKER_BITS[s]))
}

/** The `StatusAll` filter for a `status` query (empty: every status). */
export function trackerFilterOf (statuses: Iterable<PinSvcStatus>): TrackerStatusFilter {
  let filter = 0
  for (const s of statuses) filter |= TRACKER_BITS[s]
  return filter
}

/**
 * A cluster status as a PinStatus (request ID = the CID, delegates = every listed peer's IPFS
 * addresses), or undefined when the status maps to none.
 */
export function pinStatusOfGlobal (gpi: GlobalPinInfo): PinSvcPinStatus | undefined {
  const status = pinSvcStatusOf(gpi)
  if (status === undefined) return undefined
  const delegates: Multiaddr[] = []
  for (const info of Object.values(gpi.peerMap ?? {})) delegates.push(...info.ipfsPeerAddresses)
  return {
    requestId: gpi.cid.toString(),
    status,
    created: gpi.created,
    pin: { cid: gpi.cid, name: gpi.name, origins: gpi.origins ?? [], meta: gpi.metadata ?? {} },
    delegates
  }
}

/**
 * The derived pin predicates of cluster-behaviour.md §2.1 that the tracker needs. (They are
 * not in @cluster/api yet; kept here, small and exact.)
 */
import { Timestamp, defaultPinOptions } from '@cluster/api'
import type { CID, PeerId, Pin } from '@cluster/api'

/** IsPinEverywhere ⇔ rf_min == -1 && rf_max == -1. */
export function isPinEverywhere (pin: Pin): boolean {
  return pin.replicationFactorMin === -1 && pin.replicationFactorMax === -1
}

/**
 * IsRemotePin ⇔ not everywhere and `peer` is not among the allocations. A bare pin (factors
 * 0/0, no allocations) is remote for every peer.
 */
export function isRemotePin (pin: Pin, peer: PeerId): boolean {
  if (isPinEverywhere(pin)) return false
  return !(pin.allocations ?? []).includes(peer)
}

/** Same allocations, in any order. */
export function sameAllocations (a: Pin, b: Pin): boolean {
  const x = a.allocations ?? []
  const y = b.allocations ?? []
  return x.length === y.length && x.every(peer => y.includes(peer))
}

/** Whether `expire_at` is set: not Go's zero time and not the Unix epoch. */
export function hasExpiry (pin: Pin): boolean {
  return !pin.expireAt.isZero() && pin.expireAt.unixNanos !== 0n
}

/** ExpiredAt(pin, t) ⇔ expire_at is set and expire_at < t. */
export function isExpiredAt (pin: Pin, t: Timestamp): boolean {
  return hasExpiry(pin) && pin.expireAt.isBefore(t)
}

/** Go's `api.PinCid(c)`: a data pin, recursive, no allocations, default options, timestamp now. */
export function barePin (cid: CID, now: Timestamp): Pin {
  return {
    ...defaultPinOptions(),
    cid,
    type: 'pin',
    allocations: [],
    maxDepth: -1,
    reference: undefined,
    timestamp: now
  }
}

import { Timestamp, type CID, type Pin, type PinOptions } from '@cluster/api'
import { ClusterRequestError } from './errors.ts'

export interface ReplicationDefaults {
  replicationFactorMin: number
  replicationFactorMax: number
}

/**
 * Go's `setupPin` (cluster-behaviour.md §3.1): fills default replication factors, validates them
 * and the expiry, and checks a re-pin against the existing pin. Returns the pin to commit (without
 * allocations decided yet). Error texts are Go's: clients show them.
 */
export function setupPin (pin: Pin, existing: Pin | undefined, defaults: ReplicationDefaults, now: Timestamp): Pin {
  const min = pin.replicationFactorMin === 0 ? defaults.replicationFactorMin : pin.replicationFactorMin
  const max = pin.replicationFactorMax === 0 ? defaults.replicationFactorMax : pin.replicationFactorMax
  const everywhere = min === -1 && max === -1
  const out: Pin = { ...pin, replicationFactorMin: min, replicationFactorMax: max, allocations: everywhere ? [] : pin.allocations }

  if (min === 0 || max === 0) fail('cluster.replication_factor_min and max must be set')
  if (min > max) fail('cluster.replication_factor_min is larger than max')
  if (min < -1) fail('cluster.replication_factor_min is wrong')
  if (max < -1) fail('cluster.replication_factor_max is wrong')
  if ((min === -1) !== (max === -1)) fail('cluster.replication_factor_min and max must be -1 when one of them is')
  if (!pin.expireAt.isZero() && pin.expireAt.isBefore(now)) fail('pin.ExpireAt set before current time')

  if (existing !== undefined) {
    if (existing.type !== pin.type) {
      fail(`cannot repin CID with different tracking method, clear state with pin rm to proceed. New: ${pin.type}. Was: ${existing.type}`)
    }
    if (existing.mode === 'recursive' && pin.mode !== 'recursive') {
      fail(`cannot repin a CID which is already pinned in recursive mode (new pin is pinned as ${pin.mode}). Unpin it first.`)
    }
  }
  // Type-shape checks run for every pin (Go only checks CIDs already in the state).
  checkShape(out)
  return out
}

function checkShape (pin: Pin): void {
  switch (pin.type) {
    case 'pin':
      if (pin.reference !== undefined) fail('data pins should not reference other pins')
      return
    case 'shard-pin':
      if (pin.maxDepth !== 1) fail('must pin shards go depth 1')
      return
    case 'clusterdag-pin':
      if (pin.maxDepth !== 0) fail('must pin roots directly')
      if (pin.reference === undefined) fail('clusterDAG pins should reference a Meta pin')
      return
    case 'meta-pin':
      if ((pin.allocations ?? []).length > 0) fail('meta pin should not specify allocations')
      if (pin.reference === undefined) fail('metaPins should reference a ClusterDAG')
      return
    default:
      fail('unrecognized pin type')
  }
}

function fail (message: string): never {
  throw new ClusterRequestError(message)
}

/**
 * PinUpdate's pin (cluster-behaviour.md §3.4): the new CID takes the old pin's allocations,
 * factors, mode and metadata; the name and a future expiry may be replaced.
 */
export function updatedPin (existing: Pin, from: CID, to: CID, options: PinOptions, now: Timestamp): Pin {
  if (existing.type !== 'pin') throw new ClusterRequestError('this pin type cannot be updated')
  return {
    ...existing,
    cid: to,
    pinUpdate: from,
    timestamp: now,
    name: options.name !== '' ? options.name : existing.name,
    expireAt: !options.expireAt.isZero() && options.expireAt.isAfter(now) ? options.expireAt : existing.expireAt
  }
}

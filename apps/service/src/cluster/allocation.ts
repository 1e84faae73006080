import { CID as CIDClass, Timestamp, type AddParams, type Metric, type PeerId, type Pin } from '@cluster/api'
import { allocate } from '@cluster/allocator'
import type { PubsubMonitor } from '@cluster/monitor'
import { setupPin, type ReplicationDefaults } from './pin-setup.ts'

/** The root of an add is unknown while its blocks are allocated (Go uses cid.Undef). */
const NO_CID = CIDClass.parse('bafkqaaa')

/** The balanced allocator over this peer's latest metrics (cluster-behaviour.md §4). */
export function allocateFor (monitor: PubsubMonitor<Metric>, allocateBy: string[], pin: Pin, current: readonly string[], blacklist: string[]): PeerId[] {
  const metrics = new Map(allocateBy.map(name => [name, monitor.latest(name)]))
  return allocate({
    allocateBy,
    metrics,
    replicationFactorMin: pin.replicationFactorMin,
    replicationFactorMax: pin.replicationFactorMax,
    current: [...current],
    blacklist,
    priority: pin.userAllocations ?? []
  }) as PeerId[]
}

/**
 * BlockAllocate (cluster-behaviour.md §4.4): where an add sends its blocks. "Everywhere" means
 * every member with a valid ping; otherwise a normal allocation for the add's pin options.
 */
export function blockAllocation (monitor: PubsubMonitor<Metric>, options: ReplicationDefaults & { allocateBy: string[] }, members: Set<string>, params: AddParams): string[] {
  const draft: Pin = { ...params.pinOptions, cid: NO_CID, type: 'pin', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.ZERO }
  const pin = setupPin(draft, undefined, options, Timestamp.now())
  if (pin.replicationFactorMin < 0) return monitor.latest('ping').map(m => m.peer).filter(p => members.has(p))
  return allocateFor(monitor, options.allocateBy, pin, [], [])
}

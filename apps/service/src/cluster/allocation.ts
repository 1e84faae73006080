import { CID as CIDClass, Timestamp, type AddParams, type Metric, type PeerId, type Pin } from '@cluster/api'
import { NotEnoughPeersError, allocate } from '@cluster/allocator'
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

/** How often a peer that has just started looks again for the metrics it lacks. */
const METRICS_POLL_MS = 200

/**
 * Allocates, giving a peer that has just started until `graceUntil` (ms since the epoch) to
 * hear the other members' metrics: right after a restart it knows only its own, and a pin sent
 * to it then would fail with "not enough peers" although the cluster has them.
 */
export async function allocateOnceHeard (attempt: () => PeerId[], graceUntil: number, signal?: AbortSignal): Promise<PeerId[]> {
  for (;;) {
    try {
      return attempt()
    } catch (err) {
      if (!(err instanceof NotEnoughPeersError) || Date.now() + METRICS_POLL_MS > graceUntil || signal?.aborted === true) throw err
    }
    await new Promise(resolve => setTimeout(resolve, METRICS_POLL_MS))
  }
}

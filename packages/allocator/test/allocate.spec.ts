import { describe, expect, it } from 'vitest'
import {
  allocate, BadReplicationFactorError, InvalidAllocatorConfigError, NotEnoughPeersError,
  type AllocatorMetric
} from '@cluster/allocator'

const allocateBy = ['tag:group', 'freespace']

/** Metrics of live peers as the monitor reports them: one tag and one freespace metric each. */
function live (peers: Record<string, number>): Map<string, AllocatorMetric[]> {
  const tags: AllocatorMetric[] = []
  const free: AllocatorMetric[] = []
  for (const [peer, bytes] of Object.entries(peers)) {
    tags.push({ name: 'tag:group', peer, value: 'default', weight: 0, partitionable: true })
    free.push({ name: 'freespace', peer, value: String(bytes), weight: bytes, partitionable: false })
  }
  return new Map([['tag:group', tags], ['freespace', free]])
}

const five = { P1: 500, P2: 400, P3: 300, P4: 200, P5: 100 }
const withoutP4P5 = { P1: 500, P2: 400, P3: 300 }

describe('allocate (cluster-behaviour.md §4.1)', () => {
  it('rejects 0/0 replication factors', () => {
    expect(() => allocate({ allocateBy, metrics: live(five), replicationFactorMin: 0, replicationFactorMax: 0 }))
      .toThrow(new BadReplicationFactorError(0, 0))
  })

  it('returns no allocations for pin everywhere (-1/-1)', () => {
    expect(allocate({ allocateBy, metrics: live(five), replicationFactorMin: -1, replicationFactorMax: -1 })).toEqual([])
  })

  it('picks the peers with the most free space for a new pin', () => {
    expect(allocate({ allocateBy, metrics: live(five), replicationFactorMin: 2, replicationFactorMax: 3 }))
      .toEqual(['P1', 'P2', 'P3'])
  })

  it('between min and max: rf 1..5 with two of five peers down gets 3 allocations', () => {
    expect(allocate({ allocateBy, metrics: live(withoutP4P5), replicationFactorMin: 1, replicationFactorMax: 5 }))
      .toEqual(['P1', 'P2', 'P3'])
  })

  it('below min: rf 4..5 with two of five peers down fails with Go\'s message', () => {
    const attempt = (): string[] => allocate({ allocateBy, metrics: live(withoutP4P5), replicationFactorMin: 4, replicationFactorMax: 5 })
    expect(attempt).toThrow(NotEnoughPeersError)
    expect(attempt).toThrow('not enough peers to allocate CID. Needed at least: 4. Wanted at most: 5. Available candidates: 3. See logs for more info.')
  })

  it('re-pin while enough valid allocations: the list is kept as is, dead peers included', () => {
    const current = ['P5', 'P4', 'P3', 'P2', 'P1']
    expect(allocate({ allocateBy, metrics: live(withoutP4P5), replicationFactorMin: 1, replicationFactorMax: 5, current }))
      .toEqual(current)
  })

  it('re-pin under min: valid current peers are kept, dead ones replaced', () => {
    const current = ['P4', 'P5', 'P3']
    const result = allocate({ allocateBy, metrics: live({ P1: 500, P2: 400, P3: 300 }), replicationFactorMin: 3, replicationFactorMax: 4, current })
    expect(result).toEqual(['P3', 'P1', 'P2'])
  })

  it('lowering max drops allocations, keeping the existing order', () => {
    const current = ['P3', 'P1', 'P5', 'P2', 'P4']
    expect(allocate({ allocateBy, metrics: live(five), replicationFactorMin: 1, replicationFactorMax: 2, current }))
      .toEqual(['P3', 'P1'])
  })

  it('never chooses a blacklisted peer (the departing peer of a repin)', () => {
    expect(allocate({ allocateBy, metrics: live(five), replicationFactorMin: 2, replicationFactorMax: 2, blacklist: ['P1'] }))
      .toEqual(['P2', 'P3'])
  })

  it('puts user allocations (priority) first, then the best candidates', () => {
    expect(allocate({ allocateBy, metrics: live(five), replicationFactorMin: 3, replicationFactorMax: 3, priority: ['P5', 'P4'] }))
      .toEqual(['P4', 'P5', 'P1'])
  })

  it('ignores peers missing one of the allocate_by metrics', () => {
    const metrics = live(five)
    metrics.set('freespace', (metrics.get('freespace') ?? []).filter(m => m.peer !== 'P1'))
    expect(allocate({ allocateBy, metrics, replicationFactorMin: 1, replicationFactorMax: 1 })).toEqual(['P2'])
  })

  it('applies the trust filter', () => {
    expect(allocate({ allocateBy, metrics: live(five), replicationFactorMin: 1, replicationFactorMax: 1, eligible: p => p === 'P5' }))
      .toEqual(['P5'])
  })

  it('counts only usable peers as available candidates', () => {
    expect(() => allocate({ allocateBy, metrics: live(five), replicationFactorMin: 3, replicationFactorMax: 3, blacklist: ['P1', 'P2', 'P3'] }))
      .toThrow('Needed at least: 3. Wanted at most: 3. Available candidates: 2.')
  })

  it('rejects an empty allocate_by', () => {
    expect(() => allocate({ allocateBy: [], metrics: live(five), replicationFactorMin: 1, replicationFactorMax: 1 }))
      .toThrow(InvalidAllocatorConfigError)
  })
})

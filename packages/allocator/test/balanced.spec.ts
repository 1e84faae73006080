import { describe, expect, it } from 'vitest'
import { balancedOrder, type AllocatorMetric } from '@cluster/allocator'

function metricsOf (rows: AllocatorMetric[]): Map<string, AllocatorMetric[]> {
  const byName = new Map<string, AllocatorMetric[]>()
  for (const m of rows) byName.set(m.name, [...(byName.get(m.name) ?? []), m])
  return byName
}

const part = (name: string, peer: string, value: string, weight = 0): AllocatorMetric =>
  ({ name, peer, value, weight, partitionable: true })
const free = (peer: string, weight: number | bigint): AllocatorMetric =>
  ({ name: 'freespace', peer, value: String(weight), weight, partitionable: false })

describe('balanced allocator (Go unit test, cluster-behaviour.md §4.2)', () => {
  // allocate_by = [region, az, pinqueue, freespace]; peer 8 lacks az and pinqueue.
  const metrics = metricsOf([
    part('region', '1', 'a-us'), part('region', '2', 'a-us'),
    part('region', '3', 'b-eu'), part('region', '4', 'b-eu'), part('region', '5', 'b-eu'),
    part('region', '6', 'c-au'), part('region', '7', 'c-au'), part('region', '8', 'c-au'),
    part('az', '1', 'us1'), part('az', '2', 'us2'),
    part('az', '3', 'eu1'), part('az', '4', 'eu1'), part('az', '5', 'eu2'),
    part('az', '6', 'au1'), part('az', '7', 'au1'),
    part('pinqueue', '1', '100'), part('pinqueue', '2', '200'), part('pinqueue', '3', '100'),
    part('pinqueue', '4', '200'), part('pinqueue', '5', '300'), part('pinqueue', '6', '100'),
    part('pinqueue', '7', '1000', -1),
    free('1', 100), free('2', 500), free('3', 200), free('4', 400), free('5', 10),
    free('6', 50), free('7', 600), free('8', 10000),
    // A metric that is not in allocate_by is ignored.
    part('other', '8', 'x', 1000)
  ])
  const all = new Set(['1', '2', '3', '4', '5', '6', '7', '8'])

  it('walks regions, zones and queues round-robin, heaviest first: 6, 4, 2, 7, 5, 1, 3', () => {
    expect(balancedOrder(['region', 'az', 'pinqueue', 'freespace'], metrics, all))
      .toEqual(['6', '4', '2', '7', '5', '1', '3'])
  })

  it('only orders the peers it is given', () => {
    expect(balancedOrder(['region', 'az', 'pinqueue', 'freespace'], metrics, new Set(['1', '3', '5'])))
      .toEqual(['3', '1', '5'])
  })
})

describe('balanced allocator on freespace alone', () => {
  it('orders by free space, biggest first, bigint weights beyond 2^53 included', () => {
    const metrics = metricsOf([free('a', 10), free('b', 2n ** 60n), free('c', 2n ** 60n + 1n), free('d', 0)])
    expect(balancedOrder(['freespace'], metrics, new Set(['a', 'b', 'c', 'd']))).toEqual(['c', 'b', 'a', 'd'])
  })

  it('breaks weight ties by value string, deterministically', () => {
    const metrics = metricsOf([
      { name: 'numpin', peer: 'x', value: '9', weight: 0, partitionable: false },
      { name: 'numpin', peer: 'y', value: '10', weight: 0, partitionable: false }
    ])
    expect(balancedOrder(['numpin'], metrics, new Set(['x', 'y']))).toEqual(['y', 'x'])
  })

  it('spreads across tag groups before taking a second peer of one group', () => {
    const metrics = metricsOf([
      part('tag:group', 'a1', 'A'), part('tag:group', 'a2', 'A'), part('tag:group', 'a3', 'A'),
      part('tag:group', 'b1', 'B'),
      free('a1', 900), free('a2', 800), free('a3', 700), free('b1', 1)
    ])
    expect(balancedOrder(['tag:group', 'freespace'], metrics, new Set(['a1', 'a2', 'a3', 'b1'])))
      .toEqual(['a1', 'b1', 'a2', 'a3'])
  })
})

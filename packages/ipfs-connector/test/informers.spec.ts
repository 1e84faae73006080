import { describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import {
  DiskInformer, InvalidConfigError, NumpinInformer, TagsInformer, parseDiskInformerConfig, parseTagsInformerConfig,
  tagsInformerConfigToJson, type PinLsEntry, type RepoStat
} from '../src/index.ts'
import { ManualClock } from './helpers/manual-clock.ts'

const NOW_NS = 1_700_000_000_000n * 1_000_000n
const stat = (repoSize: bigint, storageMax: bigint): { repoStat: () => Promise<RepoStat> } =>
  ({ repoStat: async () => ({ repoSize, storageMax, numObjects: 0n }) })

describe('disk informer', () => {
  it('freespace = StorageMax − RepoSize, weight the same, TTL from config', async () => {
    const informer = new DiskInformer(stat(2000n, 100000n), { metricTtlMs: 30_000 }, { clock: new ManualClock() })
    expect(await informer.getMetrics()).toEqual([{
      name: 'freespace', peer: '', value: '98000', expire: NOW_NS + 30_000_000_000n, valid: true, weight: 98000, partitionable: false, receivedAt: 0n
    }])
  })

  it('is exact with StorageMax = 2^64−1 (weight clamped to int64)', async () => {
    const [m] = await new DiskInformer(stat(1n, 18446744073709551615n), {}, { clock: new ManualClock() }).getMetrics()
    expect(m?.value).toBe('18446744073709551614')
    expect(m?.weight).toBe(Number((1n << 63n) - 1n))
  })

  it('a full repo gives an invalid freespace metric of 0', async () => {
    const [m] = await new DiskInformer(stat(100n, 100n)).getMetrics()
    expect(m).toMatchObject({ name: 'freespace', value: '0', valid: false })
  })

  it('reposize: value RepoSize, weight −RepoSize', async () => {
    const [m] = await new DiskInformer(stat(2000n, 100000n), { metricType: 'reposize' }).getMetrics()
    expect(m).toMatchObject({ name: 'reposize', value: '2000', valid: true, weight: -2000 })
  })

  it('a failing repo/stat gives an invalid metric, not an exception', async () => {
    const [m] = await new DiskInformer({ repoStat: async () => { throw new Error('down') } }).getMetrics()
    expect(m).toMatchObject({ name: 'freespace', valid: false })
  })

  it('config: defaults for missing keys (Go quirk fixed), Go messages for bad ones', () => {
    expect(parseDiskInformerConfig({})).toEqual({ metricTtlMs: 30_000, metricType: 'freespace' })
    expect(parseDiskInformerConfig({ metric_ttl: '1m0s', metric_type: 'reposize' })).toEqual({ metricTtlMs: 60_000, metricType: 'reposize' })
    expect(() => parseDiskInformerConfig({ metric_type: 'bogus' })).toThrow('disk.metric_type is invalid')
    expect(() => parseDiskInformerConfig({ metric_ttl: '0s' })).toThrow(InvalidConfigError)
  })
})

describe('tags informer', () => {
  it('one partitionable tag:<name> metric per tag, weight 0', async () => {
    const metrics = await new TagsInformer({ tags: { group: 'eu', rack: '1' } }, { clock: new ManualClock() }).getMetrics()
    expect(metrics.map(m => [m.name, m.value, m.valid, m.partitionable, m.weight])).toEqual([
      ['tag:group', 'eu', true, true, 0], ['tag:rack', '1', true, true, 0]
    ])
  })

  it('with no tags: a single invalid tag:none metric', async () => {
    expect(await new TagsInformer({ tags: {} }).getMetrics()).toMatchObject([{ name: 'tag:none', valid: false }])
  })

  it('config: default {"group":"default"}; a present section without tags means no tags', () => {
    expect(new TagsInformer().config.tags).toEqual({ group: 'default' })
    expect(parseTagsInformerConfig({ metric_ttl: '30s' }).tags).toEqual({})
    const cfg = parseTagsInformerConfig({ metric_ttl: '15s', tags: { group: 'x' } })
    expect(tagsInformerConfigToJson(cfg)).toEqual({ metric_ttl: '15s', tags: { group: 'x' } })
  })
})

describe('numpin informer', () => {
  it('counts recursive and direct pins; weight −count', async () => {
    const cid = CID.parse('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')
    const source = {
      async * pinLs (): AsyncGenerator<PinLsEntry> {
        for (let i = 0; i < 12; i++) yield { cid, cidString: cid.toString(), type: i % 2 === 0 ? 'recursive' : 'direct' }
      }
    }
    const [m] = await new NumpinInformer(source, {}, { clock: new ManualClock() }).getMetrics()
    expect(m).toMatchObject({ name: 'numpin', value: '12', valid: true, weight: -12, expire: NOW_NS + 10_000_000_000n })
  })
})

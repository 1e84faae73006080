/**
 * The `informer.*` sections (config.md §5.10). `disk` and `tags` are @cluster/ipfs-connector's
 * (milliseconds; a missing `metric_ttl` keeps the default); `pinqueue` is defined here. The
 * `numpin` informer is not registered in Go v1.1.6, so its section is ignored.
 */
import {
  defaultDiskInformerConfig, defaultTagsInformerConfig, diskInformerConfigToJson,
  parseDiskInformerConfig, parseTagsInformerConfig, tagsInformerConfigToJson
} from '@cluster/ipfs-connector/config'
import type { DiskInformerConfig, TagsInformerConfig } from '@cluster/ipfs-connector/config'
import { SECOND, formatDuration, goMap } from '@cluster/api'
import type { Duration, JsonObject } from '@cluster/api'
import { adaptPackageError } from '../errors.ts'
import type { EnvField } from '../env.ts'
import type { JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'
import { lenientDuration } from '../values.ts'

export type { DiskInformerConfig, TagsInformerConfig }

export interface PinQueueInformerSection {
  metricTtl: Duration
  /** Queue length is divided by this for the metric weight; 0 = no bucketing. */
  weightBucketSize: number
}

export const diskInformerCodec: SectionCodec<DiskInformerConfig> = {
  key: 'disk',
  envPrefix: 'CLUSTER_DISK',
  known: ['metric_ttl', 'metric_type'],
  envFields: [
    { name: 'METRICTTL', path: 'metric_ttl', kind: 'string' },
    { name: 'METRICTYPE', path: 'metric_type', kind: 'string' }
  ],
  defaults: defaultDiskInformerConfig,
  apply: (_base, r: JsonReader) => adaptPackageError('disk', r.path, () => parseDiskInformerConfig(r.normalized())),
  validate: (c) => {
    if (!(c.metricTtlMs > 0)) return 'disk.metric_ttl is invalid'
    if (c.metricType !== 'freespace' && c.metricType !== 'reposize') return 'disk.metric_type is invalid'
    return undefined
  },
  toJson: (c) => ({ ...diskInformerConfigToJson(c) })
}

export const tagsInformerCodec: SectionCodec<TagsInformerConfig> = {
  key: 'tags',
  envPrefix: 'CLUSTER_TAGS',
  known: ['metric_ttl', 'tags'],
  envFields: [
    { name: 'METRICTTL', path: 'metric_ttl', kind: 'string' },
    { name: 'TAGS', path: 'tags', kind: 'map' }
  ],
  defaults: defaultTagsInformerConfig,
  apply: (_base, r: JsonReader) => adaptPackageError('tags', r.path, () => parseTagsInformerConfig(r.normalized())),
  validate: (c) => (c.metricTtlMs > 0 ? undefined : 'tags.metric_ttl is invalid'),
  toJson: (c) => {
    const json = tagsInformerConfigToJson(c)
    return { metric_ttl: json.metric_ttl, tags: goMap(Object.entries(json.tags)) }
  }
}

export const pinQueueInformerCodec: SectionCodec<PinQueueInformerSection> = {
  key: 'pinqueue',
  envPrefix: 'CLUSTER_PINQUEUE',
  known: ['metric_ttl', 'weight_bucket_size'],
  envFields: [
    { name: 'METRICTTL', path: 'metric_ttl', kind: 'string' },
    { name: 'WEIGHTBUCKETSIZE', path: 'weight_bucket_size', kind: 'int' }
  ] satisfies EnvField[],
  defaults: () => ({ metricTtl: 30n * SECOND, weightBucketSize: 100_000 }),
  apply: (base, r) => {
    const text = r.string('metric_ttl')
    return {
      // Go reads a missing metric_ttl as 0 (then fails); a missing key keeps the default here.
      metricTtl: text === undefined || text === '' ? base.metricTtl : lenientDuration(text),
      // Copied as-is: missing → 0 (no bucketing).
      weightBucketSize: r.int('weight_bucket_size') ?? 0
    }
  },
  validate: (c) => {
    if (c.metricTtl <= 0n) return 'pinqueue.metric_ttl is invalid'
    if (c.weightBucketSize < 0) return 'pinqueue.WeightBucketSize is invalid'
    return undefined
  },
  toJson: (c): JsonObject => ({ metric_ttl: formatDuration(c.metricTtl), weight_bucket_size: c.weightBucketSize })
}

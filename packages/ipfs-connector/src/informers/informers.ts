import { systemClock, type Clock } from '@cluster/api'
import { messageOf } from '../errors.ts'
import { silentLogger, type Logger } from '@cluster/api'
import type { PinLsEntry, PinLsType, RepoStat } from '../types.ts'
import { defaultDiskInformerConfig, defaultNumpinInformerConfig, defaultTagsInformerConfig } from './config.ts'
import type { DiskInformerConfig, NumpinInformerConfig, TagsInformerConfig } from './config.ts'
import { weightOf, makeMetric, type Informer, type Metric } from './metric.ts'

interface Common { clock?: Clock, logger?: Logger }

/** Where the disk informer reads sizes (the connector, or an RPC adapter to it). */
export interface RepoStatSource {
  repoStat: (options?: { signal?: AbortSignal }) => Promise<RepoStat>
}

/** Where the numpin informer lists pins (the connector, or an RPC adapter to it). */
export interface PinLsSource {
  pinLs: (types?: readonly PinLsType[], options?: { signal?: AbortSignal }) => AsyncIterable<PinLsEntry>
}

/**
 * `disk` informer: `freespace` = StorageMax − RepoSize (bigint-exact; invalid when the repo
 * is full), or `reposize` = RepoSize with weight −RepoSize. A failed `repo/stat` gives an
 * invalid metric.
 */
export class DiskInformer implements Informer {
  readonly name = 'disk'
  readonly config: DiskInformerConfig
  private readonly source: RepoStatSource
  private readonly clock: Clock
  private readonly logger: Logger

  constructor (source: RepoStatSource, config: Partial<DiskInformerConfig> = {}, common: Common = {}) {
    this.source = source
    this.config = { ...defaultDiskInformerConfig(), ...config }
    this.clock = common.clock ?? systemClock
    this.logger = common.logger ?? silentLogger
  }

  async getMetrics (options: { signal?: AbortSignal } = {}): Promise<Metric[]> {
    const name = this.config.metricType
    const ttl = this.config.metricTtlMs
    let stat: RepoStat
    try {
      stat = await this.source.repoStat(options)
    } catch (err) {
      this.logger('error', `disk informer: ${messageOf(err)}`)
      return [makeMetric(this.clock, ttl, { name, value: '', valid: false })]
    }
    if (name === 'reposize') {
      return [makeMetric(this.clock, ttl, { name, value: stat.repoSize.toString(), valid: true, weight: weightOf(-stat.repoSize) })]
    }
    if (stat.repoSize >= stat.storageMax) {
      this.logger('warn', 'reported freespace is 0')
      return [makeMetric(this.clock, ttl, { name, value: '0', valid: false })]
    }
    const free = stat.storageMax - stat.repoSize
    return [makeMetric(this.clock, ttl, { name, value: free.toString(), valid: true, weight: weightOf(free) })]
  }
}

/**
 * `numpin` informer: how many pins Kubo lists (recursive + direct, streamed). Weight is
 * −count (Go sets none and ties sort by value string; fixed).
 */
export class NumpinInformer implements Informer {
  readonly name = 'numpin'
  readonly config: NumpinInformerConfig
  private readonly source: PinLsSource
  private readonly clock: Clock
  private readonly logger: Logger

  constructor (source: PinLsSource, config: Partial<NumpinInformerConfig> = {}, common: Common = {}) {
    this.source = source
    this.config = { ...defaultNumpinInformerConfig(), ...config }
    this.clock = common.clock ?? systemClock
    this.logger = common.logger ?? silentLogger
  }

  async getMetrics (options: { signal?: AbortSignal } = {}): Promise<Metric[]> {
    const ttl = this.config.metricTtlMs
    let n = 0
    try {
      for await (const entry of this.source.pinLs(['recursive', 'direct'], options)) {
        if (entry.type !== 'indirect') n++
      }
    } catch (err) {
      this.logger('error', `numpin informer: ${messageOf(err)}`)
      return [makeMetric(this.clock, ttl, { name: 'numpin', value: '', valid: false })]
    }
    return [makeMetric(this.clock, ttl, { name: 'numpin', value: String(n), valid: true, weight: -n })]
  }
}

/**
 * `tags` informer: one partitionable metric `tag:<name>` = value per configured tag, weight 0.
 * With no tags: a single invalid `tag:none` metric (never broadcast).
 */
export class TagsInformer implements Informer {
  readonly name = 'tags'
  readonly config: TagsInformerConfig
  private readonly clock: Clock

  constructor (config: Partial<TagsInformerConfig> = {}, common: Common = {}) {
    this.config = { ...defaultTagsInformerConfig(), ...config }
    this.clock = common.clock ?? systemClock
  }

  async getMetrics (): Promise<Metric[]> {
    const ttl = this.config.metricTtlMs
    const entries = Object.entries(this.config.tags)
    if (entries.length === 0) return [makeMetric(this.clock, ttl, { name: 'tag:none', value: '', valid: false, partitionable: true })]
    return entries.map(([k, v]) => makeMetric(this.clock, ttl, { name: `tag:${k}`, value: v, valid: true, partitionable: true }))
  }
}

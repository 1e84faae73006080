import { formatDurationMs, parseDurationMs } from '@cluster/api'
import { InvalidConfigError, messageOf } from '../errors.ts'

/** `informer.disk`: TTL and `freespace` | `reposize`. */
export interface DiskInformerConfig {
  metricTtlMs: number
  metricType: 'freespace' | 'reposize'
}

/** `informer.tags`: TTL and the tag map. */
export interface TagsInformerConfig {
  metricTtlMs: number
  tags: Record<string, string>
}

/** `informer.numpin` (exists in Go, not registered there by default). */
export interface NumpinInformerConfig {
  metricTtlMs: number
}

export const defaultDiskInformerConfig = (): DiskInformerConfig => ({ metricTtlMs: 30_000, metricType: 'freespace' })
export const defaultTagsInformerConfig = (): TagsInformerConfig => ({ metricTtlMs: 30_000, tags: { group: 'default' } })
export const defaultNumpinInformerConfig = (): NumpinInformerConfig => ({ metricTtlMs: 10_000 })

function objectOf (section: string, json: unknown): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidConfigError(`${section}: configuration section is not a JSON object`)
  return json as Record<string, unknown>
}

/** Missing/`""` → default (Go quirk fixed for disk/numpin: Go leaves 0 and fails); must be > 0. */
function ttlOf (section: string, obj: Record<string, unknown>, fallback: number): number {
  const raw = obj.metric_ttl
  if (raw === undefined || raw === null || raw === '') return fallback
  let ms: number
  try {
    if (typeof raw !== 'string') throw new Error('not a duration string')
    ms = parseDurationMs(raw)
  } catch (err) {
    throw new InvalidConfigError(`error parsing ${section}.metric_ttl: ${messageOf(err)}`, { cause: err })
  }
  if (!(ms > 0)) throw new InvalidConfigError(`${section}.metric_ttl is invalid`)
  return ms
}

export function parseDiskInformerConfig (json: unknown): DiskInformerConfig {
  const obj = objectOf('disk', json)
  const cfg = defaultDiskInformerConfig()
  cfg.metricTtlMs = ttlOf('disk', obj, cfg.metricTtlMs)
  const type = obj.metric_type
  if (type !== undefined && type !== null && type !== '') {
    if (type !== 'freespace' && type !== 'reposize') throw new InvalidConfigError('disk.metric_type is invalid')
    cfg.metricType = type
  }
  return cfg
}

/** Tags are copied as-is: a missing `tags` key means no tags. */
export function parseTagsInformerConfig (json: unknown): TagsInformerConfig {
  const obj = objectOf('tags', json)
  const cfg = defaultTagsInformerConfig()
  cfg.metricTtlMs = ttlOf('tags', obj, cfg.metricTtlMs)
  const tags: Record<string, string> = {}
  if (obj.tags !== undefined && obj.tags !== null) {
    const raw = objectOf('tags.tags', obj.tags)
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== 'string') throw new InvalidConfigError(`error parsing tags.tags: value of ${JSON.stringify(k)} is not a string`)
      tags[k] = v
    }
  }
  cfg.tags = tags
  return cfg
}

export function parseNumpinInformerConfig (json: unknown): NumpinInformerConfig {
  const obj = objectOf('numpin', json)
  return { metricTtlMs: ttlOf('numpin', obj, defaultNumpinInformerConfig().metricTtlMs) }
}

export const diskInformerConfigToJson = (c: DiskInformerConfig): { metric_ttl: string, metric_type: string } =>
  ({ metric_ttl: formatDurationMs(c.metricTtlMs), metric_type: c.metricType })
export const tagsInformerConfigToJson = (c: TagsInformerConfig): { metric_ttl: string, tags: Record<string, string> } =>
  ({ metric_ttl: formatDurationMs(c.metricTtlMs), tags: { ...c.tags } })
export const numpinInformerConfigToJson = (c: NumpinInformerConfig): { metric_ttl: string } =>
  ({ metric_ttl: formatDurationMs(c.metricTtlMs) })

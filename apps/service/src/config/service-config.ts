/**
 * `service.json` as a whole (config.md §3): the typed ServiceConfig, the loading rules
 * (unknown keys → warnings, defaults for absent components, "present in the file" switches,
 * environment overrides, validation in Go's order and words) and the writing rules (Go's key
 * order, 2-space indentation, no trailing newline).
 */
import { parseJson } from '@cluster/api'
import type { JsonObject } from '@cluster/api'
import { ConfigParseError, ConfigSourceError, ConfigValidationError, ConsensusChoiceError, messageOf } from './errors.ts'
import { overlayEnv } from './env.ts'
import type { Env } from './env.ts'
import { JsonReader } from './json-reader.ts'
import type { ConfigWarning } from './json-reader.ts'
import { formatGoJson } from './json-writer.ts'
import type { SectionCodec } from './section.ts'
import { LEGACY_ALLOCATE_BY, balancedCodec } from './sections/balanced.ts'
import type { BalancedSection } from './sections/balanced.ts'
import { baseClusterSection, clusterCodec } from './sections/cluster.ts'
import type { ClusterSection } from './sections/cluster.ts'
import { pinSvcApiCodec, restApiCodec } from './sections/http-api.ts'
import type { HttpApiSection } from './sections/http-api.ts'
import { diskInformerCodec, pinQueueInformerCodec, tagsInformerCodec } from './sections/informers.ts'
import type { DiskInformerConfig, PinQueueInformerSection, TagsInformerConfig } from './sections/informers.ts'
import { ipfsHttpCodec } from './sections/ipfshttp.ts'
import type { IpfsHttpConfig } from './sections/ipfshttp.ts'
import { ipfsProxyCodec } from './sections/ipfsproxy.ts'
import type { IpfsProxySection } from './sections/ipfsproxy.ts'
import { metricsCodec, tracingCodec } from './sections/observations.ts'
import type { MetricsSection, TracingSection } from './sections/observations.ts'
import { pubsubmonCodec } from './sections/pubsubmon.ts'
import type { PubsubmonSection } from './sections/pubsubmon.ts'
import { crdtCodec } from './sections/crdt.ts'
import type { CrdtSection } from './sections/crdt.ts'
import { raftCodec } from './sections/raft.ts'
import type { RaftSection } from './sections/raft.ts'
import { statelessCodec } from './sections/stateless.ts'
import type { StatelessSection } from './sections/stateless.ts'

/** Components whose presence in the file is recorded (config.md §3.3). */
export type ComponentKey =
  | 'raft' | 'crdt' | 'restapi' | 'pinsvcapi' | 'ipfsproxy' | 'ipfshttp' | 'stateless' | 'pubsubmon'
  | 'balanced' | 'disk' | 'pinqueue' | 'tags' | 'metrics' | 'tracing'

export interface ServiceConfig {
  cluster: ClusterSection
  consensus: { crdt: CrdtSection, raft: RaftSection }
  api: { ipfsproxy: IpfsProxySection, pinsvcapi: HttpApiSection, restapi: HttpApiSection }
  ipfsConnector: { ipfshttp: IpfsHttpConfig }
  pinTracker: { stateless: StatelessSection }
  monitor: { pubsubmon: PubsubmonSection }
  allocator: { balanced: BalancedSection }
  informer: { disk: DiskInformerConfig, pinqueue: PinQueueInformerSection, tags: TagsInformerConfig }
  observations: { metrics: MetricsSection, tracing: TracingSection }
  /**
   * Components whose section is present in the file. The daemon runs an API or an informer only
   * when present; the consensus in use is the one present (see `consensusOf`).
   */
  present: Set<ComponentKey>
}

/** A loaded configuration and what was noticed while reading it. */
export interface LoadedServiceConfig {
  config: ServiceConfig
  warnings: ConfigWarning[]
}

/** Top-level sections, in the order Go writes them. */
type SectionKey = 'consensus' | 'api' | 'ipfs_connector' | 'pin_tracker' | 'monitor' | 'allocator' | 'informer' | 'observations'

interface Slot<T> {
  section: SectionKey
  codec: SectionCodec<T>
  get: (c: ServiceConfig) => T
  set: (c: ServiceConfig, value: T) => void
}

function slot<T> (section: SectionKey, codec: SectionCodec<T>, get: (c: ServiceConfig) => T, set: (c: ServiceConfig, v: T) => void): Slot<unknown> {
  return { section, codec, get, set } as unknown as Slot<unknown>
}

/** Every component, grouped by section and in Go's (alphabetical) order inside a section. */
const SLOTS: ReadonlyArray<Slot<unknown>> = [
  slot('consensus', crdtCodec, (c) => c.consensus.crdt, (c, v) => { c.consensus.crdt = v }),
  slot('consensus', raftCodec, (c) => c.consensus.raft, (c, v) => { c.consensus.raft = v }),
  slot('api', ipfsProxyCodec, (c) => c.api.ipfsproxy, (c, v) => { c.api.ipfsproxy = v }),
  slot('api', pinSvcApiCodec, (c) => c.api.pinsvcapi, (c, v) => { c.api.pinsvcapi = v }),
  slot('api', restApiCodec, (c) => c.api.restapi, (c, v) => { c.api.restapi = v }),
  slot('ipfs_connector', ipfsHttpCodec, (c) => c.ipfsConnector.ipfshttp, (c, v) => { c.ipfsConnector.ipfshttp = v }),
  slot('pin_tracker', statelessCodec, (c) => c.pinTracker.stateless, (c, v) => { c.pinTracker.stateless = v }),
  slot('monitor', pubsubmonCodec, (c) => c.monitor.pubsubmon, (c, v) => { c.monitor.pubsubmon = v }),
  slot('allocator', balancedCodec, (c) => c.allocator.balanced, (c, v) => { c.allocator.balanced = v }),
  slot('informer', diskInformerCodec, (c) => c.informer.disk, (c, v) => { c.informer.disk = v }),
  slot('informer', pinQueueInformerCodec, (c) => c.informer.pinqueue, (c, v) => { c.informer.pinqueue = v }),
  slot('informer', tagsInformerCodec, (c) => c.informer.tags, (c, v) => { c.informer.tags = v }),
  slot('observations', metricsCodec, (c) => c.observations.metrics, (c, v) => { c.observations.metrics = v }),
  slot('observations', tracingCodec, (c) => c.observations.tracing, (c, v) => { c.observations.tracing = v })
]

const SECTION_ORDER: readonly SectionKey[] = ['consensus', 'api', 'ipfs_connector', 'pin_tracker', 'monitor', 'allocator', 'informer', 'observations']

/** Keys each section may hold. */
const SECTION_KNOWN: Record<SectionKey, readonly string[]> = {
  consensus: ['raft', 'crdt'],
  api: ['ipfsproxy', 'pinsvcapi', 'restapi'],
  ipfs_connector: ['ipfshttp'],
  pin_tracker: ['stateless'],
  monitor: ['pubsubmon'],
  allocator: ['balanced'],
  informer: ['disk', 'pinqueue', 'tags'],
  observations: ['metrics', 'tracing']
}

const TOP_KNOWN = ['source', 'cluster', ...SECTION_ORDER, 'state', 'datastore'] as const

function emptyConfig (cluster: ClusterSection): ServiceConfig {
  const c = { cluster, consensus: {}, api: {}, ipfsConnector: {}, pinTracker: {}, monitor: {}, allocator: {}, informer: {}, observations: {}, present: new Set() } as unknown as ServiceConfig
  for (const s of SLOTS) s.set(c, s.codec.defaults())
  return c
}

export interface DefaultServiceConfigOptions {
  /** Default: the machine's hostname. */
  peername?: string
  /** 64 hex characters or '' (default: a new random secret). */
  secret?: string
  /** The consensus section written (default crdt, as Go's `init`). */
  consensus?: 'crdt' | 'raft'
}

/** What `init` writes (before `--randomports`, env and `--peers`). */
export function defaultServiceConfig (opts: DefaultServiceConfigOptions = {}): ServiceConfig {
  const cluster = clusterCodec.defaults()
  if (opts.peername !== undefined) cluster.peername = opts.peername
  if (opts.secret !== undefined) cluster.secret = opts.secret
  const c = emptyConfig(cluster)
  const other = (opts.consensus ?? 'crdt') === 'crdt' ? 'raft' : 'crdt'
  c.present = new Set(SLOTS.map((s) => s.codec.key as ComponentKey).filter((k) => k !== other))
  return c
}

export interface ParseServiceConfigOptions {
  /** Environment overrides to apply (config.md §6); none when omitted. */
  env?: Env
  /** Peer name used when the file gives none (default: the hostname). */
  hostname?: string
  /** The text was fetched from a `source` URL: a `source` in it is refused. */
  sourced?: boolean
}

function parseText (text: string): unknown {
  try {
    return parseJson(text)
  } catch (err) {
    const detail = messageOf(err).replace(/^invalid JSON: /, '')
    throw new ConfigParseError('', `error parsing JSON: ${detail}`, { cause: err })
  }
}

/**
 * Parses the text of a `service.json` (config.md §3.2): every known component is read over its
 * defaults (absent ones take the defaults and are left out of `present`), then the environment
 * is applied, then everything is validated, cluster section first. A `source` URL throws
 * ConfigSourceError (the caller fetches it and parses the body with `sourced: true`).
 */
export function parseServiceConfig (text: string, opts: ParseServiceConfigOptions = {}): LoadedServiceConfig {
  const json = parseText(text)
  const warnings: ConfigWarning[] = []
  const root = new JsonReader('', json, TOP_KNOWN, warnings)
  const source = root.string('source')
  if (source !== undefined && source !== '') {
    if (opts.sourced === true) throw new ConfigSourceError(source, 'a sourced configuration cannot point to another source')
    throw new ConfigSourceError(source, `the configuration must be fetched from its source: ${source}`)
  }
  const base = baseClusterSection(opts.hostname)
  const clusterReader = root.object('cluster', clusterCodec.known) ?? new JsonReader('cluster', {}, clusterCodec.known, warnings)
  const config = emptyConfig(clusterCodec.apply(base, clusterReader, warnings))

  const sections = new Map<SectionKey, JsonReader | undefined>()
  for (const key of SECTION_ORDER) sections.set(key, root.object(key, SECTION_KNOWN[key]))
  for (const s of SLOTS) {
    const section = sections.get(s.section)
    const key = s.codec.key
    if (section === undefined || !section.has(key)) continue
    const r = new JsonReader(key, section.raw(key), s.codec.known, warnings, `${s.section}.${key}`)
    s.set(config, s.codec.apply(s.codec.defaults(), r, warnings))
    config.present.add(key as ComponentKey)
  }
  if (!config.present.has('balanced')) config.allocator.balanced = { allocateBy: [...LEGACY_ALLOCATE_BY] }

  if (opts.env !== undefined) applyEnvInPlace(config, opts.env, warnings)
  validateServiceConfig(config)
  return { config, warnings: dedupe(warnings) }
}

function dedupe (warnings: ConfigWarning[]): ConfigWarning[] {
  const seen = new Set<string>()
  return warnings.filter((w) => {
    const id = `${w.key}\n${w.message}`
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

function applyCodecEnv<T> (codec: SectionCodec<T>, current: T, env: Env, warnings: ConfigWarning[]): T {
  const json = overlayEnv(codec.envPrefix, codec.envFields, codec.toJson(current), env)
  if (json === undefined) return current
  return codec.apply(current, new JsonReader(codec.key, json, [...codec.known], []), warnings)
}

function applyEnvInPlace (config: ServiceConfig, env: Env, warnings: ConfigWarning[]): void {
  config.cluster = applyCodecEnv(clusterCodec, config.cluster, env, warnings)
  for (const s of SLOTS) s.set(config, applyCodecEnv(s.codec, s.get(config), env, warnings))
}

/**
 * Applies the environment variables (config.md §6) to every component and validates the
 * result. Returns a new configuration; the warnings it produced are pushed to `warnings`.
 */
export function applyServiceConfigEnv (config: ServiceConfig, env: Env, warnings: ConfigWarning[] = []): ServiceConfig {
  const copy = cloneServiceConfig(config)
  applyEnvInPlace(copy, env, warnings)
  validateServiceConfig(copy)
  return copy
}

/** A copy whose components can be changed without touching the original. */
export function cloneServiceConfig (config: ServiceConfig): ServiceConfig {
  return { ...structuredClone({ ...config, present: [...config.present] }), present: new Set(config.present) }
}

/** Validates the cluster section, then every component; throws ConfigValidationError. */
export function validateServiceConfig (config: ServiceConfig): void {
  const reason = clusterCodec.validate(config.cluster)
  if (reason !== undefined) throw new ConfigValidationError('cluster', reason)
  for (const s of SLOTS) {
    const r = s.codec.validate(s.get(config))
    if (r !== undefined) throw new ConfigValidationError(s.codec.key, r)
  }
}

/** The JSON form of the whole file, sections and keys in Go's order. */
export function serviceConfigToJson (config: ServiceConfig): JsonObject {
  const out: JsonObject = { cluster: clusterCodec.toJson(config.cluster) }
  // Only the consensus in use is written, as Go does.
  const consensus = config.present.has('crdt') && !config.present.has('raft') ? 'crdt' : 'raft'
  for (const section of SECTION_ORDER) {
    const obj: JsonObject = {}
    for (const s of SLOTS) {
      if (s.section !== section || (section === 'consensus' && s.codec.key !== consensus)) continue
      obj[s.codec.key] = s.codec.toJson(s.get(config))
    }
    out[section] = obj
  }
  return out
}

/** The text of `service.json`: validated, 2-space indentation, no trailing newline. */
export function formatServiceConfig (config: ServiceConfig): string {
  validateServiceConfig(config)
  return formatGoJson(serviceConfigToJson(config))
}

/** The text `init <url>` writes: `{"source": "<url>"}`, indented. */
export function formatSourceConfig (url: string): string {
  return formatGoJson({ source: url })
}

const HIDDEN = 'XXX_hidden_XXX'

/** The configuration for debug output: secret, private keys and credentials hidden. */
export function formatServiceConfigForDisplay (config: ServiceConfig): string {
  const json = serviceConfigToJson(config)
  ;(json.cluster as JsonObject).secret = HIDDEN
  const api = json.api as Record<string, JsonObject>
  for (const key of ['restapi', 'pinsvcapi']) {
    const section = api[key]
    if (section === undefined) continue
    section.basic_auth_credentials = HIDDEN
    section.private_key = HIDDEN
  }
  return formatGoJson(json)
}

/**
 * The consensus component to run: the one whose section is present. Both or neither →
 * `could not determine the consensus component` (Go's text).
 */
export function consensusOf (config: ServiceConfig): 'raft' | 'crdt' {
  const raft = config.present.has('raft')
  const crdt = config.present.has('crdt')
  if (raft === crdt) throw new ConsensusChoiceError('could not determine the consensus component')
  return crdt ? 'crdt' : 'raft'
}

/** The informers whose section is present; the daemon refuses to start with none. */
export function enabledInformers (config: ServiceConfig): Array<'disk' | 'pinqueue' | 'tags'> {
  return (['disk', 'pinqueue', 'tags'] as const).filter((k) => config.present.has(k))
}

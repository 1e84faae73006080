import { formatDurationMs, parseDurationMs } from '@cluster/api'
import { InvalidConfigError, messageOf } from './errors.ts'
import { targetOf } from './target.ts'

/**
 * The `ipfs_connector.ipfshttp` configuration section (config.md §5.6), with durations in
 * milliseconds. A request timeout of 0 means "no deadline" (Go would time out at once).
 */
export interface IpfsHttpConfig {
  /** Kubo RPC address. Default `/ip4/127.0.0.1/tcp/5001`. */
  nodeMultiaddress: string
  /** Delay after IPFS is ready before ConnectSwarms; 0 disables. Default 30 s. */
  connectSwarmsDelayMs: number
  /** Deadline of ordinary requests; 0 = none. Default 5 min. */
  ipfsRequestTimeoutMs: number
  /** No-progress window of `pin/add` (not a deadline); must be > 0. Default 2 min. */
  pinTimeoutMs: number
  /** Deadline of `pin/rm`; 0 = none. Default 3 h. */
  unpinTimeoutMs: number
  /** Deadline of `repo/gc`; 0 = none. Default 24 h. */
  repoGcTimeoutMs: number
  /** Broadcast informer metrics every N pin/block-put events; 0 disables. */
  informerTriggerInterval: number
  /** Refuse every unpin. */
  unpinDisable: boolean
}

/** JSON form, as written in `service.json`. */
export interface IpfsHttpConfigJson {
  node_multiaddress: string
  connect_swarms_delay: string
  ipfs_request_timeout: string
  pin_timeout: string
  unpin_timeout: string
  repogc_timeout: string
  informer_trigger_interval: number
  unpin_disable?: boolean
}

const DURATION_KEYS = [
  ['connect_swarms_delay', 'connectSwarmsDelayMs'],
  ['ipfs_request_timeout', 'ipfsRequestTimeoutMs'],
  ['pin_timeout', 'pinTimeoutMs'],
  ['unpin_timeout', 'unpinTimeoutMs'],
  ['repogc_timeout', 'repoGcTimeoutMs']
] as const

export function defaultIpfsHttpConfig (): IpfsHttpConfig {
  return {
    nodeMultiaddress: '/ip4/127.0.0.1/tcp/5001',
    connectSwarmsDelayMs: 30_000,
    ipfsRequestTimeoutMs: 5 * 60_000,
    pinTimeoutMs: 2 * 60_000,
    unpinTimeoutMs: 3 * 3600_000,
    repoGcTimeoutMs: 24 * 3600_000,
    informerTriggerInterval: 0,
    unpinDisable: false
  }
}

/**
 * Load a present `ipfshttp` section: start from the defaults, overlay the keys present
 * (unknown keys are ignored), then validate. Durations are parsed strictly: missing or `""`
 * keeps the default, `"0s"` really sets zero. For an absent section use
 * {@link defaultIpfsHttpConfig}.
 */
export function parseIpfsHttpConfig (json: unknown): IpfsHttpConfig {
  const cfg = readIpfsHttpJson(json)
  validateIpfsHttpConfig(cfg)
  return cfg
}

/**
 * Reads the section over the defaults without validating it (Go's `applyJSONConfig`), so
 * `CLUSTER_IPFSHTTP_*` variables can still repair a value before validation.
 */
export function readIpfsHttpJson (json: unknown): IpfsHttpConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidConfigError('ipfshttp: configuration section is not a JSON object')
  }
  const obj = json as Record<string, unknown>
  const cfg = defaultIpfsHttpConfig()
  const addr = obj.node_multiaddress
  if (typeof addr !== 'string' || addr === '') {
    throw new InvalidConfigError(`error parsing ipfs_node_multiaddress: missing or empty value ${JSON.stringify(addr ?? null)}`)
  }
  targetOf(addr)
  cfg.nodeMultiaddress = addr
  for (const [key, field] of DURATION_KEYS) {
    const value = obj[key]
    if (value === undefined || value === null || value === '') continue
    if (typeof value !== 'string') throw new InvalidConfigError(`error parsing ipfshttp.${key}: not a duration string`)
    try {
      cfg[field] = parseDurationMs(value)
    } catch (err) {
      throw new InvalidConfigError(`error parsing ipfshttp.${key}: ${messageOf(err)}`, { cause: err })
    }
  }
  const trigger = obj.informer_trigger_interval
  if (trigger !== undefined && trigger !== null) {
    if (typeof trigger !== 'number' || !Number.isInteger(trigger)) {
      throw new InvalidConfigError('error parsing ipfshttp.informer_trigger_interval: not an integer')
    }
    cfg.informerTriggerInterval = trigger
  }
  cfg.unpinDisable = obj.unpin_disable === true
  return cfg
}

/** Go's validation (all durations ≥ 0) plus ours: `pin_timeout` must be > 0 (Go crashes on 0). */
export function validateIpfsHttpConfig (cfg: IpfsHttpConfig): void {
  targetOf(cfg.nodeMultiaddress)
  for (const [key, field] of DURATION_KEYS) {
    if (!Number.isFinite(cfg[field]) || cfg[field] < 0) throw new InvalidConfigError(`ipfshttp.${key} invalid`)
  }
  if (cfg.pinTimeoutMs === 0) throw new InvalidConfigError('ipfshttp.pin_timeout invalid')
  if (!Number.isInteger(cfg.informerTriggerInterval) || cfg.informerTriggerInterval < 0) {
    throw new InvalidConfigError('ipfshttp.informer_trigger_interval invalid')
  }
}

/** JSON form in Go's key order; `unpin_disable` omitted when false. */
export function ipfsHttpConfigToJson (cfg: IpfsHttpConfig): IpfsHttpConfigJson {
  const json: IpfsHttpConfigJson = {
    node_multiaddress: cfg.nodeMultiaddress,
    connect_swarms_delay: formatDurationMs(cfg.connectSwarmsDelayMs),
    ipfs_request_timeout: formatDurationMs(cfg.ipfsRequestTimeoutMs),
    pin_timeout: formatDurationMs(cfg.pinTimeoutMs),
    unpin_timeout: formatDurationMs(cfg.unpinTimeoutMs),
    repogc_timeout: formatDurationMs(cfg.repoGcTimeoutMs),
    informer_trigger_interval: cfg.informerTriggerInterval
  }
  if (cfg.unpinDisable) json.unpin_disable = true
  return json
}

/** Environment suffixes (Go envconfig: the field name upper-cased) → JSON key and value kind. */
export const IPFSHTTP_ENV_FIELDS: ReadonlyArray<readonly [string, keyof IpfsHttpConfigJson, 'string' | 'int' | 'bool']> = [
  ['NODEMULTIADDRESS', 'node_multiaddress', 'string'],
  ['CONNECTSWARMSDELAY', 'connect_swarms_delay', 'string'],
  ['IPFSREQUESTTIMEOUT', 'ipfs_request_timeout', 'string'],
  ['PINTIMEOUT', 'pin_timeout', 'string'],
  ['UNPINTIMEOUT', 'unpin_timeout', 'string'],
  ['REPOGCTIMEOUT', 'repogc_timeout', 'string'],
  ['INFORMERTRIGGERINTERVAL', 'informer_trigger_interval', 'int'],
  ['UNPINDISABLE', 'unpin_disable', 'bool']
]

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/**
 * Apply `CLUSTER_IPFSHTTP_*` variables (config.md §6): the config goes to its JSON form, the
 * variables overwrite the matching keys, and the result is parsed and validated again.
 */
export function applyIpfsHttpEnv (cfg: IpfsHttpConfig, env: Record<string, string | undefined>): IpfsHttpConfig {
  const json: Record<string, unknown> = { ...ipfsHttpConfigToJson(cfg) }
  let changed = false
  for (const [suffix, key] of IPFSHTTP_ENV_FIELDS) {
    const value = env[`CLUSTER_IPFSHTTP_${suffix}`]
    if (value === undefined) continue
    changed = true
    if (key === 'unpin_disable') {
      if (TRUE.has(value)) json[key] = true
      else if (FALSE.has(value)) json[key] = false
      else throw new InvalidConfigError(`error parsing CLUSTER_IPFSHTTP_${suffix}: invalid boolean ${JSON.stringify(value)}`)
    } else if (key === 'informer_trigger_interval') {
      if (value === '') continue
      const n = Number(value)
      if (!/^-?\d+$/.test(value)) throw new InvalidConfigError(`error parsing CLUSTER_IPFSHTTP_${suffix}: invalid integer ${JSON.stringify(value)}`)
      json[key] = n
    } else if (key === 'node_multiaddress' && value === '') {
      continue
    } else {
      json[key] = value
    }
  }
  return changed ? parseIpfsHttpConfig(json) : cfg
}

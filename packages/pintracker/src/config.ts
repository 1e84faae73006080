/**
 * `pin_tracker.stateless` configuration (config.md §5.7, cluster-behaviour.md §7.9): defaults,
 * JSON overlay with Go's rules, `CLUSTER_STATELESS_*` environment variables, validation.
 */
import { formatDuration, HOUR, parseDuration } from '@cluster/api'
import type { Duration } from '@cluster/api'
import { InvalidTrackerConfigError, errorText } from './errors.ts'

export interface StatelessConfig {
  /** Capacity of each operation queue (priority-pin, pin, unpin). */
  maxPinQueueSize: number
  /** Parallel pin workers (unpins always use one); also how many remote unpins run at once. */
  concurrentPins: number
  /** Pins younger than this go to the priority queue (nanoseconds). */
  priorityPinMaxAge: Duration
  /** Pins retried more often than this leave the priority queue. */
  priorityPinMaxRetries: number
  /**
   * Not in Go: once an operation has failed after `1 + maxRetries` attempts, RecoverAll (and so
   * the periodic recover loop) stops re-queuing it; a manual Recover(cid) still does.
   * 0 = unlimited (Go's behaviour).
   */
  maxRetries: number
}

/** Key of this section inside `pin_tracker` (and the component name in error texts). */
export const STATELESS_CONFIG_KEY = 'stateless'
export const STATELESS_ENV_PREFIX = 'CLUSTER_STATELESS_'

export const DEFAULT_MAX_PIN_QUEUE_SIZE = 1_000_000
export const DEFAULT_CONCURRENT_PINS = 10
export const DEFAULT_PRIORITY_PIN_MAX_AGE: Duration = 24n * HOUR
export const DEFAULT_PRIORITY_PIN_MAX_RETRIES = 5
export const DEFAULT_MAX_RETRIES = 0

export function defaultStatelessConfig (): StatelessConfig {
  return {
    maxPinQueueSize: DEFAULT_MAX_PIN_QUEUE_SIZE,
    concurrentPins: DEFAULT_CONCURRENT_PINS,
    priorityPinMaxAge: DEFAULT_PRIORITY_PIN_MAX_AGE,
    priorityPinMaxRetries: DEFAULT_PRIORITY_PIN_MAX_RETRIES,
    maxRetries: DEFAULT_MAX_RETRIES
  }
}

/** Go's `Validate()`: every value must be > 0 (max_retries ≥ 0). Throws InvalidTrackerConfigError. */
export function validateStatelessConfig (cfg: StatelessConfig): void {
  if (!(cfg.maxPinQueueSize > 0)) throw new InvalidTrackerConfigError('statelesstracker.max_pin_queue_size too low')
  if (!(cfg.concurrentPins > 0)) throw new InvalidTrackerConfigError('statelesstracker.concurrent_pins is too low')
  if (!(cfg.priorityPinMaxAge > 0n)) throw new InvalidTrackerConfigError('statelesstracker.priority_pin_max_age is too low')
  if (!(cfg.priorityPinMaxRetries > 0)) throw new InvalidTrackerConfigError('statelesstracker.priority_pin_max_retries is too low')
  if (!(cfg.maxRetries >= 0)) throw new InvalidTrackerConfigError('statelesstracker.max_retries is too low')
}

type JsonKey = 'max_pin_queue_size' | 'concurrent_pins' | 'priority_pin_max_age' | 'priority_pin_max_retries' | 'max_retries'

const INT_KEYS = [
  ['max_pin_queue_size', 'maxPinQueueSize'],
  ['concurrent_pins', 'concurrentPins'],
  ['priority_pin_max_retries', 'priorityPinMaxRetries'],
  ['max_retries', 'maxRetries']
] as const

function readInt (value: unknown, key: JsonKey): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    const what = typeof value === 'number' ? 'number ' + String(value) : typeof value === 'string' ? 'string' : Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : 'object'
    throw new InvalidTrackerConfigError(`json: cannot unmarshal ${what} into Go struct field jsonConfig.${key} of type int`)
  }
  return value
}

function readDuration (value: unknown, key: JsonKey, current: Duration): Duration {
  if (value === undefined || value === null || value === '') return current
  if (typeof value !== 'string') {
    throw new InvalidTrackerConfigError(`json: cannot unmarshal ${typeof value} into Go struct field jsonConfig.${key} of type string`)
  }
  try {
    return parseDuration(value)
  } catch (err) {
    throw new InvalidTrackerConfigError(`error parsing ${STATELESS_CONFIG_KEY}.${key}: ${errorText(err)}`, { cause: err })
  }
}

/**
 * Overlays a `pin_tracker.stateless` JSON object on `base` (default: the defaults) with Go's
 * rules: integers equal to 0 keep the default; durations missing or `""` keep it, `"0s"` really
 * sets zero (caught by validation); unknown keys are ignored. Does not validate.
 */
export function overlayStatelessJson (json: unknown, base: StatelessConfig = defaultStatelessConfig()): StatelessConfig {
  const cfg = { ...base }
  if (json === undefined || json === null) return cfg
  if (typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidTrackerConfigError('json: cannot unmarshal into Go value of type stateless.jsonConfig')
  }
  const obj = json as Record<string, unknown>
  for (const [key, field] of INT_KEYS) {
    if (!Object.hasOwn(obj, key) || obj[key] === null) continue
    const v = readInt(obj[key], key)
    if (v !== 0) cfg[field] = v
  }
  cfg.priorityPinMaxAge = readDuration(obj.priority_pin_max_age, 'priority_pin_max_age', cfg.priorityPinMaxAge)
  return cfg
}

/** Environment suffixes (Go envconfig: the field name upper-cased) → JSON key and value kind. */
export const STATELESS_ENV_FIELDS: ReadonlyArray<readonly [string, JsonKey, 'int' | 'string']> = [
  ['MAXPINQUEUESIZE', 'max_pin_queue_size', 'int'],
  ['CONCURRENTPINS', 'concurrent_pins', 'int'],
  ['PRIORITYPINMAXAGE', 'priority_pin_max_age', 'string'],
  ['PRIORITYPINMAXRETRIES', 'priority_pin_max_retries', 'int'],
  ['MAXRETRIES', 'max_retries', 'int']
]

/**
 * Applies `CLUSTER_STATELESS_MAXPINQUEUESIZE`, `…_CONCURRENTPINS`, `…_PRIORITYPINMAXAGE`,
 * `…_PRIORITYPINMAXRETRIES` (and `…_MAXRETRIES`) with the same rules as the JSON keys.
 */
export function applyStatelessEnv (cfg: StatelessConfig, env: Record<string, string | undefined> = process.env): StatelessConfig {
  const json: Record<string, unknown> = {}
  for (const [suffix, key] of STATELESS_ENV_FIELDS) {
    const raw = env[STATELESS_ENV_PREFIX + suffix]
    if (raw === undefined) continue
    if (key === 'priority_pin_max_age') {
      json[key] = raw
      continue
    }
    const n = Number(raw.trim())
    if (raw.trim() === '' || !Number.isSafeInteger(n)) {
      throw new InvalidTrackerConfigError(`envconfig.Process: assigning ${STATELESS_ENV_PREFIX}${suffix} to ${key}: converting '${raw}' to type int. details: strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`)
    }
    json[key] = n
  }
  return overlayStatelessJson(json, cfg)
}

/** JSON overlay, then environment, then validation: what the daemon does at start-up. */
export function loadStatelessConfig (json: unknown, env: Record<string, string | undefined> = {}): StatelessConfig {
  const cfg = applyStatelessEnv(overlayStatelessJson(json), env)
  validateStatelessConfig(cfg)
  return cfg
}

/** The section as Go writes it: `max_pin_queue_size` only when not default (`max_retries` only when set). */
export function statelessConfigToJson (cfg: StatelessConfig): Record<string, number | string> {
  const out: Record<string, number | string> = {}
  if (cfg.maxPinQueueSize !== DEFAULT_MAX_PIN_QUEUE_SIZE) out.max_pin_queue_size = cfg.maxPinQueueSize
  out.concurrent_pins = cfg.concurrentPins
  out.priority_pin_max_age = formatDuration(cfg.priorityPinMaxAge)
  out.priority_pin_max_retries = cfg.priorityPinMaxRetries
  if (cfg.maxRetries !== DEFAULT_MAX_RETRIES) out.max_retries = cfg.maxRetries
  return out
}

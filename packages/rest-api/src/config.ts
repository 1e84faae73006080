/**
 * The `api.restapi` configuration section (rest-api.md §8, config.md §5.3): Go's keys, defaults,
 * load rules ("copied as-is" keys, strict durations, `max_header_bytes` 0 → 4096), validation
 * messages, and `CLUSTER_RESTAPI_*` environment overrides. The `api.pinsvcapi` section (§11) has
 * the same keys; only its default listen address (9097) and env prefix differ.
 */
import { formatDuration, parseDuration, SECOND, MINUTE } from '@cluster/api'
import type { Duration } from '@cluster/api'
import { RestApiConfigError } from './errors.ts'

export const DEFAULT_HTTP_LISTEN_MULTIADDRESS = '/ip4/127.0.0.1/tcp/9094'
/** Default listen address of the `pinsvcapi` section. */
export const DEFAULT_PINSVCAPI_LISTEN_MULTIADDRESS = '/ip4/127.0.0.1/tcp/9097'
/** Section name of the Pinning Service API's configuration. */
export const PINSVCAPI_CONFIG_KEY = 'pinsvcapi'
export const DEFAULT_MAX_HEADER_BYTES = 4096
/** Go's http.Server accepts this much more than MaxHeaderBytes before answering 431. */
export const HEADER_BYTES_SLACK = 4096
export const DEFAULT_CORS_EXPOSED_HEADERS = ['Content-Type', 'X-Stream-Output', 'X-Chunked-Output', 'X-Content-Length']
/** TS extension (not a Go key): bodies the API reads (`POST /peers`) are cut at this size (413). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export interface RestApiConfig {
  /** Section name used in messages (`restapi`). */
  configKey: string
  /** Folder relative paths (TLS files, log file) are resolved against. */
  configDir: string
  /** Listen multiaddrs: `/ip4|ip6|dns*\/<host>/tcp/<port>` or `/unix/<path>`. */
  httpListenMultiaddress: string[]
  /** TLS certificate and key files ('' = plain HTTP). */
  sslCertFile: string
  sslKeyFile: string
  /** Whole request, body included; 0 = none. Go durations (nanoseconds, bigint). */
  readTimeout: Duration
  readHeaderTimeout: Duration
  /** From the end of the request headers to the end of the response; 0 = none. */
  writeTimeout: Duration
  idleTimeout: Duration
  maxHeaderBytes: number
  /** Kept for round trips; the libp2p-served API (§9) is not implemented. */
  libp2pListenMultiaddress: string[]
  id: string
  privateKey: string
  /** user → password; null disables authentication. */
  basicAuthCredentials: Record<string, string> | null
  /** Access log file ('' = the `log` callback of the server). */
  httpLogFile: string
  /** Added to every API response. */
  headers: Record<string, string[]>
  corsAllowedOrigins: string[]
  corsAllowedMethods: string[]
  corsAllowedHeaders: string[]
  corsExposedHeaders: string[]
  corsAllowCredentials: boolean
  corsMaxAge: Duration
  /** TS extension: size limit of request bodies the API reads. */
  maxBodyBytes: number
  /** TS extension: serve the web dashboard (@cluster/dashboard) at `/ui` (REST API only). */
  dashboard: boolean
}

/** The section as `init` writes it (`configKey` `pinsvcapi` listens on 9097 instead of 9094). */
export function defaultRestApiConfig (configKey = 'restapi'): RestApiConfig {
  return {
    configKey,
    configDir: '.',
    httpListenMultiaddress: [configKey === PINSVCAPI_CONFIG_KEY ? DEFAULT_PINSVCAPI_LISTEN_MULTIADDRESS : DEFAULT_HTTP_LISTEN_MULTIADDRESS],
    sslCertFile: '',
    sslKeyFile: '',
    readTimeout: 0n,
    readHeaderTimeout: 5n * SECOND,
    writeTimeout: 0n,
    idleTimeout: 2n * MINUTE,
    maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
    libp2pListenMultiaddress: [],
    id: '',
    privateKey: '',
    basicAuthCredentials: null,
    httpLogFile: '',
    headers: {},
    corsAllowedOrigins: ['*'],
    corsAllowedMethods: ['GET'],
    corsAllowedHeaders: [],
    corsExposedHeaders: [...DEFAULT_CORS_EXPOSED_HEADERS],
    corsAllowCredentials: true,
    corsMaxAge: 0n,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    dashboard: false
  }
}

/** Defaults (of `partial.configKey`'s section) overlaid with `partial`, then validated. */
export function resolveRestApiConfig (partial: Partial<RestApiConfig> = {}): RestApiConfig {
  const cfg = { ...defaultRestApiConfig(partial.configKey), ...partial }
  validateRestApiConfig(cfg)
  return cfg
}

/** The `pinsvcapi` section as `init` writes it (listens on `/ip4/127.0.0.1/tcp/9097`). */
export function defaultPinSvcApiConfig (): RestApiConfig {
  return defaultRestApiConfig(PINSVCAPI_CONFIG_KEY)
}

/** `pinsvcapi` defaults overlaid with `partial`, then validated. */
export function resolvePinSvcApiConfig (partial: Partial<RestApiConfig> = {}): RestApiConfig {
  return resolveRestApiConfig({ configKey: PINSVCAPI_CONFIG_KEY, ...partial })
}

/** Reads a `pinsvcapi` JSON section (`CLUSTER_PINSVCAPI_*` overrides when `env` is given). */
export function pinSvcApiConfigFromJson (section: unknown, opts: Omit<LoadOptions, 'configKey'> = {}): RestApiConfig {
  return restApiConfigFromJson(section, { ...opts, configKey: PINSVCAPI_CONFIG_KEY })
}

/** Go's Config.Validate; throws RestApiConfigError with Go's message. */
export function validateRestApiConfig (cfg: RestApiConfig): void {
  const k = cfg.configKey
  const fail = (m: string): never => { throw new RestApiConfigError(`${k}.${m}`) }
  if (cfg.readTimeout < 0n) fail('read_timeout is invalid')
  if (cfg.readHeaderTimeout < 0n) fail('read_header_timeout is invalid')
  if (cfg.writeTimeout < 0n) fail('write_timeout is invalid')
  if (cfg.idleTimeout < 0n) fail('idle_timeout invalid')
  if (!Number.isInteger(cfg.maxHeaderBytes) || cfg.maxHeaderBytes < DEFAULT_MAX_HEADER_BYTES) fail('max_header_bytes is invalid')
  if (cfg.basicAuthCredentials !== null && Object.keys(cfg.basicAuthCredentials).length === 0) {
    fail('basic_auth_creds should be null or have at least one entry')
  }
  if ((cfg.sslCertFile === '') !== (cfg.sslKeyFile === '')) fail('tls not configured')
  if (cfg.corsMaxAge < 0n) fail('cors_max_age is invalid')
  const libp2p = [cfg.libp2pListenMultiaddress.length > 0, cfg.id !== '', cfg.privateKey !== '']
  if (libp2p.some(Boolean) && !libp2p.every(Boolean)) {
    fail('libp2p_listen_multiaddress, id and private_key must be set together')
  }
  if (cfg.httpListenMultiaddress.length === 0 && cfg.libp2pListenMultiaddress.length === 0) {
    throw new RestApiConfigError('neither the libp2p nor the HTTP endpoints are enabled')
  }
  if (!Number.isInteger(cfg.maxBodyBytes) || cfg.maxBodyBytes < 0) fail('max_body_bytes is invalid')
}

type Json = Record<string, unknown>

function asObject (v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RestApiConfigError(`${what} must be a JSON object`)
  return v as Json
}

function str (j: Json, key: string, k: string): string {
  const v = j[key]
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') throw new RestApiConfigError(`error parsing ${k}.${key}: expected a string`)
  return v
}

/** A string or an array of strings (Go's "string or list" multiaddr keys). */
function strOrList (j: Json, key: string, k: string): string[] {
  const v = j[key]
  if (v === undefined || v === null || v === '') return []
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  throw new RestApiConfigError(`error parsing ${k}.${key}: expected a string or an array of strings`)
}

function list (j: Json, key: string, k: string): string[] {
  const v = j[key]
  if (v === undefined || v === null) return []
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...v as string[]]
  throw new RestApiConfigError(`error parsing ${k}.${key}: expected an array of strings`)
}

function duration (j: Json, key: string, k: string, fallback: Duration): Duration {
  const v = j[key]
  if (v === undefined || v === null || v === '') return fallback
  if (typeof v !== 'string') throw new RestApiConfigError(`error parsing ${k}.${key}: expected a duration string`)
  try {
    return parseDuration(v)
  } catch (err) {
    throw new RestApiConfigError(`error parsing ${k}.${key}: ${(err as Error).message}`, { cause: err })
  }
}

function stringMap (v: unknown, what: string): Record<string, string> {
  const obj = asObject(v, what)
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value !== 'string') throw new RestApiConfigError(`${what}: values must be strings`)
    out[key] = value
  }
  return out
}

function headersMap (v: unknown, what: string): Record<string, string[]> {
  if (v === undefined || v === null) return {}
  const obj = asObject(v, what)
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>
  for (const [key, value] of Object.entries(obj)) {
    if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) {
      throw new RestApiConfigError(`${what}: values must be arrays of strings`)
    }
    out[key] = [...value as string[]]
  }
  return out
}

export interface LoadOptions {
  /** Folder of the configuration file (relative paths are resolved against it). */
  configDir?: string
  /** Environment for `CLUSTER_RESTAPI_*` overrides (default: none applied). */
  env?: Record<string, string | undefined>
  /** Section name (`restapi`); also selects the env prefix `CLUSTER_<KEY>_`. */
  configKey?: string
}

/**
 * Reads the JSON section the way Go's LoadJSON does (then env overrides, then validation).
 * Missing duration keys keep their default; the CORS keys, `headers`, `basic_auth_credentials`
 * and `http_log_file` are copied as-is (missing = empty/null).
 */
export function restApiConfigFromJson (section: unknown, opts: LoadOptions = {}): RestApiConfig {
  const k = opts.configKey ?? 'restapi'
  let j = asObject(section, `${k} section`)
  if (opts.env !== undefined) j = applyEnv(j, opts.env, `CLUSTER_${k.toUpperCase()}_`)
  const d = defaultRestApiConfig(k)
  const listen = strOrList(j, 'http_listen_multiaddress', k)
  const maxHeader = j.max_header_bytes ?? 0
  if (typeof maxHeader !== 'number' || !Number.isInteger(maxHeader)) {
    throw new RestApiConfigError(`error parsing ${k}.max_header_bytes: expected an integer`)
  }
  const creds = j.basic_auth_credentials
  const cfg: RestApiConfig = {
    configKey: k,
    configDir: opts.configDir ?? '.',
    httpListenMultiaddress: listen.length > 0 ? listen : d.httpListenMultiaddress,
    sslCertFile: str(j, 'ssl_cert_file', k),
    sslKeyFile: str(j, 'ssl_key_file', k),
    readTimeout: duration(j, 'read_timeout', k, d.readTimeout),
    readHeaderTimeout: duration(j, 'read_header_timeout', k, d.readHeaderTimeout),
    writeTimeout: duration(j, 'write_timeout', k, d.writeTimeout),
    idleTimeout: duration(j, 'idle_timeout', k, d.idleTimeout),
    maxHeaderBytes: maxHeader === 0 ? DEFAULT_MAX_HEADER_BYTES : maxHeader,
    libp2pListenMultiaddress: strOrList(j, 'libp2p_listen_multiaddress', k),
    id: str(j, 'id', k),
    privateKey: str(j, 'private_key', k),
    basicAuthCredentials: creds === undefined || creds === null ? null : stringMap(creds, `${k}.basic_auth_credentials`),
    httpLogFile: str(j, 'http_log_file', k),
    headers: headersMap(j.headers, `${k}.headers`),
    corsAllowedOrigins: list(j, 'cors_allowed_origins', k),
    corsAllowedMethods: list(j, 'cors_allowed_methods', k),
    corsAllowedHeaders: list(j, 'cors_allowed_headers', k),
    corsExposedHeaders: list(j, 'cors_exposed_headers', k),
    corsAllowCredentials: j.cors_allow_credentials === true,
    corsMaxAge: duration(j, 'cors_max_age', k, 0n),
    maxBodyBytes: typeof j.max_body_bytes === 'number' ? j.max_body_bytes : d.maxBodyBytes,
    dashboard: k === 'restapi' && j.dashboard === true
  }
  validateRestApiConfig(cfg)
  return cfg
}

/** The section as Go writes it (listen address as a plain string when there is one). */
export function restApiConfigToJson (cfg: RestApiConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    http_listen_multiaddress: cfg.httpListenMultiaddress.length === 1 ? cfg.httpListenMultiaddress[0] : cfg.httpListenMultiaddress
  }
  if (cfg.sslCertFile !== '') out.ssl_cert_file = cfg.sslCertFile
  if (cfg.sslKeyFile !== '') out.ssl_key_file = cfg.sslKeyFile
  Object.assign(out, {
    read_timeout: formatDuration(cfg.readTimeout),
    read_header_timeout: formatDuration(cfg.readHeaderTimeout),
    write_timeout: formatDuration(cfg.writeTimeout),
    idle_timeout: formatDuration(cfg.idleTimeout),
    max_header_bytes: cfg.maxHeaderBytes
  })
  if (cfg.libp2pListenMultiaddress.length > 0) {
    out.libp2p_listen_multiaddress = cfg.libp2pListenMultiaddress.length === 1 ? cfg.libp2pListenMultiaddress[0] : cfg.libp2pListenMultiaddress
  }
  if (cfg.id !== '') out.id = cfg.id
  if (cfg.privateKey !== '') out.private_key = cfg.privateKey
  Object.assign(out, {
    basic_auth_credentials: cfg.basicAuthCredentials,
    http_log_file: cfg.httpLogFile,
    headers: cfg.headers,
    cors_allowed_origins: cfg.corsAllowedOrigins,
    cors_allowed_methods: cfg.corsAllowedMethods,
    cors_allowed_headers: cfg.corsAllowedHeaders,
    cors_exposed_headers: cfg.corsExposedHeaders,
    cors_allow_credentials: cfg.corsAllowCredentials,
    cors_max_age: formatDuration(cfg.corsMaxAge)
  })
  return out
}

type EnvKind = 'string' | 'list' | 'map' | 'int' | 'bool' | 'headers'

// Env variable suffix (Go field name upper-cased) → JSON key and value kind.
const ENV_FIELDS: Array<[string, string, EnvKind]> = [
  ['HTTPLISTENMULTIADDRESS', 'http_listen_multiaddress', 'list'],
  ['SSLCERTFILE', 'ssl_cert_file', 'string'],
  ['SSLKEYFILE', 'ssl_key_file', 'string'],
  ['READTIMEOUT', 'read_timeout', 'string'],
  ['READHEADERTIMEOUT', 'read_header_timeout', 'string'],
  ['WRITETIMEOUT', 'write_timeout', 'string'],
  ['IDLETIMEOUT', 'idle_timeout', 'string'],
  ['MAXHEADERBYTES', 'max_header_bytes', 'int'],
  ['LIBP2PLISTENMULTIADDRESS', 'libp2p_listen_multiaddress', 'list'],
  ['ID', 'id', 'string'],
  ['PRIVATEKEY', 'private_key', 'string'],
  ['BASICAUTHCREDENTIALS', 'basic_auth_credentials', 'map'],
  ['HTTPLOGFILE', 'http_log_file', 'string'],
  ['HEADERS', 'headers', 'headers'],
  ['CORSALLOWEDORIGINS', 'cors_allowed_origins', 'list'],
  ['CORSALLOWEDMETHODS', 'cors_allowed_methods', 'list'],
  ['CORSALLOWEDHEADERS', 'cors_allowed_headers', 'list'],
  ['CORSEXPOSEDHEADERS', 'cors_exposed_headers', 'list'],
  ['CORSALLOWCREDENTIALS', 'cors_allow_credentials', 'bool'],
  ['CORSMAXAGE', 'cors_max_age', 'string']
]

const GO_BOOLS: Record<string, boolean> = {
  1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false
}

function envMap (name: string, value: string): Array<[string, string]> {
  if (value === '') return []
  return value.split(',').map((item) => {
    const parts = item.split(':')
    if (parts.length !== 2) throw new RestApiConfigError(`${name}: invalid map item: "${item}"`)
    return [parts[0]!, parts[1]!]
  })
}

/** Overwrites JSON fields with `CLUSTER_RESTAPI_<FIELD>` values (Go envconfig syntax). */
function applyEnv (j: Json, env: Record<string, string | undefined>, prefix: string): Json {
  const out: Json = { ...j }
  for (const [suffix, key, kind] of ENV_FIELDS) {
    const name = prefix + suffix
    const value = env[name]
    if (value === undefined) continue
    switch (kind) {
      case 'string': out[key] = value; break
      case 'list': out[key] = value === '' ? [] : value.split(','); break
      case 'int': {
        if (!/^[+-]?\d+$/.test(value)) throw new RestApiConfigError(`${name}: invalid integer "${value}"`)
        out[key] = Number(value)
        break
      }
      case 'bool': {
        const b = GO_BOOLS[value]
        if (b === undefined) throw new RestApiConfigError(`${name}: invalid boolean "${value}"`)
        out[key] = b
        break
      }
      case 'map': out[key] = Object.fromEntries(envMap(name, value)); break
      case 'headers': out[key] = Object.fromEntries(envMap(name, value).map(([h, v]) => [h, [v]])); break
    }
  }
  return out
}

/**
 * The JSON form of the `api.restapi` / `api.pinsvcapi` sections with Go's load rules (LoadJSON of
 * `api/common/config.go`): multiaddresses in canonical form, strict durations, `max_header_bytes`
 * 0 → 4096, the CORS keys, `headers`, `basic_auth_credentials` and `http_log_file` copied as-is
 * (missing = empty/null), a missing `cors_max_age` read as 0; and the `CLUSTER_<KEY>_*`
 * environment overrides for programs that load the section themselves.
 */
import { formatDuration, goMap, parseDuration, parseMultiaddr, parsePeerId } from '@cluster/api'
import type { Duration } from '@cluster/api'
import { DEFAULT_MAX_HEADER_BYTES, PINSVCAPI_CONFIG_KEY, defaultRestApiConfig, validateRestApiConfig, type RestApiConfig } from './config.ts'
import { RestApiConfigError } from './errors.ts'

type Json = Record<string, unknown>

export interface LoadOptions {
  /** Folder of the configuration file (relative paths are resolved against it). */
  configDir?: string
  /** Environment for `CLUSTER_RESTAPI_*` overrides (default: none applied). */
  env?: Record<string, string | undefined>
  /** Section name (`restapi`); also selects the env prefix `CLUSTER_<KEY>_`. */
  configKey?: string
}

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

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

/** Go's `config.Strings` of multiaddresses: a string or a list, each in canonical form. */
function multiaddrs (j: Json, key: string, k: string): string[] {
  const v = j[key]
  if (v === undefined || v === null || v === '') return []
  if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string' || x === null))) {
    throw new RestApiConfigError(`error parsing ${k}.${key}: expected a string or an array of strings`)
  }
  const texts = typeof v === 'string' ? [v] : (v as Array<string | null>).map((x) => x ?? '')
  return texts.map((text) => {
    try {
      return parseMultiaddr(text)
    } catch (err) {
      throw new RestApiConfigError(`error parsing ${k}.${key}: ${messageOf(err)}`, { cause: err })
    }
  })
}

function list (j: Json, key: string, k: string): string[] {
  const v = j[key]
  if (v === undefined || v === null) return []
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || x === null)) return (v as Array<string | null>).map((x) => x ?? '')
  throw new RestApiConfigError(`error parsing ${k}.${key}: expected an array of strings`)
}

function duration (j: Json, key: string, k: string, fallback: Duration): Duration {
  const v = j[key]
  if (v === undefined || v === null || v === '') return fallback
  if (typeof v !== 'string') throw new RestApiConfigError(`error parsing ${k}.${key}: expected a duration string`)
  try {
    return parseDuration(v)
  } catch (err) {
    throw new RestApiConfigError(`error parsing ${k}.${key}: ${messageOf(err)}`, { cause: err })
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

function peerIdOf (j: Json, k: string): string {
  const id = str(j, 'id', k)
  if (id === '') return ''
  try {
    return parsePeerId(id)
  } catch (err) {
    throw new RestApiConfigError(`error parsing ${k}.ID: ${messageOf(err)}`, { cause: err })
  }
}

/**
 * Reads the JSON section the way Go's LoadJSON does, then the environment overrides when `env`
 * is given, then validates. Throws RestApiConfigError (`error parsing <key>: …` for values that
 * do not read, Go's validation texts otherwise).
 */
export function restApiConfigFromJson (section: unknown, opts: LoadOptions = {}): RestApiConfig {
  const cfg = readRestApiJson(section, opts)
  validateRestApiConfig(cfg)
  return cfg
}

/** {@link restApiConfigFromJson} without the validation (a loader that validates last). */
export function readRestApiJson (section: unknown, opts: LoadOptions = {}): RestApiConfig {
  const k = opts.configKey ?? 'restapi'
  let j = asObject(section, `${k} section`)
  if (opts.env !== undefined) j = applyEnv(j, opts.env, `CLUSTER_${k.toUpperCase()}_`)
  const d = defaultRestApiConfig(k)
  const listen = multiaddrs(j, 'http_listen_multiaddress', k)
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
    libp2pListenMultiaddress: multiaddrs(j, 'libp2p_listen_multiaddress', k),
    id: peerIdOf(j, k),
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
  return cfg
}

/** Reads a `pinsvcapi` JSON section (`CLUSTER_PINSVCAPI_*` overrides when `env` is given). */
export function pinSvcApiConfigFromJson (section: unknown, opts: Omit<LoadOptions, 'configKey'> = {}): RestApiConfig {
  return restApiConfigFromJson(section, { ...opts, configKey: PINSVCAPI_CONFIG_KEY })
}

/**
 * The section as Go writes it: one listen address as a plain string, the TLS files, libp2p keys
 * and `dashboard` (not a Go key) only when set, maps with sorted keys.
 */
export function restApiConfigToJson (cfg: RestApiConfig): Record<string, unknown> {
  const strings = (l: readonly string[]): string | string[] => l.length === 1 ? l[0] as string : [...l]
  const out: Record<string, unknown> = { http_listen_multiaddress: strings(cfg.httpListenMultiaddress) }
  if (cfg.sslCertFile !== '') out.ssl_cert_file = cfg.sslCertFile
  if (cfg.sslKeyFile !== '') out.ssl_key_file = cfg.sslKeyFile
  out.read_timeout = formatDuration(cfg.readTimeout)
  out.read_header_timeout = formatDuration(cfg.readHeaderTimeout)
  out.write_timeout = formatDuration(cfg.writeTimeout)
  out.idle_timeout = formatDuration(cfg.idleTimeout)
  out.max_header_bytes = cfg.maxHeaderBytes
  if (cfg.libp2pListenMultiaddress.length > 0) out.libp2p_listen_multiaddress = strings(cfg.libp2pListenMultiaddress)
  if (cfg.id !== '') out.id = cfg.id
  if (cfg.privateKey !== '') out.private_key = cfg.privateKey
  out.basic_auth_credentials = cfg.basicAuthCredentials === null ? null : goMap(Object.entries(cfg.basicAuthCredentials))
  out.http_log_file = cfg.httpLogFile
  out.headers = goMap(Object.entries(cfg.headers).map(([h, v]) => [h, [...v]]))
  out.cors_allowed_origins = [...cfg.corsAllowedOrigins]
  out.cors_allowed_methods = [...cfg.corsAllowedMethods]
  out.cors_allowed_headers = [...cfg.corsAllowedHeaders]
  out.cors_exposed_headers = [...cfg.corsExposedHeaders]
  out.cors_allow_credentials = cfg.corsAllowCredentials
  out.cors_max_age = formatDuration(cfg.corsMaxAge)
  if (cfg.dashboard) out.dashboard = true
  return out
}

type EnvKind = 'string' | 'list' | 'map' | 'int' | 'bool' | 'headers'

/** Environment suffixes (Go field names upper-cased) → JSON key and value kind. */
export const REST_API_ENV_FIELDS: ReadonlyArray<readonly [string, string, EnvKind]> = [
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
  ['CORSMAXAGE', 'cors_max_age', 'string'],
  ['DASHBOARD', 'dashboard', 'bool']
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
  for (const [suffix, key, kind] of REST_API_ENV_FIELDS) {
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

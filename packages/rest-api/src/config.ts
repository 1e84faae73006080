/**
 * The `api.restapi` configuration section (rest-api.md §8, config.md §5.3): the type, Go's
 * defaults and validation messages; its JSON form and `CLUSTER_RESTAPI_*` environment overrides
 * are in config-json.ts. The `api.pinsvcapi` section (§11) has the same keys; only its default
 * listen address (9097) and env prefix differ. The one model of both sections: the service's
 * configuration loader uses it.
 */
import { SECOND, MINUTE } from '@cluster/api'
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

/**
 * Go's Config.Validate, first problem first, with Go's texts; throws RestApiConfigError. Whether
 * `private_key` decodes and matches `id` is left to the caller that has the key codec (the
 * service checks it when it loads `service.json`).
 */
export function validateRestApiConfig (cfg: RestApiConfig): void {
  const k = cfg.configKey
  const fail = (m: string): never => { throw new RestApiConfigError(m) }
  if (cfg.readTimeout < 0n) fail(`${k}.read_timeout is invalid`)
  if (cfg.readHeaderTimeout < 0n) fail(`${k}.read_header_timeout is invalid`)
  if (cfg.writeTimeout < 0n) fail(`${k}.write_timeout is invalid`)
  if (cfg.idleTimeout < 0n) fail(`${k}.idle_timeout invalid`)
  if (!Number.isInteger(cfg.maxHeaderBytes) || cfg.maxHeaderBytes < DEFAULT_MAX_HEADER_BYTES) fail(`${k}.max_header_bytes must be not less then ${DEFAULT_MAX_HEADER_BYTES}`)
  if (cfg.basicAuthCredentials !== null && Object.keys(cfg.basicAuthCredentials).length === 0) {
    fail(`${k}.basic_auth_creds should be null or have at least one entry`)
  }
  if ((cfg.sslCertFile === '') !== (cfg.sslKeyFile === '')) fail(`${k}: missing TLS configuration`)
  if (cfg.corsMaxAge < 0n) fail(`${k}.cors_max_age is invalid`)
  const libp2p = [cfg.libp2pListenMultiaddress.length > 0, cfg.id !== '', cfg.privateKey !== '']
  if (libp2p.some(Boolean) && !libp2p.every(Boolean)) fail('all ID, private_key and libp2p_listen_multiaddress should be set')
  if (cfg.httpListenMultiaddress.length === 0 && cfg.libp2pListenMultiaddress.length === 0) {
    fail('neither the libp2p nor the HTTP endpoints are enabled')
  }
  if (!Number.isInteger(cfg.maxBodyBytes) || cfg.maxBodyBytes < 0) fail(`${k}.max_body_bytes is invalid`)
}


/**
 * The `api.ipfsproxy` configuration section (proxy.md §5, config.md §5.5): Go's keys, defaults,
 * load rules, validation (with Go's texts) and `CLUSTER_IPFSPROXY_*` environment overrides. The
 * one model of the section: the service's configuration loader uses it as it is. Durations are
 * kept in milliseconds and written back as Go duration strings; multiaddresses in canonical form.
 */
import { formatDurationMs, parseDurationMs, parseMultiaddr } from '@cluster/api'
import { targetOf } from '@cluster/ipfs-connector/config'
import { ProxyConfigError, messageOf } from './errors.ts'
import { parseListenMultiaddr } from './listen.ts'

export const DEFAULT_LISTEN_MULTIADDRESS = '/ip4/127.0.0.1/tcp/9095'
export const DEFAULT_NODE_MULTIADDRESS = '/ip4/127.0.0.1/tcp/5001'
export const DEFAULT_EXTRACT_HEADERS_PATH = '/api/v0/version'
export const DEFAULT_EXTRACT_HEADERS_TTL_MS = 5 * 60_000
export const MIN_MAX_HEADER_BYTES = 4096

export interface ProxyConfig {
  /** Listen multiaddrs (`/ip4|ip6|dns*\/<host>/tcp/<port>` or `/unix/<path>`). */
  listenMultiaddress: string[]
  /** Kubo's RPC API (`/ip4|ip6|dns*\/<host>/tcp/<port>`; `/unix/` is rejected, proxy.md §4). */
  nodeMultiaddress: string
  /** Talk HTTPS to Kubo (experimental in Go). */
  nodeHttps: boolean
  /** Access log file ('' = the logger); relative paths are under `configDir`. */
  logFile: string
  /** Folder relative paths are resolved against. */
  configDir: string
  /** Whole request, body included; 0 = none. */
  readTimeoutMs: number
  readHeaderTimeoutMs: number
  /** From the end of the request headers to the end of the response; 0 = none. */
  writeTimeoutMs: number
  /** Keep-alive idle time; 0 = none. */
  idleTimeoutMs: number
  maxHeaderBytes: number
  /** Extra Kubo response headers copied onto intercepted responses. */
  extractHeadersExtra: string[]
  /** Kubo path used to learn those headers. */
  extractHeadersPath: string
  /** How long learnt headers are reused; 0 = forever. */
  extractHeadersTtlMs: number
}

export function defaultProxyConfig (): ProxyConfig {
  return {
    listenMultiaddress: [DEFAULT_LISTEN_MULTIADDRESS],
    nodeMultiaddress: DEFAULT_NODE_MULTIADDRESS,
    nodeHttps: false,
    logFile: '',
    configDir: '.',
    readTimeoutMs: 0,
    readHeaderTimeoutMs: 5_000,
    writeTimeoutMs: 0,
    idleTimeoutMs: 60_000,
    maxHeaderBytes: MIN_MAX_HEADER_BYTES,
    extractHeadersExtra: [],
    extractHeadersPath: DEFAULT_EXTRACT_HEADERS_PATH,
    extractHeadersTtlMs: DEFAULT_EXTRACT_HEADERS_TTL_MS
  }
}

/** The section as JSON (Go's key names; optional keys omitted at their defaults, like Go). */
export interface ProxyConfigJson {
  listen_multiaddress?: string | string[]
  node_multiaddress?: string
  node_https?: boolean
  log_file?: string
  read_timeout?: string
  read_header_timeout?: string
  write_timeout?: string
  idle_timeout?: string
  max_header_bytes?: number
  extract_headers_extra?: string[]
  extract_headers_path?: string
  extract_headers_ttl?: string
}

function fail (message: string, cause?: unknown): never {
  throw new ProxyConfigError(message, cause === undefined ? undefined : { cause })
}

function durationOf (key: string, raw: unknown, fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback
  if (typeof raw !== 'string') fail(`ipfsproxy.${key} must be a duration string`)
  try {
    return parseDurationMs(raw)
  } catch (err) {
    fail(`error parsing ipfsproxy.${key}: ${messageOf(err)}`, err)
  }
}

function stringOf (key: string, raw: unknown, fallback: string): string {
  if (raw === undefined || raw === null || raw === '') return fallback
  if (typeof raw !== 'string') fail(`ipfsproxy.${key} must be a string`)
  return raw
}

function stringsOf (key: string, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw === 'string') return raw === '' ? [] : [raw]
  if (!Array.isArray(raw) || !raw.every(v => typeof v === 'string')) fail(`ipfsproxy.${key} must be a string or an array of strings`)
  return raw as string[]
}

/**
 * Loads the section (missing keys → defaults; empty addresses → defaults; `max_header_bytes`
 * 0 → 4096) and validates it. Throws ProxyConfigError.
 */
export function parseProxyConfig (json: unknown, configDir = '.'): ProxyConfig {
  const cfg = readProxyJson(json, configDir)
  validateProxyConfig(cfg)
  return cfg
}

/** {@link parseProxyConfig} without the validation (a loader that validates last). */
export function readProxyJson (json: unknown, configDir = '.'): ProxyConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('ipfsproxy: configuration section is not a JSON object')
  const obj = json as Record<string, unknown>
  const cfg = defaultProxyConfig()
  cfg.configDir = configDir
  const listen = (stringsOf('listen_multiaddress', obj.listen_multiaddress) ?? []).filter(a => a !== '')
  if (listen.length > 0) cfg.listenMultiaddress = listen.map(a => canonical('proxy listen_multiaddress', a))
  const node = stringOf('node_multiaddress', obj.node_multiaddress, '')
  if (node !== '') cfg.nodeMultiaddress = canonical('ipfs node_multiaddress', node)
  if (obj.node_https !== undefined && obj.node_https !== null) {
    if (typeof obj.node_https !== 'boolean') fail('ipfsproxy.node_https must be a boolean')
    cfg.nodeHttps = obj.node_https
  }
  cfg.logFile = stringOf('log_file', obj.log_file, '')
  cfg.readTimeoutMs = durationOf('read_timeout', obj.read_timeout, cfg.readTimeoutMs)
  cfg.readHeaderTimeoutMs = durationOf('read_header_timeout', obj.read_header_timeout, cfg.readHeaderTimeoutMs)
  cfg.writeTimeoutMs = durationOf('write_timeout', obj.write_timeout, cfg.writeTimeoutMs)
  cfg.idleTimeoutMs = durationOf('idle_timeout', obj.idle_timeout, cfg.idleTimeoutMs)
  if (obj.max_header_bytes !== undefined && obj.max_header_bytes !== null) {
    if (typeof obj.max_header_bytes !== 'number' || !Number.isInteger(obj.max_header_bytes)) fail('ipfsproxy.max_header_bytes must be an integer')
    cfg.maxHeaderBytes = obj.max_header_bytes === 0 ? MIN_MAX_HEADER_BYTES : obj.max_header_bytes
  }
  cfg.extractHeadersExtra = stringsOf('extract_headers_extra', obj.extract_headers_extra) ?? []
  cfg.extractHeadersPath = stringOf('extract_headers_path', obj.extract_headers_path, cfg.extractHeadersPath)
  cfg.extractHeadersTtlMs = durationOf('extract_headers_ttl', obj.extract_headers_ttl, cfg.extractHeadersTtlMs)
  return cfg
}

/** A multiaddress in canonical form, or Go's `error parsing <label>: …`. */
function canonical (label: string, text: string): string {
  try {
    return parseMultiaddr(text)
  } catch (err) {
    fail(`error parsing ${label}: ${messageOf(err)}`, err)
  }
}

/** Go's Validate(): addresses parse, durations ≥ 0, header limit ≥ 4096, a header path. */
export function validateProxyConfig (cfg: ProxyConfig): void {
  if (cfg.listenMultiaddress.length === 0) fail('ipfsproxy.listen_multiaddress not set')
  for (const addr of cfg.listenMultiaddress) {
    try {
      parseListenMultiaddr(addr)
    } catch (err) {
      fail(`error parsing ipfsproxy.listen_multiaddress: ${messageOf(err)}`, err)
    }
  }
  if (cfg.nodeMultiaddress === '') fail('ipfsproxy.node_multiaddress not set')
  let target
  try {
    target = targetOf(cfg.nodeMultiaddress)
  } catch (err) {
    fail(`error parsing ipfsproxy.node_multiaddress: ${messageOf(err)}`, err)
  }
  if (target.kind === 'unix') fail('ipfsproxy.node_multiaddress: /unix/ addresses are not supported by the proxy')
  // Go's texts, in Go's order (`idle_timeout invalid` has no "is" in Go either).
  const durations: Array<[string, number]> = [
    ['read_timeout is', cfg.readTimeoutMs], ['read_header_timeout is', cfg.readHeaderTimeoutMs],
    ['write_timeout is', cfg.writeTimeoutMs], ['idle_timeout', cfg.idleTimeoutMs]
  ]
  for (const [key, ms] of durations) if (!(ms >= 0)) fail(`ipfsproxy.${key} invalid`)
  if (cfg.extractHeadersPath === '') fail('ipfsproxy.extract_headers_path should not be empty')
  if (!(cfg.extractHeadersTtlMs >= 0)) fail('ipfsproxy.extract_headers_ttl is invalid')
  if (!Number.isInteger(cfg.maxHeaderBytes) || cfg.maxHeaderBytes < MIN_MAX_HEADER_BYTES) fail(`ipfsproxy.max_header_size must be greater or equal to ${MIN_MAX_HEADER_BYTES}`)
}

/** The section as Go writes it. */
export function proxyConfigToJson (cfg: ProxyConfig): ProxyConfigJson {
  const out: ProxyConfigJson = {
    listen_multiaddress: cfg.listenMultiaddress.length === 1 ? cfg.listenMultiaddress[0] : [...cfg.listenMultiaddress],
    node_multiaddress: cfg.nodeMultiaddress
  }
  if (cfg.nodeHttps) out.node_https = true
  out.log_file = cfg.logFile
  out.read_timeout = formatDurationMs(cfg.readTimeoutMs)
  out.read_header_timeout = formatDurationMs(cfg.readHeaderTimeoutMs)
  out.write_timeout = formatDurationMs(cfg.writeTimeoutMs)
  out.idle_timeout = formatDurationMs(cfg.idleTimeoutMs)
  out.max_header_bytes = cfg.maxHeaderBytes
  if (cfg.extractHeadersExtra.length > 0) out.extract_headers_extra = [...cfg.extractHeadersExtra]
  if (cfg.extractHeadersPath !== DEFAULT_EXTRACT_HEADERS_PATH) out.extract_headers_path = cfg.extractHeadersPath
  if (cfg.extractHeadersTtlMs !== DEFAULT_EXTRACT_HEADERS_TTL_MS) out.extract_headers_ttl = formatDurationMs(cfg.extractHeadersTtlMs)
  return out
}

/** Environment suffixes (Go envconfig: the field name upper-cased) → JSON key and value kind. */
export const PROXY_ENV_FIELDS: ReadonlyArray<readonly [string, keyof ProxyConfigJson, 'string' | 'list' | 'bool' | 'int']> = [
  ['LISTENMULTIADDRESS', 'listen_multiaddress', 'list'],
  ['NODEMULTIADDRESS', 'node_multiaddress', 'string'],
  ['NODEHTTPS', 'node_https', 'bool'],
  ['LOGFILE', 'log_file', 'string'],
  ['READTIMEOUT', 'read_timeout', 'string'],
  ['READHEADERTIMEOUT', 'read_header_timeout', 'string'],
  ['WRITETIMEOUT', 'write_timeout', 'string'],
  ['IDLETIMEOUT', 'idle_timeout', 'string'],
  ['MAXHEADERBYTES', 'max_header_bytes', 'int'],
  ['EXTRACTHEADERSEXTRA', 'extract_headers_extra', 'list'],
  ['EXTRACTHEADERSPATH', 'extract_headers_path', 'string'],
  ['EXTRACTHEADERSTTL', 'extract_headers_ttl', 'string']
]

/**
 * Applies `CLUSTER_IPFSPROXY_<FIELD>` variables (e.g. `CLUSTER_IPFSPROXY_IDLETIMEOUT=22s`) on top
 * of a loaded config; lists are comma-separated. Returns a new, validated config.
 */
export function applyProxyEnv (cfg: ProxyConfig, env: Record<string, string | undefined> = process.env): ProxyConfig {
  const json: Record<string, unknown> = { ...proxyConfigToJson(cfg) }
  for (const [suffix, key, kind] of PROXY_ENV_FIELDS) {
    const value = env[`CLUSTER_IPFSPROXY_${suffix}`]
    if (value === undefined) continue
    switch (kind) {
      case 'list':
        json[key] = value.split(',').map(s => s.trim()).filter(s => s !== '')
        break
      case 'bool':
        if (!/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(value)) fail(`CLUSTER_IPFSPROXY_${suffix}: invalid boolean ${JSON.stringify(value)}`)
        json[key] = /^(1|t|T|TRUE|true|True)$/.test(value)
        break
      case 'int':
        if (!/^[+-]?\d+$/.test(value)) fail(`CLUSTER_IPFSPROXY_${suffix}: invalid integer ${JSON.stringify(value)}`)
        json[key] = Number(value)
        break
      default:
        json[key] = value
    }
  }
  return parseProxyConfig(json, cfg.configDir)
}

/**
 * The `api.ipfsproxy` section (config.md §5.5, Go's `api/ipfsproxy/config.go`).
 */
import { MINUTE, SECOND, formatDuration } from '@cluster/api'
import type { Duration, JsonObject } from '@cluster/api'
import type { EnvField } from '../env.ts'
import type { JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'
import { multiaddrList, multiaddrValue, nonEmpty, strictDuration, stringsJson } from '../values.ts'

export interface IpfsProxySection {
  listenMultiaddress: string[]
  /** The Kubo RPC API the proxy forwards to. */
  nodeMultiaddress: string
  nodeHttps: boolean
  /** Access log file ('' = logger); relative paths are under the config folder. */
  logFile: string
  readTimeout: Duration
  readHeaderTimeout: Duration
  writeTimeout: Duration
  idleTimeout: Duration
  maxHeaderBytes: number
  extractHeadersExtra: string[]
  extractHeadersPath: string
  extractHeadersTtl: Duration
}

export const DEFAULT_EXTRACT_HEADERS_PATH = '/api/v0/version'
export const DEFAULT_EXTRACT_HEADERS_TTL: Duration = 5n * MINUTE
const MIN_MAX_HEADER_BYTES = 4096

function defaultProxy (): IpfsProxySection {
  return {
    listenMultiaddress: ['/ip4/127.0.0.1/tcp/9095'],
    nodeMultiaddress: '/ip4/127.0.0.1/tcp/5001',
    nodeHttps: false,
    logFile: '',
    readTimeout: 0n,
    readHeaderTimeout: 5n * SECOND,
    writeTimeout: 0n,
    idleTimeout: MINUTE,
    maxHeaderBytes: MIN_MAX_HEADER_BYTES,
    extractHeadersExtra: [],
    extractHeadersPath: DEFAULT_EXTRACT_HEADERS_PATH,
    extractHeadersTtl: DEFAULT_EXTRACT_HEADERS_TTL
  }
}

const KNOWN = [
  'listen_multiaddress', 'node_multiaddress', 'node_https', 'log_file', 'read_timeout',
  'read_header_timeout', 'write_timeout', 'idle_timeout', 'max_header_bytes',
  'extract_headers_extra', 'extract_headers_path', 'extract_headers_ttl'
] as const

function applyProxy (base: IpfsProxySection, r: JsonReader): IpfsProxySection {
  const c = { ...base }
  const listen = r.strings('listen_multiaddress') ?? []
  if (listen.length > 0) c.listenMultiaddress = multiaddrList(r.key('listen_multiaddress'), 'proxy listen_multiaddress', listen)
  const node = r.string('node_multiaddress') ?? ''
  if (node !== '') c.nodeMultiaddress = multiaddrValue(r.key('node_multiaddress'), 'ipfs node_multiaddress', node)
  if (r.bool('node_https') === true) c.nodeHttps = true
  c.logFile = nonEmpty(r.string('log_file'), c.logFile)
  c.readTimeout = strictDuration(r, 'read_timeout', c.readTimeout)
  c.readHeaderTimeout = strictDuration(r, 'read_header_timeout', c.readHeaderTimeout)
  c.writeTimeout = strictDuration(r, 'write_timeout', c.writeTimeout)
  c.idleTimeout = strictDuration(r, 'idle_timeout', c.idleTimeout)
  c.extractHeadersTtl = strictDuration(r, 'extract_headers_ttl', c.extractHeadersTtl)
  const maxHeader = r.int('max_header_bytes') ?? 0
  c.maxHeaderBytes = maxHeader === 0 ? MIN_MAX_HEADER_BYTES : maxHeader
  const extra = r.stringList('extract_headers_extra') ?? []
  if (extra.length > 0) c.extractHeadersExtra = extra
  c.extractHeadersPath = nonEmpty(r.string('extract_headers_path'), c.extractHeadersPath)
  return c
}

/** Go's checks, first problem first (Go reports the last one it finds; the texts are Go's). */
function validateProxy (c: IpfsProxySection): string | undefined {
  if (c.listenMultiaddress.length === 0) return 'ipfsproxy.listen_multiaddress not set'
  if (c.nodeMultiaddress === '') return 'ipfsproxy.node_multiaddress not set'
  if (c.readTimeout < 0n) return 'ipfsproxy.read_timeout is invalid'
  if (c.readHeaderTimeout < 0n) return 'ipfsproxy.read_header_timeout is invalid'
  if (c.writeTimeout < 0n) return 'ipfsproxy.write_timeout is invalid'
  if (c.idleTimeout < 0n) return 'ipfsproxy.idle_timeout invalid'
  if (c.extractHeadersPath === '') return 'ipfsproxy.extract_headers_path should not be empty'
  if (c.extractHeadersTtl < 0n) return 'ipfsproxy.extract_headers_ttl is invalid'
  if (c.maxHeaderBytes < MIN_MAX_HEADER_BYTES) return `ipfsproxy.max_header_size must be greater or equal to ${MIN_MAX_HEADER_BYTES}`
  return undefined
}

function proxyToJson (c: IpfsProxySection): JsonObject {
  const out: JsonObject = {
    listen_multiaddress: stringsJson(c.listenMultiaddress),
    node_multiaddress: c.nodeMultiaddress
  }
  if (c.nodeHttps) out.node_https = true
  out.log_file = c.logFile
  out.read_timeout = formatDuration(c.readTimeout)
  out.read_header_timeout = formatDuration(c.readHeaderTimeout)
  out.write_timeout = formatDuration(c.writeTimeout)
  out.idle_timeout = formatDuration(c.idleTimeout)
  out.max_header_bytes = c.maxHeaderBytes
  if (c.extractHeadersExtra.length > 0) out.extract_headers_extra = [...c.extractHeadersExtra]
  if (c.extractHeadersPath !== DEFAULT_EXTRACT_HEADERS_PATH) out.extract_headers_path = c.extractHeadersPath
  if (c.extractHeadersTtl !== DEFAULT_EXTRACT_HEADERS_TTL) out.extract_headers_ttl = formatDuration(c.extractHeadersTtl)
  return out
}

const f = (name: string, path: string, kind: EnvField['kind']): EnvField => ({ name, path, kind })

export const ipfsProxyCodec: SectionCodec<IpfsProxySection> = {
  key: 'ipfsproxy',
  envPrefix: 'CLUSTER_IPFSPROXY',
  known: KNOWN,
  envFields: [
    f('LISTENMULTIADDRESS', 'listen_multiaddress', 'list'),
    f('NODEMULTIADDRESS', 'node_multiaddress', 'string'),
    f('NODEHTTPS', 'node_https', 'bool'),
    f('LOGFILE', 'log_file', 'string'),
    f('READTIMEOUT', 'read_timeout', 'string'),
    f('READHEADERTIMEOUT', 'read_header_timeout', 'string'),
    f('WRITETIMEOUT', 'write_timeout', 'string'),
    f('IDLETIMEOUT', 'idle_timeout', 'string'),
    f('MAXHEADERBYTES', 'max_header_bytes', 'int'),
    f('EXTRACTHEADERSEXTRA', 'extract_headers_extra', 'list'),
    f('EXTRACTHEADERSPATH', 'extract_headers_path', 'string'),
    f('EXTRACTHEADERSTTL', 'extract_headers_ttl', 'string')
  ],
  defaults: defaultProxy,
  apply: applyProxy,
  validate: validateProxy,
  toJson: proxyToJson
}

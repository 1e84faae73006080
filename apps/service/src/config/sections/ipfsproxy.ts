/**
 * The `api.ipfsproxy` section (config.md §5.5, Go's `api/ipfsproxy/config.go`). Its model —
 * type, defaults, JSON form with Go's keys and texts, validation, environment variables — is
 * @cluster/proxy's (durations in milliseconds); this file adapts it to the loader: the JSON types
 * are checked with the loader's messages first, and the package's errors become the loader's.
 */
import {
  applyProxyEnv, defaultProxyConfig, proxyConfigToJson, readProxyJson, validateProxyConfig, type ProxyConfig
} from '@cluster/proxy/config'
import type { JsonObject } from '@cluster/api'
import { adaptPackageError, reasonOf } from '../errors.ts'
import type { JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'

export type IpfsProxySection = ProxyConfig

const KNOWN = [
  'listen_multiaddress', 'node_multiaddress', 'node_https', 'log_file', 'read_timeout',
  'read_header_timeout', 'write_timeout', 'idle_timeout', 'max_header_bytes',
  'extract_headers_extra', 'extract_headers_path', 'extract_headers_ttl'
] as const

/**
 * The section's JSON with every key read by its JSON type, so a wrong type is reported as in the
 * other sections (and `null` list items read as '', as Go reads them).
 */
function typedJson (r: JsonReader): Record<string, unknown> {
  for (const key of ['node_multiaddress', 'log_file', 'read_timeout', 'read_header_timeout', 'write_timeout', 'idle_timeout', 'extract_headers_path', 'extract_headers_ttl']) r.string(key)
  r.bool('node_https')
  r.int('max_header_bytes')
  const json = r.normalized()
  const listen = r.strings('listen_multiaddress')
  if (listen !== undefined) json.listen_multiaddress = listen
  const extra = r.stringList('extract_headers_extra')
  if (extra !== undefined) json.extract_headers_extra = extra
  return json
}

export const ipfsProxyCodec: SectionCodec<IpfsProxySection> = {
  key: 'ipfsproxy',
  envPrefix: 'CLUSTER_IPFSPROXY',
  known: KNOWN,
  envFields: [],
  defaults: defaultProxyConfig,
  apply: (_base: IpfsProxySection, r: JsonReader) => {
    const json = typedJson(r)
    return adaptPackageError('ipfsproxy', r.path, () => readProxyJson(json))
  },
  validate: (cfg: IpfsProxySection) => reasonOf(() => { validateProxyConfig(cfg) }),
  toJson: (cfg: IpfsProxySection) => ({ ...proxyConfigToJson(cfg) }) as JsonObject,
  applyEnv: (cfg, env) => adaptPackageError('ipfsproxy', 'ipfsproxy', () => applyProxyEnv(cfg, env))
}

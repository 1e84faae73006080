/**
 * The `api.ipfsproxy` section (config.md §5.5, Go's `api/ipfsproxy/config.go`). Its model —
 * type, defaults, JSON form with Go's keys and texts, validation, environment variables — is
 * @cluster/proxy's (durations in milliseconds); this file adapts it to the loader: the JSON types
 * are checked with the loader's messages first, the package's errors become the loader's, and its
 * environment field names go through the loader's envconfig step.
 */
import {
  PROXY_ENV_FIELDS, defaultProxyConfig, proxyConfigToJson, readProxyJson, validateProxyConfig, type ProxyConfig
} from '@cluster/proxy/config'
import type { JsonObject } from '@cluster/api'
import { envFieldsOf } from '../env.ts'
import { adaptPackageError, reasonOf } from '../errors.ts'
import type { JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'

export type IpfsProxySection = ProxyConfig

const KNOWN = [
  'listen_multiaddress', 'node_multiaddress', 'node_https', 'log_file', 'read_timeout',
  'read_header_timeout', 'write_timeout', 'idle_timeout', 'max_header_bytes',
  'extract_headers_extra', 'extract_headers_path', 'extract_headers_ttl'
] as const

export const ipfsProxyCodec: SectionCodec<IpfsProxySection> = {
  key: 'ipfsproxy',
  envPrefix: 'CLUSTER_IPFSPROXY',
  known: KNOWN,
  envFields: envFieldsOf(PROXY_ENV_FIELDS),
  defaults: defaultProxyConfig,
  apply: (_base: IpfsProxySection, r: JsonReader) => {
    const json = r.typed({
      string: ['node_multiaddress', 'log_file', 'read_timeout', 'read_header_timeout', 'write_timeout', 'idle_timeout', 'extract_headers_path', 'extract_headers_ttl'],
      bool: ['node_https'],
      int: ['max_header_bytes'],
      strings: ['listen_multiaddress'],
      stringList: ['extract_headers_extra']
    })
    return adaptPackageError('ipfsproxy', r.path, () => readProxyJson(json))
  },
  validate: (cfg: IpfsProxySection) => reasonOf(() => { validateProxyConfig(cfg) }),
  toJson: (cfg: IpfsProxySection) => ({ ...proxyConfigToJson(cfg) }) as JsonObject
}

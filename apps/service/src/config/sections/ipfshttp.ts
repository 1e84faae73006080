/**
 * The `ipfs_connector.ipfshttp` section (config.md §5.6). Parsing, validation, JSON form and
 * environment variables are @cluster/ipfs-connector's (its config uses milliseconds; a zero
 * request timeout means "no timeout", a zero `pin_timeout` is refused); this file adapts them to
 * the loader's errors.
 */
import {
  applyIpfsHttpEnv, defaultIpfsHttpConfig, ipfsHttpConfigToJson, parseIpfsHttpConfig, validateIpfsHttpConfig
} from '@cluster/ipfs-connector/config'
import type { IpfsHttpConfig } from '@cluster/ipfs-connector/config'
import type { JsonObject } from '@cluster/api'
import { adaptPackageError, reasonOf } from '../errors.ts'
import type { JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'

export type { IpfsHttpConfig }

const KNOWN = [
  'node_multiaddress', 'connect_swarms_delay', 'ipfs_request_timeout', 'pin_timeout', 'unpin_timeout',
  'repogc_timeout', 'informer_trigger_interval', 'unpin_disable'
] as const

export const ipfsHttpCodec: SectionCodec<IpfsHttpConfig> = {
  key: 'ipfshttp',
  envPrefix: 'CLUSTER_IPFSHTTP',
  known: KNOWN,
  envFields: [],
  defaults: defaultIpfsHttpConfig,
  apply: (_base: IpfsHttpConfig, r: JsonReader) =>
    adaptPackageError('ipfshttp', r.path, () => parseIpfsHttpConfig(r.normalized())),
  validate: (cfg: IpfsHttpConfig) => reasonOf(() => { validateIpfsHttpConfig(cfg) }),
  toJson: (cfg: IpfsHttpConfig) => ({ ...ipfsHttpConfigToJson(cfg) }) as JsonObject,
  applyEnv: (cfg, env) => adaptPackageError('ipfshttp', 'ipfshttp', () => applyIpfsHttpEnv(cfg, env))
}

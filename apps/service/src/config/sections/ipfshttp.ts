/**
 * The `ipfs_connector.ipfshttp` section (config.md §5.6). Its model — type, defaults, load rules,
 * validation texts, JSON form and environment fields — is @cluster/ipfs-connector's (milliseconds;
 * a zero request timeout means "no timeout", a zero `pin_timeout` is refused); this file reads the
 * JSON types with the loader's messages and adapts the package's errors.
 */
import {
  IPFSHTTP_ENV_FIELDS, defaultIpfsHttpConfig, ipfsHttpConfigToJson, readIpfsHttpJson, validateIpfsHttpConfig
} from '@cluster/ipfs-connector/config'
import type { IpfsHttpConfig } from '@cluster/ipfs-connector/config'
import type { JsonObject } from '@cluster/api'
import { envFieldsOf } from '../env.ts'
import { adaptPackageError, reasonOf } from '../errors.ts'
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
  envFields: envFieldsOf(IPFSHTTP_ENV_FIELDS),
  defaults: defaultIpfsHttpConfig,
  apply: (_base, r) => {
    const json = r.typed({
      string: ['node_multiaddress', 'connect_swarms_delay', 'ipfs_request_timeout', 'pin_timeout', 'unpin_timeout', 'repogc_timeout'],
      int: ['informer_trigger_interval'],
      bool: ['unpin_disable']
    })
    return adaptPackageError('ipfshttp', r.path, () => readIpfsHttpJson(json))
  },
  validate: (cfg) => reasonOf(() => { validateIpfsHttpConfig(cfg) }),
  toJson: (cfg): JsonObject => ({ ...ipfsHttpConfigToJson(cfg) }) as JsonObject
}

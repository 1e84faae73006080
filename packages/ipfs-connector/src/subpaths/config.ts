/**
 * The `@cluster/ipfs-connector/config` entry: the `ipfs_connector.ipfshttp` and informer config
 * models and Kubo address parsing, without the connector, so a program that
 * only reads or writes configuration starts quickly.
 */
export {
  defaultIpfsHttpConfig, parseIpfsHttpConfig, readIpfsHttpJson, validateIpfsHttpConfig, ipfsHttpConfigToJson, applyIpfsHttpEnv, IPFSHTTP_ENV_FIELDS,
  type IpfsHttpConfig, type IpfsHttpConfigJson
} from '../config.ts'
export * from '../informers/config.ts'
export { targetOf, type HttpTarget } from '../target.ts'
export { InvalidConfigError } from '../errors.ts'

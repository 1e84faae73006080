/**
 * The `@cluster/ipfs-connector/config` entry: the `ipfs_connector.ipfshttp` and informer config
 * models, Go-duration helpers and Kubo address parsing, without the connector, so a program that
 * only reads or writes configuration starts quickly.
 */
export {
  defaultIpfsHttpConfig, parseIpfsHttpConfig, validateIpfsHttpConfig, ipfsHttpConfigToJson, applyIpfsHttpEnv,
  type IpfsHttpConfig, type IpfsHttpConfigJson
} from '../config.ts'
export * from '../informers/config.ts'
export { formatDurationMs, parseDurationMs } from '../duration.ts'
export { targetOf, type HttpTarget } from '../target.ts'
export { InvalidConfigError } from '../errors.ts'

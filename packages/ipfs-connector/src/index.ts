export { KuboClient, type KuboClientOptions } from './client.ts'
export { IpfsConnector, type IpfsConnectorOptions } from './connector.ts'
export { KuboHttp, KuboResponse, type Query, type CallOptions, type RequestBody, type KuboHttpOptions } from './http.ts'
export {
  defaultIpfsHttpConfig, parseIpfsHttpConfig, validateIpfsHttpConfig, ipfsHttpConfigToJson, applyIpfsHttpEnv,
  type IpfsHttpConfig, type IpfsHttpConfigJson
} from './config.ts'
export { targetOf, describeTarget, type HttpTarget } from './target.ts'
export { RequestGate, RATE_LIMIT_THRESHOLD, RATE_LIMIT_INTERVAL_MS } from './gate.ts'
export { KuboHealth } from './health.ts'
export { parseNdjson, type Reviver } from './ndjson.ts'
export { toCid, sameMultihash, multihashKey, CODEC_NAMES, MULTIHASH_NAMES, type CidLike } from './cid.ts'
export { parseContentPath, formatContentPath, type ContentPath } from './paths.ts'
export { blockPutQuery } from './blocks.ts'
export {
  parsePinType, isNotPinnedError, isNotPinnedOrIndirectError, type PinAddOptions, type TimeoutOptions
} from './pins.ts'
export type {
  IpfsIdResult, IpfsVersionResult, IpfsPinType, PinLsType, PinLsEntry, IpfsPinStatus, PinProgress, RepoStat,
  RepoGcEntry, BlockInput, BlockPutResult, PinRequest, PinCallOptions, RepoGcResult
} from './types.ts'
export {
  DiskInformer, NumpinInformer, TagsInformer, type RepoStatSource, type PinLsSource
} from './informers/informers.ts'
export { makeMetric, weightOf, type Metric, type Informer } from './informers/metric.ts'
export {
  defaultDiskInformerConfig, defaultTagsInformerConfig, defaultNumpinInformerConfig,
  parseDiskInformerConfig, parseTagsInformerConfig, parseNumpinInformerConfig,
  diskInformerConfigToJson, tagsInformerConfigToJson, numpinInformerConfigToJson,
  type DiskInformerConfig, type TagsInformerConfig, type NumpinInformerConfig
} from './informers/config.ts'
export * from './errors.ts'

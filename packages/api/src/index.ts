/**
 * @cluster/api — the wire types of the IPFS Cluster REST API (Go IPFS Cluster v1.1.6) with JSON
 * codecs that read and write exactly Go's JSON.
 */
export const API_VERSION = '1.1.6'

export * from './errors.ts'
export { parseJson, stringifyJson, goMap, newRecord, rawInteger, quoteJsonString } from './json.ts'
export type { JsonValue, JsonObject, RawJson } from './json.ts'
export { CID, parseCid, castCid, cidToString, cidEquals, isCid, keepRecentCids } from './cid.ts'
export { base32Upper } from './base32.ts'
export { parsePeerId, isPeerId, peerIdToBytes, parsePeerIdsLenient } from './peer-id.ts'
export type { PeerId } from './peer-id.ts'
export { parseMultiaddr, multiaddrPeerId } from './multiaddr.ts'
export type { Multiaddr } from './multiaddr.ts'
export { Timestamp } from './timestamp.ts'
export type { ClockLike, OffsetSpec, CivilDateTime } from './timestamp.ts'
export { systemClock, unixNanosOf, type Clock, type TimerHandle } from './clock.ts'
export {
  parseDuration, formatDuration, parseDurationMs, formatDurationMs, NANOSECOND, MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR
} from './duration.ts'
export type { Duration } from './duration.ts'
export { goQueryEscape, encodeGoQuery } from './query-escape.ts'
export { decodePinOptionsQuery, encodePinOptionsQuery, pinOptionsQueryEntries, META_PREFIX } from './pin-options-query.ts'
export type { PinOptionsQueryContext } from './pin-options-query.ts'
export { decodeAddParams, encodeAddParamsQuery, parseGoBool } from './add-params.ts'
export { multipartBoundary, parseMediaType } from './media-type.ts'
export { clfDate, commonLogLine, countResponseBytes } from './access-log.ts'
export { silentLogger } from './logger.ts'
export type { Logger, LogLevel } from './logger.ts'
export { ndjsonLines, ndjsonLinesSync } from './ndjson.ts'
export type { NdjsonLine, NdjsonOptions } from './ndjson.ts'
export type { AddParams, AddLayout, AddFormat } from './add-params.ts'

export {
  TRACKER_STATUSES, TRACKER_STATUS_BITS, isTrackerStatus, trackerStatusFromString, isErrorStatus,
  parseTrackerStatusFilter, trackerStatusMatches, formatTrackerStatusFilter
} from './types/status.ts'
export type { TrackerStatus, TrackerStatusFilterName, TrackerStatusFilter } from './types/status.ts'
export {
  PIN_TYPES, PIN_TYPE_BITS, pinTypeFromString, parsePinTypeFilter, pinTypeMatches, pinModeFromString,
  pinModeToDepth, pinDepthToMode
} from './types/pin-type.ts'
export type { PinType, PinTypeFilter, PinMode } from './types/pin-type.ts'
export { defaultPinOptions, encodePin, decodePin, encodePinOptions, decodePinOptions, storedPin } from './types/pin.ts'
export type { Pin, PinOptions } from './types/pin.ts'
export type { PinSearch, PinSearchIndex, NameMatch } from './types/pin-search.ts'
export type { BatchItem, BatchItemResult } from './types/pin-batch.ts'
export type { RebalanceRequest, RebalanceMove, RebalanceResult, RebalanceSummary, RebalanceEvent } from './types/rebalance.ts'
export {
  encodeGlobalPinInfo, decodeGlobalPinInfo, encodePinInfoShort, decodePinInfoShort, encodePinInfo,
  decodePinInfo, pinInfoToGlobal, pinInfoShortOf
} from './types/pin-info.ts'
export type { GlobalPinInfo, PinInfoShort, PinInfo } from './types/pin-info.ts'
export { globalPinInfoJson } from './types/pin-info-json.ts'
export { statusStreamItemCodec, toStatusItems, fromStatusItems } from './types/status-stream.ts'
export type { StatusStreamItem, StatusPeerFields } from './types/status-stream.ts'
export { encodeId, decodeId, encodeIpfsId, decodeIpfsId, encodeVersion, decodeVersion } from './types/id.ts'
export type { Id, IpfsId, Version } from './types/id.ts'
export { encodeMetric, decodeMetric, encodeAlert, decodeAlert } from './types/metric.ts'
export type { Metric, Alert } from './types/metric.ts'
export { encodeConnectGraph, decodeConnectGraph } from './types/graph.ts'
export type { ConnectGraph } from './types/graph.ts'
export { encodeAddedOutput, decodeAddedOutput } from './types/added-output.ts'
export type { AddedOutput } from './types/added-output.ts'
export {
  encodeGlobalRepoGc, decodeGlobalRepoGc, encodeRepoGc, decodeRepoGc, encodeIpfsRepoGc, decodeIpfsRepoGc
} from './types/repo-gc.ts'
export type { GlobalRepoGc, RepoGc, IpfsRepoGc } from './types/repo-gc.ts'
export {
  encodeBandwidth, decodeBandwidth, encodeBandwidthByProtocol, decodeBandwidthByProtocol
} from './types/bandwidth.ts'
export type { Bandwidth, BandwidthByProtocol } from './types/bandwidth.ts'
export { encodeErrorBody, decodeErrorBody, errorBodyFromResponse } from './types/error-body.ts'
export type { ErrorBody } from './types/error-body.ts'
export { codecs } from './codecs.ts'
export type { Codec, CodecName } from './codecs.ts'
export type { ClusterApi, RequestOptions, LocalOption, StatusAllOptions, AddUpload } from './cluster.ts'
export { parseListenMultiaddr, boundAddress, clearStaleSocket } from './listen.ts'
export type { ListenTarget, BoundAddress } from './listen.ts'
export { ConcurrencyLimit, RequestLimiter, defaultRequestLimits, TOO_MANY_REQUESTS, LISTEN_BACKLOG } from './limiter.ts'
export type { LimitOptions, RequestLimits, RequestClass } from './limiter.ts'
export { connectionsCheckingIntervalOf } from './server-timeouts.ts'
export { endQuietlyOnBrokenPipe } from './broken-pipe.ts'

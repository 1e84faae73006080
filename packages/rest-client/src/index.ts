/**
 * @cluster/rest-client — a typed client of the IPFS Cluster REST API (Go IPFS Cluster v1.1.6
 * wire format): every route, streams as async iterables, errors as named errors.
 */
export { RestClient, urlFromMultiaddr, formatPinTypeFilter, DEFAULT_API_URL, NEXT_CURSOR_HEADER } from './client.ts'
export type { RestClientOptions, PinSearchQuery, SearchRequestOptions, BatchResultLine } from './client.ts'
export type { TlsOptions } from './transport.ts'
export { multipartUpload } from './multipart.ts'
export type { UploadEntry, MultipartUploadOptions } from './multipart.ts'
export type { RebalanceQuery } from './rebalance.ts'
export * from './errors.ts'

/**
 * @cluster/rest-api — the IPFS Cluster REST API (wire-compatible with Go IPFS Cluster v1.1.6)
 * and the IPFS Pinning Service API (`pinsvcapi`), as hono apps and Node servers, backed by any
 * `ClusterApi`.
 */
export { RestApiServer, routeLabel } from './server.ts'
export type { RestApiServerOptions, RequestSample } from './server.ts'
export { createRestApiApp, createApiApp, REST_API } from './app.ts'
export type { RestApiApp, RestApiAppOptions, ApiDefinition } from './app.ts'
export {
  defaultRestApiConfig, resolveRestApiConfig, validateRestApiConfig,
  defaultPinSvcApiConfig, resolvePinSvcApiConfig,
  DEFAULT_HTTP_LISTEN_MULTIADDRESS, DEFAULT_PINSVCAPI_LISTEN_MULTIADDRESS, PINSVCAPI_CONFIG_KEY,
  DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES, DEFAULT_CORS_EXPOSED_HEADERS
} from './config.ts'
export type { RestApiConfig } from './config.ts'
export { restApiConfigFromJson, readRestApiJson, restApiConfigToJson, pinSvcApiConfigFromJson, REST_API_ENV_FIELDS } from './config-json.ts'
export type { LoadOptions } from './config-json.ts'
export { restErrorBody } from './respond.ts'
export type { ErrorBodyFormat } from './respond.ts'
export { streamTrailers, STREAM_ERROR_TRAILER } from './stream.ts'
export { parseListenMultiaddr } from './listen.ts'
export type { BoundAddress, ListenTarget } from './listen.ts'
export { ROUTES, TOKEN_ROUTE, HEALTH_ROUTE, tooManyRequests } from './routes.ts'
export type { RouteDef, RouteDeps, Handler } from './routes.ts'
export { signToken } from './jwt.ts'
export { parseIpfsPath, InvalidIpfsPathError } from './ipfs-path.ts'
export * from './errors.ts'

// IPFS Pinning Service API (rest-api.md §11).
export { PinSvcApiServer } from './pinsvc/server.ts'
export { createPinSvcApiApp, pinSvcErrorBody, PINSVC_API } from './pinsvc/app.ts'
export { PINSVC_ROUTES } from './pinsvc/routes.ts'
export {
  PIN_SVC_STATUSES, PINSVC_INFO, MAX_PIN_NAME_BYTES, PinSvcDecodeError, encodePinSvcPin, encodePinSvcPinStatus,
  encodePinSvcPinList, decodePinSvcPin, decodePinSvcPinStatus, decodePinSvcPinList
} from './pinsvc/types.ts'
export type { PinSvcStatus, PinSvcPin, PinSvcPinStatus, PinSvcPinList } from './pinsvc/types.ts'
export { pinSvcStatusOf, pinStatusOfGlobal, trackerFilterOf } from './pinsvc/status.ts'
export { parseListQuery, matchesName, matchesMeta, matchesListFilters, MATCH_STRATEGIES, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './pinsvc/query.ts'
export { PinListings, ListedStatus } from './pinsvc/listing.ts'
export type { ListingResult } from './pinsvc/listing.ts'
export type { MatchStrategy, PinSvcListOptions } from './pinsvc/query.ts'

/**
 * @cluster/rest-api — the IPFS Cluster REST API (wire-compatible with Go IPFS Cluster v1.1.6)
 * as a hono app and a Node server, backed by any `ClusterApi`.
 */
export { RestApiServer } from './server.ts'
export type { RestApiServerOptions } from './server.ts'
export { createRestApiApp } from './app.ts'
export type { RestApiApp, RestApiAppOptions } from './app.ts'
export {
  defaultRestApiConfig, resolveRestApiConfig, validateRestApiConfig, restApiConfigFromJson, restApiConfigToJson,
  DEFAULT_HTTP_LISTEN_MULTIADDRESS, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES, DEFAULT_CORS_EXPOSED_HEADERS
} from './config.ts'
export type { RestApiConfig, LoadOptions } from './config.ts'
export { streamTrailers, STREAM_ERROR_TRAILER } from './stream.ts'
export { parseListenMultiaddr } from './listen.ts'
export type { BoundAddress, ListenTarget } from './listen.ts'
export { ROUTES } from './routes.ts'
export type { RouteDef } from './routes.ts'
export { signToken } from './jwt.ts'
export { parseIpfsPath, InvalidIpfsPathError } from './ipfs-path.ts'
export * from './errors.ts'

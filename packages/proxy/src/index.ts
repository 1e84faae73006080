/**
 * @cluster/proxy — an HTTP server that looks like Kubo's RPC API: pin, add and repo calls become
 * IPFS Cluster operations, everything else is reverse-proxied (streamed) to the peer's Kubo.
 */
export { ProxyServer, type ProxyServerOptions } from './server.ts'
export {
  defaultProxyConfig, parseProxyConfig, readProxyJson, validateProxyConfig, proxyConfigToJson, applyProxyEnv,
  DEFAULT_LISTEN_MULTIADDRESS, DEFAULT_NODE_MULTIADDRESS, DEFAULT_EXTRACT_HEADERS_PATH, DEFAULT_EXTRACT_HEADERS_TTL_MS,
  MIN_MAX_HEADER_BYTES, type ProxyConfig, type ProxyConfigJson
} from './config.ts'
export type { PeerRepoStat, RepoStatsSource } from './context.ts'
export type { BoundAddress } from './listen.ts'
export { routeOf, type HandlerName, type Route } from './routes.ts'
export { routeLabel, OTHER_ROUTE, type ProxyRequestSample } from './request-metrics.ts'
export { kuboErrorBody } from './respond.ts'
export { sumRepoStats } from './handlers/repo.ts'
export { parseAddParams, type AddParams } from './handlers/add.ts'
export * from './errors.ts'

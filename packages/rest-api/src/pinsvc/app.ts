/**
 * The IPFS Pinning Service API app (rest-api.md §11): Go's common pipeline (auth incl. `/token`,
 * CORS, redirects, router) with the pinning-service routes and `{"error":{"reason":…}}` errors.
 */
import type { ClusterApi } from '@cluster/api'
import { createApiApp } from '../app.ts'
import type { ApiDefinition, RestApiApp, RestApiAppOptions } from '../app.ts'
import { resolvePinSvcApiConfig } from '../config.ts'
import type { RestApiConfig } from '../config.ts'
import type { ErrorBodyFormat } from '../respond.ts'
import { PINSVC_ROUTES } from './routes.ts'

/** Go's pinsvc.APIError: the status is not repeated, `details` is never set (so omitted). */
export const pinSvcErrorBody: ErrorBodyFormat = (_status, message) => ({ error: { reason: message } })

export const PINSVC_API: ApiDefinition = { routes: PINSVC_ROUTES, errorBody: pinSvcErrorBody }

/**
 * Builds the Pinning Service API as a hono app. `config` takes the `restapi` keys; unset ones get
 * the `pinsvcapi` defaults (listen address `/ip4/127.0.0.1/tcp/9097`).
 */
export function createPinSvcApiApp (cluster: ClusterApi, config: Partial<RestApiConfig> = {}, opts: RestApiAppOptions = {}): RestApiApp {
  return createApiApp(cluster, resolvePinSvcApiConfig(config), opts, PINSVC_API)
}

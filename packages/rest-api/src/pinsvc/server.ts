/** PinSvcApiServer: RestApiServer's listeners, TLS, limits and logging serving the Pinning Service API. */
import type { ClusterApi } from '@cluster/api'
import { RestApiServer } from '../server.ts'
import type { RestApiApp, RestApiAppOptions } from '../app.ts'
import { resolvePinSvcApiConfig } from '../config.ts'
import type { RestApiConfig } from '../config.ts'
import { createPinSvcApiApp } from './app.ts'
import { PINSVC_ROUTES } from './routes.ts'
import type { RouteDef } from '../routes.ts'

export class PinSvcApiServer extends RestApiServer {
  protected override resolveConfig (config: Partial<RestApiConfig>): RestApiConfig {
    return resolvePinSvcApiConfig(config)
  }

  protected override createApp (cluster: ClusterApi, config: RestApiConfig, opts: RestApiAppOptions): RestApiApp {
    return createPinSvcApiApp(cluster, config, opts)
  }

  protected override routes (): readonly RouteDef[] {
    return PINSVC_ROUTES
  }
}

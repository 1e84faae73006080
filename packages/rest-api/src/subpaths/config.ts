/**
 * The `@cluster/rest-api/config` entry: the `api.restapi` / `api.pinsvcapi` config model (type,
 * defaults, JSON form, validation, environment) without the servers (hono, the dashboard), so a
 * program that only reads or writes configuration starts quickly.
 */
export {
  defaultRestApiConfig, resolveRestApiConfig, validateRestApiConfig, defaultPinSvcApiConfig, resolvePinSvcApiConfig,
  DEFAULT_HTTP_LISTEN_MULTIADDRESS, DEFAULT_PINSVCAPI_LISTEN_MULTIADDRESS, PINSVCAPI_CONFIG_KEY,
  DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES, DEFAULT_CORS_EXPOSED_HEADERS, type RestApiConfig
} from '../config.ts'
export { restApiConfigFromJson, readRestApiJson, restApiConfigToJson, pinSvcApiConfigFromJson, REST_API_ENV_FIELDS, type LoadOptions } from '../config-json.ts'
export { RestApiConfigError } from '../errors.ts'

/**
 * The `@cluster/proxy/config` entry: the `api.ipfsproxy` config model without the proxy server,
 * so a program that only reads or writes configuration starts quickly.
 */
export {
  defaultProxyConfig, parseProxyConfig, readProxyJson, validateProxyConfig, proxyConfigToJson, applyProxyEnv, PROXY_ENV_FIELDS,
  type ProxyConfig, type ProxyConfigJson
} from '../config.ts'
export { ProxyConfigError } from '../errors.ts'

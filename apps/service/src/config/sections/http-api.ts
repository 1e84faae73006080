/**
 * The `api.restapi` and `api.pinsvcapi` sections (config.md §5.3–5.4): the same keys (Go's
 * `api/common/config.go`), differing only in the default listen port and env prefix. The values
 * are @cluster/rest-api's RestApiConfig (its defaults too); this file adds what the config layer
 * needs on top: Go's load rules with key positions in errors, env fields and the JSON form.
 */
import { formatDuration, goMap, parsePeerId } from '@cluster/api'
import type { JsonObject } from '@cluster/api'
import { DEFAULT_MAX_HEADER_BYTES, defaultRestApiConfig, type RestApiConfig } from '@cluster/rest-api'
import { ConfigParseError, messageOf } from '../errors.ts'
import { decodePrivateKey, peerIdOfKey } from '../identity.ts'
import type { EnvField } from '../env.ts'
import type { JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'
import { multiaddrList, strictDuration, stringsJson } from '../values.ts'

/**
 * The section as the config layer holds it: @cluster/rest-api's RestApiConfig without the
 * fields that are not Go keys (section name, config folder, body limit).
 */
export type HttpApiSection = Omit<RestApiConfig, 'configKey' | 'configDir' | 'maxBodyBytes'>

export const MIN_MAX_HEADER_BYTES = DEFAULT_MAX_HEADER_BYTES

function defaultHttpApi (key: string): HttpApiSection {
  const { configKey: _k, configDir: _d, maxBodyBytes: _b, ...section } = defaultRestApiConfig(key)
  return section
}

/** The server configuration of a section: what the daemon hands to @cluster/rest-api. */
export function serverConfigOf (key: string, section: HttpApiSection, configDir: string): RestApiConfig {
  return { ...defaultRestApiConfig(key), ...section, configKey: key, configDir }
}

const KNOWN = [
  'http_listen_multiaddress', 'ssl_cert_file', 'ssl_key_file', 'read_timeout', 'read_header_timeout',
  'write_timeout', 'idle_timeout', 'max_header_bytes', 'libp2p_listen_multiaddress', 'id', 'private_key',
  'basic_auth_credentials', 'http_log_file', 'headers', 'cors_allowed_origins', 'cors_allowed_methods',
  'cors_allowed_headers', 'cors_exposed_headers', 'cors_allow_credentials', 'cors_max_age',
  // Not a Go key: the web dashboard at /ui (restapi only; false when absent, written when true).
  'dashboard'
] as const

function makeApply (key: string) {
  return (base: HttpApiSection, r: JsonReader): HttpApiSection => {
    const c = { ...base }
    const listen = r.strings('http_listen_multiaddress') ?? []
    if (listen.length > 0) c.httpListenMultiaddress = multiaddrList(r.key('http_listen_multiaddress'), `${key}.http_listen_multiaddress`, listen)
    const cert = r.string('ssl_cert_file') ?? ''
    const sslKey = r.string('ssl_key_file') ?? ''
    if (cert + sslKey !== '') {
      c.sslCertFile = cert
      c.sslKeyFile = sslKey
    }
    const maxHeader = r.int('max_header_bytes') ?? 0
    c.maxHeaderBytes = maxHeader === 0 ? MIN_MAX_HEADER_BYTES : maxHeader
    // Copied as-is: a missing key is empty, not the default.
    c.corsAllowedOrigins = r.stringList('cors_allowed_origins') ?? []
    c.corsAllowedMethods = r.stringList('cors_allowed_methods') ?? []
    c.corsAllowedHeaders = r.stringList('cors_allowed_headers') ?? []
    c.corsExposedHeaders = r.stringList('cors_exposed_headers') ?? []
    c.corsAllowCredentials = r.bool('cors_allow_credentials') ?? false
    c.readTimeout = strictDuration(r, 'read_timeout', c.readTimeout)
    c.readHeaderTimeout = strictDuration(r, 'read_header_timeout', c.readHeaderTimeout)
    c.writeTimeout = strictDuration(r, 'write_timeout', c.writeTimeout)
    c.idleTimeout = strictDuration(r, 'idle_timeout', c.idleTimeout)
    // A missing cors_max_age reads as "0s" (Go compatibility rule).
    c.corsMaxAge = strictDuration(r, 'cors_max_age', 0n)
    const libp2p = r.strings('libp2p_listen_multiaddress') ?? []
    if (libp2p.length > 0) c.libp2pListenMultiaddress = multiaddrList(r.key('libp2p_listen_multiaddress'), `${key}.libp2p_listen_multiaddress`, libp2p)
    const pk = r.string('private_key') ?? ''
    if (pk !== '') {
      try {
        decodePrivateKey(pk, `${key}.private_key`)
      } catch (err) {
        throw new ConfigParseError(r.key('private_key'), messageOf(err), { cause: err })
      }
      c.privateKey = pk
    }
    const id = r.string('id') ?? ''
    if (id !== '') {
      try {
        c.id = parsePeerId(id)
      } catch (err) {
        throw new ConfigParseError(r.key('id'), `error parsing ${key}.ID: ${messageOf(err)}`, { cause: err })
      }
    }
    const creds = r.stringMap('basic_auth_credentials')
    c.basicAuthCredentials = creds === undefined ? null : { ...creds }
    c.httpLogFile = r.string('http_log_file') ?? ''
    c.headers = { ...(r.stringListMap('headers') ?? {}) }
    c.dashboard = key === 'restapi' && (r.bool('dashboard') ?? false)
    return c
  }
}

function makeValidate (key: string) {
  return (c: HttpApiSection): string | undefined => {
    if (c.readTimeout < 0n) return `${key}.read_timeout is invalid`
    if (c.readHeaderTimeout < 0n) return `${key}.read_header_timeout is invalid`
    if (c.writeTimeout < 0n) return `${key}.write_timeout is invalid`
    if (c.idleTimeout < 0n) return `${key}.idle_timeout invalid`
    if (c.maxHeaderBytes < MIN_MAX_HEADER_BYTES) return `${key}.max_header_bytes must be not less then ${MIN_MAX_HEADER_BYTES}`
    if (c.basicAuthCredentials !== null && Object.keys(c.basicAuthCredentials).length === 0) {
      return `${key}.basic_auth_creds should be null or have at least one entry`
    }
    if ((c.sslCertFile === '') !== (c.sslKeyFile === '')) return `${key}: missing TLS configuration`
    if (c.corsMaxAge < 0n) return `${key}.cors_max_age is invalid`
    if (c.id !== '' || c.privateKey !== '' || c.libp2pListenMultiaddress.length > 0) {
      if (c.id === '' || c.privateKey === '' || c.libp2pListenMultiaddress.length === 0) {
        return 'all ID, private_key and libp2p_listen_multiaddress should be set'
      }
      if (peerIdOfKey(decodePrivateKey(c.privateKey)) !== c.id) return `${key}.ID does not match private_key`
    }
    return undefined
  }
}

function httpApiToJson (c: HttpApiSection): JsonObject {
  const out: JsonObject = { http_listen_multiaddress: stringsJson(c.httpListenMultiaddress) }
  if (c.sslCertFile !== '') out.ssl_cert_file = c.sslCertFile
  if (c.sslKeyFile !== '') out.ssl_key_file = c.sslKeyFile
  out.read_timeout = formatDuration(c.readTimeout)
  out.read_header_timeout = formatDuration(c.readHeaderTimeout)
  out.write_timeout = formatDuration(c.writeTimeout)
  out.idle_timeout = formatDuration(c.idleTimeout)
  out.max_header_bytes = c.maxHeaderBytes
  if (c.libp2pListenMultiaddress.length > 0) out.libp2p_listen_multiaddress = stringsJson(c.libp2pListenMultiaddress)
  if (c.id !== '') out.id = c.id
  if (c.privateKey !== '') out.private_key = c.privateKey
  out.basic_auth_credentials = c.basicAuthCredentials === null ? null : goMap(Object.entries(c.basicAuthCredentials))
  out.http_log_file = c.httpLogFile
  out.headers = goMap(Object.entries(c.headers).map(([k, v]) => [k, [...v]]))
  out.cors_allowed_origins = [...c.corsAllowedOrigins]
  out.cors_allowed_methods = [...c.corsAllowedMethods]
  out.cors_allowed_headers = [...c.corsAllowedHeaders]
  out.cors_exposed_headers = [...c.corsExposedHeaders]
  out.cors_allow_credentials = c.corsAllowCredentials
  out.cors_max_age = formatDuration(c.corsMaxAge)
  if (c.dashboard) out.dashboard = true
  return out
}

const f = (name: string, path: string, kind: EnvField['kind']): EnvField => ({ name, path, kind })

const ENV_FIELDS: readonly EnvField[] = [
  f('HTTPLISTENMULTIADDRESS', 'http_listen_multiaddress', 'list'),
  f('SSLCERTFILE', 'ssl_cert_file', 'string'),
  f('SSLKEYFILE', 'ssl_key_file', 'string'),
  f('READTIMEOUT', 'read_timeout', 'string'),
  f('READHEADERTIMEOUT', 'read_header_timeout', 'string'),
  f('WRITETIMEOUT', 'write_timeout', 'string'),
  f('IDLETIMEOUT', 'idle_timeout', 'string'),
  f('MAXHEADERBYTES', 'max_header_bytes', 'int'),
  f('LIBP2PLISTENMULTIADDRESS', 'libp2p_listen_multiaddress', 'list'),
  f('ID', 'id', 'string'),
  f('PRIVATEKEY', 'private_key', 'string'),
  f('BASICAUTHCREDENTIALS', 'basic_auth_credentials', 'map'),
  f('HTTPLOGFILE', 'http_log_file', 'string'),
  f('HEADERS', 'headers', 'listmap'),
  f('CORSALLOWEDORIGINS', 'cors_allowed_origins', 'list'),
  f('CORSALLOWEDMETHODS', 'cors_allowed_methods', 'list'),
  f('CORSALLOWEDHEADERS', 'cors_allowed_headers', 'list'),
  f('CORSEXPOSEDHEADERS', 'cors_exposed_headers', 'list'),
  f('CORSALLOWCREDENTIALS', 'cors_allow_credentials', 'bool'),
  f('CORSMAXAGE', 'cors_max_age', 'string'),
  f('DASHBOARD', 'dashboard', 'bool')
]

function httpApiCodec (key: string, envPrefix: string): SectionCodec<HttpApiSection> {
  return {
    key,
    envPrefix,
    known: KNOWN,
    envFields: ENV_FIELDS,
    defaults: () => defaultHttpApi(key),
    apply: makeApply(key),
    validate: makeValidate(key),
    toJson: httpApiToJson
  }
}

export const restApiCodec = httpApiCodec('restapi', 'CLUSTER_RESTAPI')
export const pinSvcApiCodec = httpApiCodec('pinsvcapi', 'CLUSTER_PINSVCAPI')

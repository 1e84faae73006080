/**
 * The `api.restapi` and `api.pinsvcapi` sections (config.md §5.3–5.4): the same keys (Go's
 * `api/common/config.go`), differing only in the default listen port and env prefix. Their model
 * — type, defaults, Go's load rules, validation texts, JSON form, env field names — is
 * @cluster/rest-api's; this file adds what needs the service's key codec (the private key decodes
 * and belongs to `id`) and adapts errors to the loader's.
 */
import type { JsonObject } from '@cluster/api'
import {
  REST_API_ENV_FIELDS, defaultRestApiConfig, readRestApiJson, restApiConfigToJson, validateRestApiConfig, type RestApiConfig
} from '@cluster/rest-api/config'
import { ConfigParseError, adaptPackageError, messageOf, reasonOf } from '../errors.ts'
import { decodePrivateKey, peerIdOfKey } from '../identity.ts'
import type { EnvField } from '../env.ts'
import type { JsonReader } from '../json-reader.ts'
import type { SectionCodec } from '../section.ts'

/**
 * The section as the config layer holds it: @cluster/rest-api's RestApiConfig without the
 * fields that are not Go keys (section name, config folder, body limit).
 */
export type HttpApiSection = Omit<RestApiConfig, 'configKey' | 'configDir' | 'maxBodyBytes'>

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

/**
 * The section's JSON with every key read by its JSON type (so a wrong type is reported as in the
 * other sections), then Go's load rules of @cluster/rest-api; the private key must decode.
 */
function makeApply (key: string) {
  return (_base: HttpApiSection, r: JsonReader): HttpApiSection => {
    const json = r.typed({
      string: ['ssl_cert_file', 'ssl_key_file', 'read_timeout', 'read_header_timeout', 'write_timeout', 'idle_timeout', 'id', 'private_key', 'http_log_file', 'cors_max_age'],
      int: ['max_header_bytes'],
      bool: ['cors_allow_credentials', 'dashboard'],
      strings: ['http_listen_multiaddress', 'libp2p_listen_multiaddress'],
      stringList: ['cors_allowed_origins', 'cors_allowed_methods', 'cors_allowed_headers', 'cors_exposed_headers'],
      stringMap: ['basic_auth_credentials'],
      stringListMap: ['headers']
    })
    const pk = r.string('private_key') ?? ''
    if (pk !== '') {
      try {
        decodePrivateKey(pk, `${key}.private_key`)
      } catch (err) {
        throw new ConfigParseError(r.key('private_key'), messageOf(err), { cause: err })
      }
    }
    const { configKey: _k, configDir: _d, maxBodyBytes: _b, ...section } = adaptPackageError(key, r.path, () => readRestApiJson(json, { configKey: key }))
    return section
  }
}

/** @cluster/rest-api's validation, then whether the private key is the one of `id`. */
function makeValidate (key: string) {
  return (c: HttpApiSection): string | undefined => {
    const reason = reasonOf(() => { validateRestApiConfig(serverConfigOf(key, c, '.')) })
    if (reason !== undefined) return reason
    if (c.id !== '' && peerIdOfKey(decodePrivateKey(c.privateKey)) !== c.id) return `${key}.ID does not match private_key`
    return undefined
  }
}

/** Go's envconfig names of the section's fields (the loader's env step converts their values). */
const ENV_FIELDS: readonly EnvField[] = REST_API_ENV_FIELDS.map(([name, path, kind]) => ({ name, path, kind: kind === 'headers' ? 'listmap' : kind }))

function httpApiCodec (key: string, envPrefix: string): SectionCodec<HttpApiSection> {
  return {
    key,
    envPrefix,
    known: KNOWN,
    envFields: ENV_FIELDS,
    defaults: () => defaultHttpApi(key),
    apply: makeApply(key),
    validate: makeValidate(key),
    toJson: (c) => restApiConfigToJson(serverConfigOf(key, c, '.')) as JsonObject
  }
}

export const restApiCodec = httpApiCodec('restapi', 'CLUSTER_RESTAPI')
export const pinSvcApiCodec = httpApiCodec('pinsvcapi', 'CLUSTER_PINSVCAPI')

/**
 * Reading a configuration folder for `daemon` and `state` (config.md §2, §3): `service.json`
 * with the environment applied, then `identity.json` (migrated from a pre-0.11 `service.json`
 * when missing) with `CLUSTER_ID`/`CLUSTER_PRIVATEKEY` applied.
 */
import { readFile } from 'node:fs/promises'
import { pathExists } from './replace-file.ts'
import { ConfigSourceError, IdentityError, messageOf } from './errors.ts'
import type { Env } from './env.ts'
import { configPaths } from './folder.ts'
import { applyIdentityEnv, identityFromJson, readIdentityFile, writeIdentityFile } from './identity.ts'
import type { Identity } from './identity.ts'
import type { ConfigWarning } from './json-reader.ts'
import { readServiceConfigFile } from './service-file.ts'
import { parseServiceConfig } from './service-config.ts'
import type { LoadedServiceConfig, ParseServiceConfigOptions, ServiceConfig } from './service-config.ts'
import { fetchSourceConfig } from './source.ts'

export interface LoadIdentityResult {
  identity: Identity
  /** Set when the identity was migrated out of `service.json`: the notice Go prints to stderr. */
  notice?: string
}


/**
 * Loads `identity.json`; when it does not exist, extracts `cluster.id` and
 * `cluster.private_key` from the legacy `service.json`, saves them as `identity.json` and
 * returns Go's notice. Environment overrides are applied last.
 */
export async function loadIdentity (identityPath: string, servicePath: string, env: Env = {}): Promise<LoadIdentityResult> {
  let identity: Identity
  let notice: string | undefined
  if (await pathExists(identityPath)) {
    identity = await readIdentityFile(identityPath)
  } else {
    let cluster: unknown
    try {
      const json = JSON.parse(await readFile(servicePath, 'utf8')) as Record<string, unknown>
      cluster = json.cluster ?? {}
    } catch (err) {
      throw new IdentityError(`error loading identity: ${messageOf(err)}`, { cause: err })
    }
    try {
      identity = identityFromJson(cluster)
    } catch (err) {
      throw new IdentityError(`error loading identity: ${messageOf(err)}`, { cause: err })
    }
    try {
      await writeIdentityFile(identityPath, identity)
    } catch (err) {
      throw new IdentityError(`error saving identity: ${messageOf(err)}`, { cause: err })
    }
    notice = `\nNOTICE: identity information extracted from ${servicePath} and saved as ${identityPath}.\n\n`
  }
  try {
    identity = applyIdentityEnv(identity, env)
  } catch (err) {
    throw new IdentityError(`error applying environment variables to the identity: ${messageOf(err)}`, { cause: err })
  }
  return notice === undefined ? { identity } : { identity, notice }
}

export interface LoadedConfigFolder {
  folder: string
  servicePath: string
  identityPath: string
  config: ServiceConfig
  identity: Identity
  warnings: ConfigWarning[]
  /** Legacy identity migration notice (print it to stderr). */
  notice?: string
  /** The URL the configuration was fetched from, when `service.json` names a `source`. */
  source?: string
}

export interface LoadConfigFolderOptions {
  /** Environment overrides (default: none). */
  env?: Env
  /** Peer name used when the file gives none (default: hostname). */
  hostname?: string
}

/**
 * Loads a configuration folder the way `daemon` and `state` do: `service.json` + environment,
 * then the identity. Failures are ConfigError subclasses; the command line reports them as
 * `error loading configurations: <message>`.
 */
export async function loadConfigFolder (folder: string, opts: LoadConfigFolderOptions = {}): Promise<LoadedConfigFolder> {
  const paths = configPaths(folder)
  const env = opts.env ?? {}
  const parseOpts: ParseServiceConfigOptions = { env }
  if (opts.hostname !== undefined) parseOpts.hostname = opts.hostname
  const { config, warnings, source } = await readServiceConfigWithSource(paths.service, parseOpts)
  const { identity, notice } = await loadIdentity(paths.identity, paths.service, env)
  const out: LoadedConfigFolder = { folder, servicePath: paths.service, identityPath: paths.identity, config, identity, warnings }
  if (notice !== undefined) out.notice = notice
  if (source !== undefined) out.source = source
  return out
}

/**
 * Reads `service.json`; one that names a `source` is fetched from it and parsed in its place (at
 * every start, as Go does: the publisher's changes apply at the next start).
 */
export async function readServiceConfigWithSource (path: string, opts: ParseServiceConfigOptions): Promise<LoadedServiceConfig & { source?: string }> {
  try {
    return await readServiceConfigFile(path, opts)
  } catch (err) {
    if (!(err instanceof ConfigSourceError)) throw err
    const text = await fetchSourceConfig(err.url)
    return { ...parseServiceConfig(text, { ...opts, sourced: true }), source: err.url }
  }
}

/**
 * Reading a configuration folder for `daemon` and `state` (config.md §2, §3): `service.json`
 * with the environment applied, then `identity.json` (migrated from a pre-0.11 `service.json`
 * when missing) with `CLUSTER_ID`/`CLUSTER_PRIVATEKEY` applied.
 */
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pathExists, writeTextFile0600 } from './replace-file.ts'
import { ConfigSourceError, ConfigSourceUnavailableError, IdentityError, messageOf } from './errors.ts'
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
  /** Why the last fetched copy of the source's configuration was used instead (log it). */
  sourceFallback?: string
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
  const { config, warnings, source, sourceFallback } = await readServiceConfigWithSource(paths.service, parseOpts)
  const { identity, notice } = await loadIdentity(paths.identity, paths.service, env)
  const out: LoadedConfigFolder = { folder, servicePath: paths.service, identityPath: paths.identity, config, identity, warnings }
  if (notice !== undefined) out.notice = notice
  if (source !== undefined) out.source = source
  if (sourceFallback !== undefined) out.sourceFallback = sourceFallback
  return out
}

/** Beside `service.json`: the configuration last fetched from its source, with its URL and time. */
export const SOURCE_COPY_FILE = 'service.source.json'

interface SourceCopy {
  url: string
  fetched: string
  config: unknown
}

/**
 * Reads `service.json`; one that names a `source` is fetched from it and parsed in its place (at
 * every start, as Go does: the publisher's changes apply at the next start). What was fetched is
 * kept beside it (mode 0600: it holds the secret), and when the source cannot be reached — no
 * answer, 429 or 5xx — the copy fetched from that same URL is used, with `sourceFallback` saying
 * so: Go's peer does not start then, and a follower whose publisher's server is down would stay
 * down with it.
 */
export async function readServiceConfigWithSource (path: string, opts: ParseServiceConfigOptions): Promise<LoadedServiceConfig & { source?: string, sourceFallback?: string }> {
  try {
    return await readServiceConfigFile(path, opts)
  } catch (err) {
    if (!(err instanceof ConfigSourceError)) throw err
    const url = err.url
    const copyPath = join(dirname(path), SOURCE_COPY_FILE)
    let text: string
    try {
      text = await fetchSourceConfig(url)
    } catch (fetchErr) {
      const copy = fetchErr instanceof ConfigSourceUnavailableError ? await readSourceCopy(copyPath) : undefined
      if (copy?.url !== url) throw fetchErr
      const loaded = parseServiceConfig(JSON.stringify(copy.config), { ...opts, sourced: true })
      return { ...loaded, source: url, sourceFallback: `${(fetchErr as Error).message}: using the configuration fetched from it at ${copy.fetched} (${copyPath})` }
    }
    const loaded = parseServiceConfig(text, { ...opts, sourced: true })
    // Kept only once it parsed: a broken publication never replaces a good copy.
    const copy: SourceCopy = { url, fetched: new Date().toISOString(), config: JSON.parse(text) }
    const kept = await writeTextFile0600(copyPath, JSON.stringify(copy, null, 2)).then(() => undefined, (e: Error) => e)
    if (kept !== undefined) loaded.warnings.push({ key: 'source', message: `could not keep a copy of the fetched configuration in ${copyPath}: ${kept.message}` })
    return { ...loaded, source: url }
  }
}

async function readSourceCopy (path: string): Promise<SourceCopy | undefined> {
  try {
    const copy = JSON.parse(await readFile(path, 'utf8')) as Partial<SourceCopy>
    return typeof copy.url === 'string' && typeof copy.fetched === 'string' && typeof copy.config === 'object' && copy.config !== null ? copy as SourceCopy : undefined
  } catch {
    return undefined
  }
}

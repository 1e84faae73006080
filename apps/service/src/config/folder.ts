/**
 * The configuration folder (config.md §1): where it is, what is inside, and creating it with
 * mode 0700.
 */
import { mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import type { Env } from './env.ts'

export const DEFAULT_CONFIG_FOLDER_NAME = '.ipfs-cluster'
export const SERVICE_FILE = 'service.json'
export const IDENTITY_FILE = 'identity.json'
export const LOCK_FILE = 'cluster.lock'

export interface ResolveConfigFolderOptions {
  /** `--config` / `-c` value, if given (wins over the environment). */
  flag?: string
  /** Environment (`IPFS_CLUSTER_PATH`, `HOME`); default `process.env`. */
  env?: Env
  /** Base of relative paths; default `process.cwd()`. */
  cwd?: string
}

/**
 * The configuration folder, absolute: `--config`, else `IPFS_CLUSTER_PATH`, else
 * `$HOME/.ipfs-cluster` (the OS user's home when HOME is empty).
 */
export function resolveConfigFolder (opts: ResolveConfigFolderOptions = {}): string {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const chosen = opts.flag !== undefined && opts.flag !== ''
    ? opts.flag
    : env.IPFS_CLUSTER_PATH !== undefined && env.IPFS_CLUSTER_PATH !== ''
      ? env.IPFS_CLUSTER_PATH
      : join(env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir(), DEFAULT_CONFIG_FOLDER_NAME)
  return isAbsolute(chosen) ? resolve(chosen) : resolve(cwd, chosen)
}

export interface ConfigPaths {
  folder: string
  service: string
  identity: string
  lock: string
}

/** The fixed file names inside a configuration folder. */
export function configPaths (folder: string): ConfigPaths {
  return {
    folder,
    service: join(folder, SERVICE_FILE),
    identity: join(folder, IDENTITY_FILE),
    lock: join(folder, LOCK_FILE)
  }
}

/** Creates the folder (and parents) with mode 0700 when it does not exist yet. */
export async function ensureConfigFolder (folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 })
}

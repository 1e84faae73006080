/**
 * Reading and writing `service.json` on disk (mode 0600, no trailing newline).
 */
import { readFile } from 'node:fs/promises'
import { writeTextFile0600 } from './replace-file.ts'
import { ConfigError, messageOf } from './errors.ts'
import { formatServiceConfig, parseServiceConfig } from './service-config.ts'
import type { LoadedServiceConfig, ParseServiceConfigOptions, ServiceConfig } from './service-config.ts'

/** Reads and parses a `service.json` file (see `parseServiceConfig`). */
export async function readServiceConfigFile (path: string, opts: ParseServiceConfigOptions = {}): Promise<LoadedServiceConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`error reading the configuration file: ${messageOf(err)}`, { cause: err })
  }
  return parseServiceConfig(text, opts)
}

/** Validates and writes a `service.json` file with mode 0600 (the folder must exist). */
export async function writeServiceConfigFile (path: string, config: ServiceConfig): Promise<void> {
  await writeTextFile0600(path, formatServiceConfig(config))
}


/**
 * The `consensus.crdt` section (consensus-crdt.md §2.1). Its model — type, defaults, Go's load
 * rules and texts, JSON form, environment fields — is @cluster/consensus's `CrdtConsensusConfig`
 * (milliseconds); this file reads the JSON types with the loader's messages and adapts the
 * package's errors.
 */
import { join } from 'node:path'
import {
  CRDT_BATCHING_JSON_KEYS, CRDT_ENV_FIELDS, CRDT_JSON_KEYS, crdtConfigToJson, defaultCrdtConfig, readCrdtJson, validateCrdtConfig,
  type CrdtConsensusConfig
} from '@cluster/consensus/config'
import type { JsonObject } from '@cluster/api'
import { envFieldsOf } from '../env.ts'
import { adaptPackageError, reasonOf } from '../errors.ts'
import type { SectionCodec } from '../section.ts'

export type CrdtSection = CrdtConsensusConfig

export const crdtCodec: SectionCodec<CrdtSection> = {
  key: 'crdt',
  envPrefix: 'CLUSTER_CRDT',
  known: CRDT_JSON_KEYS,
  envFields: envFieldsOf(CRDT_ENV_FIELDS),
  defaults: defaultCrdtConfig,
  apply: (base, r) => {
    const json = r.typed({
      string: ['cluster_name', 'repair_interval', 'rebroadcast_interval', 'peerset_metric', 'datastore_namespace', 'data_folder'],
      stringList: ['trusted_peers']
    })
    const batching = r.object('batching', CRDT_BATCHING_JSON_KEYS)
    if (batching !== undefined) json.batching = batching.typed({ int: ['max_batch_size', 'max_queue_size'], string: ['max_batch_age'] })
    return adaptPackageError('crdt', r.path, () => readCrdtJson(json, base))
  },
  validate: (c) => reasonOf(() => { validateCrdtConfig(c) }),
  toJson: (c): JsonObject => ({ ...crdtConfigToJson(c) }) as JsonObject
}

/** The CRDT data folder: `data_folder`, or `<config folder>/crdt`. */
export function crdtDataFolder (crdt: CrdtSection, configFolder: string): string {
  return crdt.dataFolder === '' ? join(configFolder, 'crdt') : crdt.dataFolder
}

/**
 * The `consensus.raft` section (config.md §5.1). Its model — type, defaults, Go's load rules and
 * texts, JSON form, environment fields — is @cluster/consensus's `RaftConsensusConfig`
 * (milliseconds); this file reads the JSON types with the loader's messages, turns Go's
 * "not a valid duration" notices into the loader's warnings and adapts the package's errors.
 */
import { join } from 'node:path'
import {
  RAFT_ENV_FIELDS, RAFT_JSON_KEYS, defaultRaftConfig, raftConfigToJson, readRaftJson, validateRaftConfig,
  type RaftConsensusConfig
} from '@cluster/consensus/config'
import type { JsonObject } from '@cluster/api'
import { envFieldsOf } from '../env.ts'
import { adaptPackageError, reasonOf } from '../errors.ts'
import type { SectionCodec } from '../section.ts'

export type RaftSection = RaftConsensusConfig

export const raftCodec: SectionCodec<RaftSection> = {
  key: 'raft',
  envPrefix: 'CLUSTER_RAFT',
  known: RAFT_JSON_KEYS,
  envFields: envFieldsOf(RAFT_ENV_FIELDS),
  defaults: defaultRaftConfig,
  apply: (base, r, warnings) => {
    const json = r.typed({
      string: ['data_folder', 'wait_for_leader_timeout', 'network_timeout', 'commit_retry_delay', 'datastore_namespace', 'heartbeat_timeout', 'election_timeout', 'commit_timeout', 'snapshot_interval', 'leader_lease_timeout'],
      int: ['commit_retries', 'backups_rotate', 'max_append_entries'],
      uint: ['trailing_logs', 'snapshot_threshold'],
      stringList: ['init_peerset']
    })
    return adaptPackageError('raft', r.path, () => readRaftJson(json, base, (key, message) => { warnings.push({ key: r.key(key), message }) }))
  },
  validate: (c) => reasonOf(() => { validateRaftConfig(c) }),
  toJson: (c): JsonObject => ({ ...raftConfigToJson(c) }) as JsonObject
}

/** The Raft data folder: `data_folder`, or `<config folder>/raft`. */
export function raftDataFolder (raft: RaftSection, configFolder: string): string {
  return raft.dataFolder === '' ? join(configFolder, 'raft') : raft.dataFolder
}

/**
 * Opening the Raft data folder: refuse, with a message saying what to do, a folder holding Go
 * IPFS Cluster's BoltDB store (we cannot read it and would silently start from an empty
 * pinset) or files SQLite cannot open (corrupt or foreign), instead of crashing on them.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { SqliteStorage } from '@cluster/raft'
import { DataFolderError } from './errors.ts'
import { PinsetState, type ApplyHooks } from './state.ts'

export const RAFT_FILE = 'raft.sqlite'
export const PINSET_FILE = 'pinset.sqlite'
/** Go's Raft log + stable store (hashicorp/raft-boltdb). */
export const GO_RAFT_FILE = 'raft.db'

export interface OpenedDataFolder { storage: SqliteStorage, state: PinsetState }

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export function openDataFolder (dir: string, hooks?: ApplyHooks): OpenedDataFolder {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (existsSync(join(dir, GO_RAFT_FILE)) && !existsSync(join(dir, RAFT_FILE))) {
    throw new DataFolderError(`${dir} holds the Raft store of a Go IPFS Cluster peer (${GO_RAFT_FILE}), which this peer cannot read: ` +
      'export its pinset with the Go `ipfs-cluster-service state export`, then run `state cleanup` and `state import` here ' +
      '(or set consensus.raft.data_folder to an empty folder)')
  }
  let storage: SqliteStorage
  try {
    storage = new SqliteStorage(join(dir, RAFT_FILE))
  } catch (err) {
    throw new DataFolderError(`cannot open the Raft log ${join(dir, RAFT_FILE)}: ${messageOf(err)} (run \`state cleanup\` to start over with a backup of the folder)`, { cause: err })
  }
  try {
    return { storage, state: new PinsetState(join(dir, PINSET_FILE), hooks) }
  } catch (err) {
    storage.close()
    throw new DataFolderError(`cannot open the pinset ${join(dir, PINSET_FILE)}: ${messageOf(err)} (run \`state cleanup\` to start over with a backup of the folder)`, { cause: err })
  }
}

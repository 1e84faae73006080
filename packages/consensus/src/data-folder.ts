/**
 * Opening the Raft data folder. The Raft log is the source of truth and the pinset a replica
 * derived from it, so a peer never runs on damaged files:
 * - a pinset SQLite cannot read, or that fails its integrity check, is moved aside and rebuilt
 *   from the Raft snapshot and log (the driver replays them at start);
 * - a Raft log that is damaged, missing or truncated behind what the pinset applied is moved
 *   aside: the peer starts with an empty log, never founds a new group, and waits for the leader
 *   to send it the current state (it is still a member); its old pins stay readable until then;
 * - a folder of Go IPFS Cluster's BoltDB store, or files SQLite cannot open at all, are refused
 *   with a message saying what to do.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SnapshotFolder } from '@cluster/raft/node'
import { SqliteStorage } from '@cluster/raft/sqlite'
import { DataFolderError } from './errors.ts'
import { checkIntegrity } from './pinset-file.ts'
import { PinsetState, type ApplyHooks } from './state.ts'

export const RAFT_FILE = 'raft.sqlite'
export const PINSET_FILE = 'pinset.sqlite'
export const SNAPSHOTS_DIR = 'snapshots'
/** Present while a peer whose log was lost waits for the leader's state: it must not found a group. */
export const REJOIN_MARKER = 'rejoin-pending'
/** Go's Raft log + stable store (hashicorp/raft-boltdb). */
export const GO_RAFT_FILE = 'raft.db'

export interface OpenedDataFolder {
  storage: SqliteStorage
  state: PinsetState
  snapshots: SnapshotFolder
  /** The log was lost: start empty and wait for the leader (never bootstrap). */
  rejoin: boolean
  /** What was found and repaired, for the peer's log. */
  repairs: string[]
}

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Moves a SQLite file and its WAL/SHM aside under a dated name; returns the new name. */
export function moveAside (path: string, why: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const target = `${path}.${why}-${stamp}`
  renameSync(path, target)
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix)
  }
  return target
}

export function openDataFolder (dir: string, hooks?: ApplyHooks): OpenedDataFolder {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (existsSync(join(dir, GO_RAFT_FILE)) && !existsSync(join(dir, RAFT_FILE))) {
    throw new DataFolderError(`${dir} holds the Raft store of a Go IPFS Cluster peer (${GO_RAFT_FILE}), which this peer cannot read: ` +
      'export its pinset with the Go `ipfs-cluster-service state export`, then run `state cleanup` and `state import` here ' +
      '(or set consensus.raft.data_folder to an empty folder)')
  }
  const repairs: string[] = []
  const raftPath = join(dir, RAFT_FILE)
  const pinsetPath = join(dir, PINSET_FILE)
  let rejoin = existsSync(join(dir, REJOIN_MARKER))

  const raftProblem = existsSync(raftPath) ? checkIntegrity(raftPath) : undefined
  if (raftProblem !== undefined) {
    const aside = moveAside(raftPath, 'damaged')
    repairs.push(`the Raft log ${raftPath} is damaged (${raftProblem}); moved to ${aside}`)
    rejoin = true
  }
  const pinsetProblem = existsSync(pinsetPath) ? checkIntegrity(pinsetPath) : undefined
  if (pinsetProblem !== undefined) {
    const aside = moveAside(pinsetPath, 'damaged')
    repairs.push(`the pinset ${pinsetPath} is damaged (${pinsetProblem}); moved to ${aside}, rebuilding it from the Raft snapshot and log`)
  }

  const snapshots = new SnapshotFolder(join(dir, SNAPSHOTS_DIR))
  let storage: SqliteStorage
  try {
    storage = new SqliteStorage(raftPath)
  } catch (err) {
    throw new DataFolderError(`cannot open the Raft log ${raftPath}: ${messageOf(err)} (run \`state cleanup\` to start over with a backup of the folder)`, { cause: err })
  }
  let state: PinsetState
  try {
    state = new PinsetState(pinsetPath, hooks, { snapshots })
  } catch (err) {
    storage.close()
    throw new DataFolderError(`cannot open the pinset ${pinsetPath}: ${messageOf(err)} (run \`state cleanup\` to start over with a backup of the folder)`, { cause: err })
  }

  // The pinset applied entries the log does not have: the log was truncated or replaced.
  const { hardState } = storage.initialState()
  const logEnd = Math.max(hardState.commit, storage.snapshot().metadata.index)
  const applied = state.appliedIndex()
  if (applied > logEnd) {
    repairs.push(`the Raft log ${raftPath} ends at index ${logEnd} but the pinset applied ${applied}: the log was lost or truncated. ` +
      'Starting with an empty log: this peer waits for the cluster leader to send it the current state ' +
      '(it must still be a member of the cluster; if it was the only peer, stop it and run `state export`, `state cleanup`, then `state import`)')
    if (storage.lastIndex() > 0 || logEnd > 0) {
      storage.close()
      const aside = moveAside(raftPath, 'truncated')
      repairs.push(`the remains of the log were moved to ${aside}`)
      storage = new SqliteStorage(raftPath)
    }
    // Its pins stay readable until the leader's snapshot replaces them; nothing counts as applied.
    state.forgetAppliedIndex()
    rejoin = true
  }
  const markerPath = join(dir, REJOIN_MARKER)
  if (rejoin && storage.lastIndex() === 0) {
    writeFileSync(markerPath, 'the Raft log was lost: waiting for the leader\'s state before taking part\n')
  } else if (existsSync(markerPath)) {
    rmSync(markerPath, { force: true })
    rejoin = false
  }
  return { storage, state, snapshots, rejoin, repairs }
}

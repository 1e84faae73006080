/**
 * Opening the Raft data folder. The Raft log is the source of truth and the pinset a replica
 * derived from it, so a peer never runs on damaged files:
 * - a pinset SQLite cannot read, or that fails its integrity check, or that was open when the
 *   machine stopped (its writes skip fsync: UNSYNCED_MARKER), is moved aside and rebuilt from the
 *   Raft snapshot and log (the driver replays them at start);
 * - a Raft log that is damaged, missing or truncated behind what the pinset applied is moved
 *   aside: the peer starts with an empty log, never founds a new group, and waits for the leader
 *   to send it the current state (it is still a member); its old pins stay readable until then;
 * - a folder of Go IPFS Cluster's BoltDB store, or files SQLite cannot open at all, are refused
 *   with a message saying what to do.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SnapshotFolder } from '@cluster/raft/node'
import { SqliteStorage } from '@cluster/raft/sqlite'
import { DataFolderError } from './errors.ts'
import { integrityProblem, stampClosed } from './closed-stamp.ts'
import { PinsetState, type ApplyHooks } from './state.ts'

export const RAFT_FILE = 'raft.sqlite'
export const PINSET_FILE = 'pinset.sqlite'
export const SNAPSHOTS_DIR = 'snapshots'
/** Present while a peer whose log was lost waits for the leader's state: it must not found a group. */
export const REJOIN_MARKER = 'rejoin-pending'
/** Go's Raft log + stable store (hashicorp/raft-boltdb). */
export const GO_RAFT_FILE = 'raft.db'

/**
 * Present while a peer runs with a pinset whose writes skip fsync; it holds the boot the peer
 * started in (Linux's boot_id). Found at start with another boot's ID, the machine stopped (power
 * loss, kernel crash) while the pinset was open, so the file may miss writes or be torn: it is
 * rebuilt. A killed process (kill -9) leaves every write in the operating system's cache, so its
 * pinset is kept. Without a boot ID (not Linux) the pinset is synced as before and no marker is
 * written.
 */
export const UNSYNCED_MARKER = 'pinset-unsynced'

export interface OpenedDataFolder {
  storage: SqliteStorage
  state: PinsetState
  snapshots: SnapshotFolder
  /** The log was lost: start empty and wait for the leader (never bootstrap). */
  rejoin: boolean
  /** What was found and repaired, for the peer's log. */
  repairs: string[]
  /** A clean stop: puts the pinset on disk and removes UNSYNCED_MARKER (before closing it). */
  markSynced: () => void
  /** After both files were closed at a clean stop: their integrity checks skip them next time (closed-stamp.ts). */
  stampClosed: () => void
}

export interface OpenDataFolderOptions {
  /** The machine's boot ID (tests stand in another boot); default: Linux's, undefined elsewhere. */
  bootId?: () => string | undefined
}

/** Linux's ID of the current boot; undefined where there is none. */
export function currentBootId (): string | undefined {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    return id === '' ? undefined : id
  } catch {
    return undefined
  }
}

/** Why the pinset of `dir` cannot be trusted: it was open, unsynced, when the machine stopped. */
export function unsyncedPinsetProblem (dir: string, bootId = currentBootId()): string | undefined {
  const marker = join(dir, UNSYNCED_MARKER)
  if (!existsSync(marker)) return undefined
  if (bootId !== undefined && readFileSync(marker, 'utf8').trim() === bootId) return undefined
  return 'it was open when the machine stopped, and its writes skip fsync'
}

/** A file and its name on disk before anything else is written. */
function writeSynced (path: string, text: string): void {
  writeFileSync(path, text)
  for (const target of [path, join(path, '..')]) {
    const fd = openSync(target, 'r')
    try { fsyncSync(fd) } finally { closeSync(fd) }
  }
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

export function openDataFolder (dir: string, hooks?: ApplyHooks, options: OpenDataFolderOptions = {}): OpenedDataFolder {
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

  const raftProblem = integrityProblem(raftPath, true)
  if (raftProblem !== undefined) {
    const aside = moveAside(raftPath, 'damaged')
    repairs.push(`the Raft log ${raftPath} is damaged (${raftProblem}); moved to ${aside}`)
    rejoin = true
  }
  const bootId = (options.bootId ?? currentBootId)()
  const damage = integrityProblem(pinsetPath, true)
  const unsynced = damage === undefined && existsSync(pinsetPath) ? unsyncedPinsetProblem(dir, bootId) : undefined
  if (damage !== undefined || unsynced !== undefined) {
    const aside = moveAside(pinsetPath, damage !== undefined ? 'damaged' : 'unsynced')
    const why = damage !== undefined ? `is damaged (${damage})` : `cannot be trusted (${unsynced})`
    repairs.push(`the pinset ${pinsetPath} ${why}; moved to ${aside}, rebuilding it from the Raft snapshot and log`)
  }

  const snapshots = new SnapshotFolder(join(dir, SNAPSHOTS_DIR))
  let storage: SqliteStorage
  try {
    storage = new SqliteStorage(raftPath)
  } catch (err) {
    throw new DataFolderError(`cannot open the Raft log ${raftPath}: ${messageOf(err)} (run \`state cleanup\` to start over with a backup of the folder)`, { cause: err })
  }
  const unsyncedMarker = join(dir, UNSYNCED_MARKER)
  if (bootId === undefined) rmSync(unsyncedMarker, { force: true })
  else writeSynced(unsyncedMarker, `${bootId}\n`)
  let state: PinsetState
  try {
    state = new PinsetState(pinsetPath, hooks, { snapshots, skipSync: bootId !== undefined })
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
  const markSynced = (): void => {
    if (!state.isOpen()) return
    state.syncToDisk()
    rmSync(unsyncedMarker, { force: true })
  }
  const stampFiles = (): void => { for (const path of [raftPath, pinsetPath]) stampClosed(path) }
  return { storage, state, snapshots, rejoin, repairs, markSynced, stampClosed: stampFiles }
}

/**
 * Reading a stopped peer's data folder (`state export`): the pinset as the committed Raft log
 * says it is. The pinset file is used when it is sound and has applied everything committed;
 * otherwise it is rebuilt, in a temporary file, from the Raft snapshot and the log. When neither
 * can be trusted the caller gets an error, never an empty or partial pinset.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompactedError, isEmptySnapshot } from '@cluster/raft'
import { SnapshotFolder, proposalId, unwrapProposal } from '@cluster/raft/node'
import { SqliteStorage } from '@cluster/raft/sqlite'
import { DataFolderError } from './errors.ts'
import { PINSET_FILE, RAFT_FILE, SNAPSHOTS_DIR, unsyncedPinsetProblem } from './data-folder.ts'
import { integrityProblem } from './closed-stamp.ts'
import { PinsetState } from './state.ts'

export interface CommittedPinset {
  state: PinsetState
  /** Where the pins come from, and anything the reader should know (for stderr). */
  notes: string[]
  close: () => void
}

/** Entries read from the log per step while replaying. */
const REPLAY_BYTES = 16 * 1024 * 1024

export function openCommittedPinset (dir: string): CommittedPinset {
  const raftPath = join(dir, RAFT_FILE)
  const pinsetPath = join(dir, PINSET_FILE)
  const notes: string[] = []
  const pinsetProblem = existsSync(pinsetPath) ? integrityProblem(pinsetPath, false) ?? unsyncedPinsetProblem(dir) : 'it does not exist'
  const raftProblem = existsSync(raftPath) ? integrityProblem(raftPath, false) : 'it does not exist'

  if (raftProblem !== undefined) {
    if (pinsetProblem !== undefined) {
      if (!existsSync(raftPath) && !existsSync(pinsetPath)) {
        notes.push(`no state in ${dir}: nothing to export`)
        return fromFile(join(mkdtempSync(join(tmpdir(), 'cluster-export-')), PINSET_FILE), notes, true)
      }
      throw new DataFolderError(`cannot export: the Raft log ${raftPath} cannot be read (${raftProblem}) and neither can the pinset ${pinsetPath} (${pinsetProblem})`)
    }
    notes.push(`the Raft log ${raftPath} cannot be read (${raftProblem}): exporting the pinset as this peer last applied it`)
    return fromFile(pinsetPath, notes, false)
  }

  const storage = new SqliteStorage(raftPath)
  try {
    const commit = Math.max(storage.initialState().hardState.commit, storage.snapshot().metadata.index)
    if (pinsetProblem === undefined) {
      const current = fromFile(pinsetPath, notes, false)
      if (current.state.appliedIndex() >= commit) return current
      current.close()
      notes.push(`the pinset ${pinsetPath} is behind the Raft log: rebuilt from the log`)
    } else {
      notes.push(`the pinset ${pinsetPath} cannot be used (${pinsetProblem}): rebuilt from the Raft snapshot and log`)
    }
    return rebuild(dir, storage, commit, notes)
  } finally {
    storage.close()
  }
}

function fromFile (path: string, notes: string[], temporary: boolean): CommittedPinset {
  const state = new PinsetState(path)
  return {
    state,
    notes,
    close: () => {
      state.close()
      if (temporary) rmSync(join(path, '..'), { recursive: true, force: true })
    }
  }
}

/** The snapshot, then every committed entry after it, applied to a new pinset in a temporary folder. */
function rebuild (dir: string, storage: SqliteStorage, commit: number, notes: string[]): CommittedPinset {
  const temp = mkdtempSync(join(dir, '.export-'))
  const state = new PinsetState(join(temp, PINSET_FILE), {}, { snapshots: new SnapshotFolder(join(dir, SNAPSHOTS_DIR)) })
  const result = { state, notes, close: () => { state.close(); rmSync(temp, { recursive: true, force: true }) } }
  try {
    const snap = storage.snapshot()
    if (!isEmptySnapshot(snap)) state.restore(snap.data, snap.metadata.index)
    let next = snap.metadata.index + 1
    while (next <= commit) {
      const entries = storage.entries(next, commit + 1, REPLAY_BYTES)
      for (const entry of entries) {
        const env = entry.type === 'normal' ? unwrapProposal(entry.data) : undefined
        if (env !== undefined) state.apply(env.payload, entry.index, proposalId(env))
      }
      next += entries.length
    }
    return result
  } catch (err) {
    result.close()
    const why = err instanceof CompactedError ? 'the log is compacted and its snapshot is missing' : (err as Error).message
    throw new DataFolderError(`cannot export: the pinset cannot be rebuilt from the Raft snapshot and log (${why})`, { cause: err })
  }
}

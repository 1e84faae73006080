/**
 * The consensus data folder of a stopped peer, as the `state` commands and the daemon's start see
 * it: Go's Clean for Raft (backups rotated) and CRDT (deleted), and a replacement of the whole
 * folder that a crash cannot leave half done.
 *
 * `state import` writes the new state into `<folder>.importing`, marks it complete, retires the
 * old folder (Clean) and renames the new one into place. Before, the old folder was cleaned first
 * and the new state written in place: an import killed half-way (kill -9, an OOM kill, a closed
 * terminal) left a peer whose next start or `state export` showed an empty or partial pinset and
 * said nothing. Now whatever step a crash interrupts, the next command or daemon start settles it
 * (settleInterruptedImport): an incomplete new state is deleted (the old one is still in place);
 * a complete one is moved into place.
 */
import { rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { consensusOf, crdtDataFolder, pathExists, raftDataFolder, syncFolder, type LoadedConfigFolder } from '../config/index.ts'

/** Where a peer keeps its consensus state, and how Go's Clean retires it. */
export interface StateFolder {
  readonly consensus: 'raft' | 'crdt'
  readonly dir: string
  /** Go's Clean: afterwards `dir` does not exist (Raft keeps it as a backup). */
  retire: () => Promise<void>
}

const STAGING_SUFFIX = '.importing'
/** Written last into the staging folder: its state is whole. */
const COMPLETE_MARK = 'import-complete'

export function stateFolderOf (loaded: LoadedConfigFolder, folder: string): StateFolder {
  const { raft, crdt } = loaded.config.consensus
  if (consensusOf(loaded.config) === 'crdt') {
    const dir = crdtDataFolder(crdt, folder)
    return { consensus: 'crdt', dir, retire: async () => { await rm(dir, { recursive: true, force: true }) } }
  }
  const dir = raftDataFolder(raft, folder)
  return { consensus: 'raft', dir, retire: async () => { await cleanRaftFolder(dir, raft.backupsRotate) } }
}

/**
 * Go's Clean (consensus-raft.md §A.8): a folder without a snapshot is deleted; otherwise it is
 * rotated to `raft.old.0` after shifting older backups, keeping at most `backupsRotate`.
 */
async function cleanRaftFolder (dir: string, backupsRotate: number): Promise<void> {
  if (!await pathExists(dir)) return
  if (!await hasSnapshot(dir)) {
    await rm(dir, { recursive: true, force: true })
    return
  }
  await rm(`${dir}.old.${backupsRotate - 1}`, { recursive: true, force: true })
  for (let i = backupsRotate - 2; i >= 0; i--) {
    if (await pathExists(`${dir}.old.${i}`)) await rename(`${dir}.old.${i}`, `${dir}.old.${i + 1}`)
  }
  await rename(dir, `${dir}.old.0`)
}

/**
 * Replaces `target.dir` with what `build` writes into the (empty) folder it is given; the old
 * folder is retired only once the new one is whole and on disk.
 */
export async function replaceStateFolder (target: StateFolder, build: (staging: string) => Promise<void>): Promise<void> {
  const staging = target.dir + STAGING_SUFFIX
  await rm(staging, { recursive: true, force: true })
  try {
    await build(staging)
  } catch (err) {
    // A failed import (not a crash): nothing of it stays.
    await rm(staging, { recursive: true, force: true })
    throw err
  }
  await writeFile(join(staging, COMPLETE_MARK), '')
  await syncFolder(staging)
  await moveIntoPlace(target, staging)
}

/** The complete staging folder replaces the state folder (the old one retired first). */
async function moveIntoPlace (target: StateFolder, staging: string): Promise<void> {
  await target.retire()
  await rename(staging, target.dir)
  await syncFolder(dirname(target.dir))
  await rm(join(target.dir, COMPLETE_MARK), { force: true })
}

/**
 * Finishes or undoes a replacement that a crash interrupted; says what it did (for the
 * operator), or nothing when there was none. Run under the folder's lock, before the state is
 * opened.
 */
export async function settleInterruptedImport (target: StateFolder): Promise<string | undefined> {
  const staging = target.dir + STAGING_SUFFIX
  if (!await pathExists(staging)) {
    await rm(join(target.dir, COMPLETE_MARK), { force: true })
    return undefined
  }
  if (!await pathExists(join(staging, COMPLETE_MARK))) {
    await rm(staging, { recursive: true, force: true })
    return `a state import was interrupted before it finished: its partial state (${staging}) was deleted; the state is the one from before that import`
  }
  await moveIntoPlace(target, staging)
  return `a state import was interrupted after its state was written: it was moved into place (${target.dir})`
}

/** Our Raft folder holds a snapshot once the pinset was ever snapshotted or imported. */
async function hasSnapshot (dir: string): Promise<boolean> {
  return await pathExists(`${dir}/raft.sqlite`)
}

import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { SqliteBlockstore } from '@cluster/blockstore'
import { SqliteStore } from '@cluster/crdt'
import { BatchJournal } from './batch-journal.ts'
import { moveAside } from './data-folder.ts'
import { integrityProblem, stampClosed } from './closed-stamp.ts'
import { PinsetState, type ApplyHooks } from './state.ts'

/** The Merkle-CRDT's sets, heads and marks (go-ds-crdt's namespace). */
export const CRDT_STORE_FILE = 'crdt.sqlite'
/** Its DAG blocks, served to other peers over bitswap. */
export const CRDT_BLOCKS_FILE = 'blocks.sqlite'
/** The pinset as the rest of the peer reads it (search index, listings): a view of the CRDT. */
export const CRDT_VIEW_FILE = 'pinset.sqlite'
/** Writes that batching answered and has not committed yet (batch-journal.ts). */
export const CRDT_JOURNAL_FILE = 'batching.sqlite'

/**
 * The view's applied index is 1 once it was closed cleanly after matching the CRDT, 0 while the
 * peer runs: a view found at 0 missed updates in a crash and is rebuilt from the CRDT.
 */
export const VIEW_CLEAN = 1

export interface OpenedCrdtFolder {
  store: SqliteStore
  blockstore: SqliteBlockstore
  view: PinsetState
  /** Whether the view must be rebuilt from the CRDT (crash, or a new or damaged view file). */
  viewStale: boolean
  /** The batching journal: opened when batching is on or a journal was left behind. */
  journal?: BatchJournal
  /** What was repaired on the way, for the log. */
  repairs: string[]
}

/**
 * Opens the CRDT data folder. A damaged file is moved aside, never fatal: a damaged view is
 * rebuilt from the CRDT; damaged CRDT files start empty and the peer catches up from the other
 * peers' heads (marked dirty, so a repair walks everything it learns).
 */
export function openCrdtFolder (dir: string, hooks?: ApplyHooks, opts: { batching?: boolean } = {}): OpenedCrdtFolder {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const repairs: string[] = []
  const checked = (file: string, what: string): string => {
    const path = join(dir, file)
    const problem = integrityProblem(path, true)
    if (problem !== undefined) repairs.push(`${what} ${path} is damaged (${problem}); moved to ${moveAside(path, 'damaged')}`)
    return path
  }
  const storePath = checked(CRDT_STORE_FILE, 'the CRDT store')
  const storeLost = repairs.length > 0
  const blocksPath = checked(CRDT_BLOCKS_FILE, 'the CRDT block store')
  const viewPath = checked(CRDT_VIEW_FILE, 'the pinset view')
  const journalPath = join(dir, CRDT_JOURNAL_FILE)
  const journalLeft = existsSync(journalPath)
  if (journalLeft) checked(CRDT_JOURNAL_FILE, 'the batching journal (the batched writes it held are lost)')
  // Each file is this process's alone (the peer's lock keeps other commands out): held locked.
  const store = new SqliteStore(storePath, { exclusive: true })
  if (storeLost || repairs.some(r => r.startsWith('the CRDT block store'))) store.setDirty(true)
  const blockstore = SqliteBlockstore.open(blocksPath, { exclusive: true })
  const view = new PinsetState(viewPath, hooks, { rebuiltAfterCrash: true })
  const viewStale = view.appliedIndex() !== VIEW_CLEAN
  view.setAppliedIndex(0)
  view.syncOnce()
  const journal = opts.batching === true || journalLeft ? new BatchJournal(journalPath) : undefined
  return { store, blockstore, view, viewStale, repairs, ...(journal === undefined ? {} : { journal }) }
}

/**
 * Closes the files of a CRDT data folder at a clean stop (the journal is closed before) and
 * stamps them: their integrity checks skip them at the next start (closed-stamp.ts).
 */
export function closeCrdtFolder (dir: string, files: Pick<OpenedCrdtFolder, 'store' | 'blockstore' | 'view'>): void {
  files.view.close()
  files.store.close()
  files.blockstore.close()
  for (const file of [CRDT_VIEW_FILE, CRDT_STORE_FILE, CRDT_BLOCKS_FILE]) stampClosed(join(dir, file))
}

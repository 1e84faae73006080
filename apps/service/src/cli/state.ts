import { createWriteStream } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { parsePeerIdsLenient, type Pin } from '@cluster/api'
import { CrdtConsensus, exportPins, openCommittedPinset, pinsOfChunks, PinsetState, PINSET_FILE, RAFT_FILE, SNAPSHOTS_DIR, stampClosed, storedRowOf, type CommittedPinset, type StoredPinRow } from '@cluster/consensus'
import { dotLines } from '@cluster/crdt'
import { SnapshotFolder } from '@cluster/raft/node'
import { SqliteStorage } from '@cluster/raft/sqlite'
import { consensusOf, loadConfigFolder, peerstorePath, readPeerstoreFile, type LoadedConfigFolder } from '../config/index.ts'
import { EncodedPins } from './encoded-pins.ts'
import { heapCap } from './memory-reducer.ts'
import { replaceStateFolder, settleInterruptedImport, stateFolderOf, type StateFolder } from './state-folder.ts'
import { acquireLock } from './lock.ts'
import { CommandError, type Io } from './io.ts'

/**
 * Runs `run` on a stopped peer's configuration under its folder's lock, after settling a state
 * import that a crash interrupted (said on `io`'s stderr).
 */
async function withState<T> (folder: string, env: NodeJS.ProcessEnv, io: Io | undefined, run: (loaded: LoadedConfigFolder, target: StateFolder) => Promise<T>): Promise<T> {
  const release = await acquireLock(folder).catch((err: Error) => { throw new CommandError(err.message) })
  try {
    let loaded: LoadedConfigFolder
    try {
      loaded = await loadConfigFolder(folder, { env: env as Record<string, string> })
      consensusOf(loaded.config)
    } catch (err) {
      throw new CommandError(`error loading configurations: ${(err as Error).message}`)
    }
    const target = stateFolderOf(loaded, folder)
    const settled = await settleInterruptedImport(target)
    if (settled !== undefined) io?.err(`WARN ${settled}\n`)
    return await run(loaded, target)
  } finally {
    await release()
  }
}

/** A stopped CRDT peer's state, offline (Go's OfflineState): local blocks only, no broadcasts. */
function offlineCrdt (loaded: LoadedConfigFolder, dataDir: string): CrdtConsensus {
  return new CrdtConsensus({ id: loaded.identity.id, dataDir, config: loaded.config.consensus.crdt })
}

/** Bytes of lines handed to stdout at once. */
const OUT_CHUNK = 64 * 1024

/**
 * Writes `lines` to `file` (mode 0600), or to stdout when no file is given, waiting whenever the
 * reader is behind: a 1M-pin export held whole in stdout's buffer was ~0.5 GB, and failed.
 */
async function writeLines (lines: Iterable<string>, file: string | undefined, io: Io): Promise<void> {
  if (file === undefined) {
    let chunk = ''
    for (const line of lines) {
      chunk += line
      if (chunk.length < OUT_CHUNK) continue
      io.out(chunk)
      chunk = ''
      await io.drained?.()
    }
    if (chunk !== '') io.out(chunk)
    return
  }
  const out = createWriteStream(file, { mode: 0o600 })
  for (const line of lines) {
    if (!out.write(line)) await new Promise<void>(resolve => out.once('drain', () => { resolve() }))
  }
  await new Promise<void>((resolve, reject) => { out.end((err?: Error | null) => { err == null ? resolve() : reject(err) }) })
}

/**
 * `state export`: one Go-JSON pin per line. Unlike Go (latest snapshot only), this is the whole
 * committed pinset, entries after the last snapshot included; a pinset file that is missing,
 * damaged or behind the Raft log is rebuilt from the log first, and when neither can be read the
 * command fails instead of writing an empty export.
 */
export async function stateExport (folder: string, file: string | undefined, io: Io, env = process.env): Promise<void> {
  await withState(folder, env, io, async (loaded, target) => {
    if (target.consensus === 'crdt') {
      const crdt = offlineCrdt(loaded, target.dir)
      try {
        // Commits what batching answered before an unclean stop: those pins are part of the state.
        await crdt.start()
        await writeLines(exportPins(crdt.pins()), file, io)
      } finally {
        await crdt.shutdown()
      }
      return
    }
    let source: CommittedPinset
    try {
      source = openCommittedPinset(target.dir)
    } catch (err) {
      throw new CommandError(`error exporting state: ${(err as Error).message}`)
    }
    for (const note of source.notes) io.err(`${note}\n`)
    try {
      await writeLines(exportPins(source.state.list()), file, io)
    } finally {
      source.close()
    }
  })
}

/** Pins read or written between two looks at the heap's size during an import (see heapCap). */
const HEAP_CHECK_EVERY = 4096

/** `items`, with `check` called after every HEAP_CHECK_EVERY of them. */
function * checkingHeap<T> (items: Iterable<T>, check: () => void): Generator<T> {
  let n = 0
  for (const item of items) {
    yield item
    if (++n % HEAP_CHECK_EVERY === 0) check()
  }
}

export interface ImportOptions {
  replicationMin?: number
  replicationMax?: number
  allocations?: string
}

/**
 * `state import`: a new state folder holding the pins (Raft: a fresh snapshot, index 2, term 1,
 * whose voters are the peerstore's peers plus this peer, and the pinset; CRDT: every pin in one
 * batch), which replaces the old one once written whole (Go's Clean then retires the old one; see
 * state-folder.ts). `input` gives the import's bytes as they are read: the input is never held
 * whole, and for Raft each pin is kept in its stored form (a few strings) rather than decoded.
 */
export async function stateImport (folder: string, input: () => AsyncIterable<Uint8Array>, opts: ImportOptions, io: Io, env = process.env): Promise<void> {
  await withState(folder, env, io, async (loaded, target) => {
    const allocations = parsePeerIdsLenient((opts.allocations ?? '').split(',').map(s => s.trim()).filter(s => s !== ''))
    const overrides: Partial<Pin> = {
      ...(opts.replicationMin !== undefined && opts.replicationMin > 0 ? { replicationFactorMin: opts.replicationMin } : {}),
      ...(opts.replicationMax !== undefined && opts.replicationMax > 0 ? { replicationFactorMax: opts.replicationMax } : {}),
      ...(allocations.length > 0 ? { allocations } : {})
    }
    const overridden = Object.keys(overrides).length > 0
    const checkHeap = heapCap()
    const read = async (each: (pin: Pin) => void): Promise<void> => {
      let n = 0
      try {
        for await (const pin of pinsOfChunks(input())) {
          each(overridden ? { ...pin, ...overrides } : pin)
          if (++n % HEAP_CHECK_EVERY === 0) checkHeap()
        }
      } catch (err) {
        throw new CommandError(`error importing state: ${(err as Error).message}`)
      }
    }
    if (target.consensus === 'crdt') {
      const pins = new EncodedPins()
      await read(pin => { pins.add(pin) })
      // Go: Clean, then every pin in one batch (announced by the daemon's first rebroadcast).
      await replaceStateFolder(target, async (dir) => {
        const crdt = offlineCrdt(loaded, dir)
        try {
          await crdt.inOneBatch(checkingHeap(pins.inKeyOrder(), checkHeap))
        } catch (err) {
          throw new CommandError(`error importing state: ${(err as Error).message}`)
        } finally {
          await crdt.shutdown()
        }
      })
    } else {
      const rows: StoredPinRow[] = []
      await read(pin => { rows.push(storedRowOf(pin)) })
      // In CID order, so that each lands after the previous one in the pinset's trees (see EncodedPins.inKeyOrder).
      rows.sort((a, b) => a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0)
      const peerstore = await readPeerstoreFile(peerstorePath(loaded.config.cluster, folder)).catch(() => [])
      const voters = [...new Set([...peerstore.map(a => a.split('/p2p/').pop() ?? '').filter(s => s !== ''), loaded.identity.id])].sort()
      await replaceStateFolder(target, async (dir) => { await writeRaftImport(dir, rows, voters) })
    }
    io.err('state successfully imported.  Make sure all peers have consistent states\n')
  })
}

/**
 * The items of `items`, each let go as it is taken, the array empty at the end: the import's rows
 * (~0.9 GB of heap at 1.2M pins) are freed as they are written, and V8's full collections that
 * follow no longer walk them (they took ~1.5 s each, back to back, until the import ended).
 */
function * drain<T> (items: T[]): Generator<T> {
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T
    ;(items as Array<T | undefined>)[i] = undefined
    yield item
  }
  items.length = 0
}

/** A Raft folder whose snapshot (index 2, term 1, the given voters) holds the pins of `rows`. */
async function writeRaftImport (dir: string, rows: StoredPinRow[], voters: string[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // A new folder that a crash leaves incomplete (deleted by the next command): written without a
  // WAL (each page once, not to the WAL and again by its checkpoint) and synced once, at the end.
  const state = new PinsetState(join(dir, PINSET_FILE), {}, { snapshots: new SnapshotFolder(join(dir, SNAPSHOTS_DIR)), rebuiltAfterCrash: true })
  const storage = new SqliteStorage(join(dir, RAFT_FILE))
  try {
    state.replaceAllRows(drain(rows), 2)
    state.syncOnce()
    storage.persist({
      snapshot: { metadata: { index: 2, term: 1, confState: { voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } }, data: await state.snapshotAtRest() },
      hardState: { term: 1, vote: null, commit: 2 }
    })
  } finally {
    storage.close()
    state.close()
  }
  // Closed cleanly: the daemon's first start need not check them (a read of the whole pinset).
  for (const file of [PINSET_FILE, RAFT_FILE]) stampClosed(join(dir, file))
}

/** `state cleanup`: the next start is a first start (the old folder is kept as a backup). */
export async function stateCleanup (folder: string, env = process.env): Promise<void> {
  // Go deletes every key of the CRDT namespace (the set, heads, marks and blocks); Raft keeps a backup.
  await withState(folder, env, undefined, async (_loaded, target) => { await target.retire() })
}

export type CrdtMaintenance = 'info' | 'dot' | 'mark-dirty' | 'mark-clean'

/**
 * `state crdt info|dot|mark-dirty|mark-clean` (Go's maintenance commands, consensus-crdt.md §2.4):
 * the heads and dirty bit, the DAG in Graphviz DOT, and setting or clearing the dirty bit (a
 * dirty store is repaired at the next start).
 */
export async function stateCrdt (folder: string, command: CrdtMaintenance, file: string | undefined, io: Io, env = process.env): Promise<void> {
  await withState(folder, env, io, async (loaded, target) => {
    if (target.consensus !== 'crdt') throw new CommandError('crdt subcommands can only be run on peers initialized with crdt consensus')
    const crdt = offlineCrdt(loaded, target.dir)
    try {
      const replica = crdt.replica
      if (command === 'info') {
        const { heads, maxHeight, dirty } = replica.info()
        io.out(`Number of heads: ${heads.length}. Current max-height: ${maxHeight}. Dirty: ${String(dirty)}\n`)
        io.out(`Heads: [${heads.map(h => h.cid.toString()).join(' ')}]\n`)
      } else if (command === 'dot') {
        const lines: string[] = []
        for await (const line of dotLines(replica)) lines.push(`${line}\n`)
        await writeLines(lines, file, io)
      } else if (command === 'mark-dirty') {
        replica.markDirty()
      } else {
        replica.markClean()
      }
    } catch (err) {
      if (err instanceof CommandError) throw err
      throw new CommandError(`error: ${(err as Error).message}`)
    } finally {
      await crdt.shutdown()
    }
  })
}

/** The import's input as it is read: the file, or stdin (said on stdout, as Go does). */
export function inputChunks (file: string | undefined, io: Io): AsyncIterable<Uint8Array> {
  if (file !== undefined) return fileChunks(file)
  io.out('reading from stdin, Ctrl-D to finish\n')
  return process.stdin
}

/**
 * A file read into one buffer over and over (each chunk must be used before the next is asked
 * for), rather than a new buffer per chunk as a read stream makes: ~0.5 GB of short-lived memory
 * outside the heap for a 1M-pin import.
 */
async function * fileChunks (file: string): AsyncGenerator<Uint8Array> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024)
    while (true) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) return
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await handle.close()
  }
}

/** All of stdin as text (said on stdout first, as Go does). */
export async function readStdin (io: Io): Promise<string> {
  io.out('reading from stdin, Ctrl-D to finish\n')
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

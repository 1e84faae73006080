import type { PersistUpdate, WritableStorage } from './node-options.ts'
import type { Ready } from './rawnode.ts'

/**
 * How many of the Ready's committed entries can be applied (and acknowledged) while its own
 * write is still being fsynced: those already durable here (written by earlier Readys), up to
 * the first configuration change, which keeps its place after the write.
 */
export function committedAndDurable (rd: Ready, durableLast: number): number {
  const firstNew = rd.entries[0]?.index ?? Infinity
  let n = 0
  for (const e of rd.committedEntries) {
    if (e.index > durableLast || e.index >= firstNew || e.type === 'confChange') break
    n++
  }
  return n
}

/** A Ready's durable parts, written synchronously (one call when the storage can). */
export function persistUpdate (storage: WritableStorage, update: PersistUpdate): void {
  if (storage.persist !== undefined) {
    storage.persist(update)
    return
  }
  if (update.snapshot !== undefined) storage.applySnapshot(update.snapshot)
  if (update.entries !== undefined && update.entries.length > 0) storage.append(update.entries)
  if (update.hardState !== undefined) storage.setHardState(update.hardState)
}

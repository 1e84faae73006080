/**
 * Integrity checks at start, skipped for files closed cleanly and untouched since. A peer checks
 * every SQLite file it opens (`quick_check`, a read of the whole file: 0.25 s for a 100k-pin
 * pinset, 7 s at 1.2M pins, per file, at every start). After a clean stop each file is synced and
 * stamped with its size and modification time (`<file>.closed`); at the next open a stamp that
 * still matches, with no WAL left beside the file, says nothing wrote to it since, and the check
 * is skipped. A write while the peer was stopped (a damaged or truncated file, a restored backup)
 * changes the modification time, so the file is checked as before. A stamp is used once: it is
 * removed when the file is opened for writing.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { checkIntegrity, fsyncFile } from './pinset-file.ts'

const STAMP_SUFFIX = '.closed'

function stampOf (path: string): string {
  const { size, mtimeNs } = statSync(path, { bigint: true })
  return `${size} ${mtimeNs}\n`
}

/** After a clean close of `path`: puts it on disk, then stamps it (nothing when it does not exist). */
export function stampClosed (path: string): void {
  if (!existsSync(path)) return
  // Synced first: a stamp is never on disk before the content it vouches for.
  fsyncFile(path)
  writeFileSync(path + STAMP_SUFFIX, stampOf(path))
}

/**
 * Whether `path` is as it was stamped when last closed (false without a stamp). `consume`
 * removes the stamp: the caller is about to open the file for writing.
 */
export function untouchedSinceClosed (path: string, consume: boolean): boolean {
  const stampPath = path + STAMP_SUFFIX
  let stamp: string
  try {
    stamp = readFileSync(stampPath, 'utf8')
  } catch {
    return false
  }
  if (consume) rmSync(stampPath, { force: true })
  try {
    const wal = `${path}-wal`
    return stamp === stampOf(path) && (!existsSync(wal) || statSync(wal).size === 0)
  } catch {
    return false
  }
}

/** `checkIntegrity` of a file that exists, unless it is untouched since its clean close. */
export function integrityProblem (path: string, consume: boolean): string | undefined {
  if (!existsSync(path)) return undefined
  return untouchedSinceClosed(path, consume) ? undefined : checkIntegrity(path)
}

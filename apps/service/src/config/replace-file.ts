/**
 * Files of the configuration folder are replaced, never rewritten in place: the new text goes to
 * `<file>.tmp`, is flushed to disk, and is renamed over the file. A crash or power cut while the
 * peerstore is saved at shutdown (or while init writes service.json and identity.json) leaves
 * the old file or the new one, never an empty or half-written one (an empty peerstore leaves a
 * restarted peer with no address of the others).
 */
import { access, chmod, open, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Replaces `path` with `text` (a new file gets `mode`, less the umask). */
export async function replaceFile (path: string, text: string, mode = 0o666): Promise<void> {
  const tmp = `${path}.tmp`
  await writeFile(tmp, text, { mode, flush: true })
  await rename(tmp, path)
  await syncFolder(dirname(path))
}

/** replaceFile, and the file's mode made 0600 (also when an earlier `.tmp` was left with another). */
export async function writeTextFile0600 (path: string, text: string): Promise<void> {
  await replaceFile(path, text, 0o600)
  await chmod(path, 0o600)
}

/** fsync of a folder: the renames and new files in it survive a power cut. */
export async function syncFolder (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Whether `path` exists (any kind of file). */
export async function pathExists (path: string): Promise<boolean> {
  return await access(path).then(() => true, () => false)
}

import { open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { LOCK_FILE } from '../config/index.ts'

export class LockError extends Error {
  override readonly name = 'LockError'
  readonly code = 'ERR_LOCK'
}

/**
 * The execution lock (config.md §7.7): `cluster.lock` in the config folder holds the owner's PID.
 * A lock left by a process that no longer exists does not block (Go's lock is released by the OS
 * when its owner dies; Node has no flock, so liveness of the PID stands in for it).
 */
export async function acquireLock (folder: string): Promise<() => Promise<void>> {
  const path = join(folder, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600)
      await handle.writeFile(String(process.pid))
      await handle.close()
      return async () => { await rm(path, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(folder, (err as Error).message)
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || isAlive(owner))) {
        throw lockError(folder, `lock held by process ${owner}`)
      }
      await rm(path, { force: true })
    }
  }
  throw lockError(folder, 'could not create the lock file')
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function lockError (folder: string, reason: string): LockError {
  return new LockError(`error obtaining execution lock: ${reason}. If no other ipfs-cluster-service process is running, remove ${join(folder, LOCK_FILE)}, or make sure that the config folder is writable for the user running ipfs-cluster-service.`)
}

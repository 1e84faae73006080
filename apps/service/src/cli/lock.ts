import { readFileSync } from 'node:fs'
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

/**
 * Whether a process holds on: it exists and is not a zombie (dead, not yet reaped by its parent:
 * right after a kill -9 its PID still answers signal 0, and Go's flock would already be free).
 */
function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/** Linux: the state letter of /proc/<pid>/stat, after the command name in parentheses. */
function isZombie (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return false
  }
}

function lockError (folder: string, reason: string): LockError {
  return new LockError(`error obtaining execution lock: ${reason}. If no other ipfs-cluster-service process is running, remove ${join(folder, LOCK_FILE)}, or make sure that the config folder is writable for the user running ipfs-cluster-service.`)
}

// The execution lock (cluster.lock): a lock left by a process that has died does not block the
// next start, even while the dead process is a zombie its parent has not reaped yet (as right
// after a kill -9, when its PID still answers signal 0).
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { until } from '@cluster/test-utils'
import { acquireLock } from '../src/cli/lock.ts'
import { LOCK_FILE } from '../src/config/index.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function folder (): string {
  const d = mkdtempSync(join(tmpdir(), 'lock-'))
  dirs.push(d)
  return d
}

describe('execution lock', () => {
  it('is refused while its owner runs, taken over from a dead owner and from a zombie one', async () => {
    const dir = folder()
    // A live owner (this process's parent, which outlives the test).
    writeFileSync(join(dir, LOCK_FILE), String(process.ppid))
    await expect(acquireLock(dir)).rejects.toThrow(`lock held by process ${process.ppid}`)

    // A zombie: `sleep 0` exits under a parent that never reaps it (sh replaced by `sleep 5`).
    const holder = spawn('sh', ['-c', 'sleep 0 & exec sleep 5'], { stdio: 'ignore' })
    try {
      const zombie = await until(() => {
        const children = readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim()
        if (children === '') return undefined
        const pid = Number(children.split(' ')[0])
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? pid : undefined
      }, 'a zombie child', 5_000, 20)
      process.kill(zombie, 0) // its PID still answers
      writeFileSync(join(dir, LOCK_FILE), String(zombie))
      const release = await acquireLock(dir)
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid))
      await release()
    } finally {
      holder.kill('SIGKILL')
    }
  })
})

/**
 * One `ipfs-cluster-service daemon` from the sources as a child process, for tests that read
 * what it prints: started, its stderr collected, and ready once it printed Go's READY line.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { until } from '@cluster/test-utils'

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'run.ts')
/** `ipfs-cluster-follow` from the sources (its `-c` names the folder of all followed clusters). */
export const FOLLOW_CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'follow-run.ts')

export interface DaemonProcess {
  readonly child: ChildProcess
  /** Everything printed on stderr so far. */
  readonly stderr: () => string
}

/** Spawns `run.ts -c <folder> <args…>` (global flags before `daemon`) and waits for READY. */
export async function startDaemon (folder: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000, cli = CLI): Promise<DaemonProcess> {
  const child = spawn(process.execPath, ['--conditions=source', cli, '-c', folder, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const daemon = { child, stderr: () => stderr }
  await until(() => {
    if (child.exitCode !== null) throw new Error(`daemon exited: ${stderr}`)
    return stderr.includes('IPFS Cluster is READY') ? true : undefined
  }, 'the daemon to be ready', timeoutMs)
  return daemon
}

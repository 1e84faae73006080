// Every process and temporary folder the side-by-side benchmark creates is registered here, so
// that they are all gone when the benchmark ends — normally, on an exception, or on Ctrl-C.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const children = new Set<ChildProcess>()
const folders = new Set<string>()
const cleanups = new Set<() => void>()

/** Spawns a process in its own process group (killed with the whole group at cleanup). */
export function spawnTracked (command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore', ...options, detached: true })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** SIGKILLs a child's process group and waits until the child is gone. */
export async function killHard (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  try { process.kill(-(child.pid as number), 'SIGKILL') } catch { child.kill('SIGKILL') }
  await exited
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild (child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  try { process.kill(-(child.pid as number), 'SIGTERM') } catch { child.kill('SIGTERM') }
  const timer = setTimeout(() => { void killHard(child) }, graceMs)
  await exited
  clearTimeout(timer)
}

/** A temporary folder removed at cleanup (or earlier with `removeTempDir`). */
export function tempDir (prefix: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, prefix))
  folders.add(dir)
  return dir
}

export function removeTempDir (dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  folders.delete(dir)
}

/** Extra synchronous cleanup (e.g. closing servers) run at exit. */
export function onCleanup (fn: () => void): () => void {
  cleanups.add(fn)
  return () => cleanups.delete(fn)
}

/** Kills everything still registered and removes the folders (synchronous: safe in 'exit'). */
export function cleanupAll (): void {
  for (const fn of cleanups) { try { fn() } catch { /* best effort */ } }
  cleanups.clear()
  for (const child of children) {
    try { process.kill(-(child.pid as number), 'SIGKILL') } catch { try { child.kill('SIGKILL') } catch { /* gone */ } }
  }
  children.clear()
  for (const dir of folders) rmSync(dir, { recursive: true, force: true })
  folders.clear()
}

let installed = false
/** Installs exit/signal handlers that run `cleanupAll`. */
export function installCleanupHandlers (): void {
  if (installed) return
  installed = true
  process.once('exit', cleanupAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => { cleanupAll(); process.exit(130) })
  }
}

/** Resident set size of a process in bytes (`VmRSS` of /proc/<pid>/status), 0 when gone. */
export function rssBytes (pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? 0 : Number(m[1]) * 1024
  } catch { return 0 }
}

/** CPU seconds (user + system) a process has used so far (/proc/<pid>/stat), 0 when gone. */
export function cpuSeconds (pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch { return 0 }
}

/** Peak resident set size of a process so far in bytes (`VmHWM`), 0 when gone. */
function peakRssBytes (pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? 0 : Number(m[1]) * 1024
  } catch { return 0 }
}

export interface CommandRun { seconds: number, stdoutLines: number, peakRssBytes: number }

/**
 * Runs a command to its end, counting the lines of its stdout as a pipe reader does (`| wc -l`),
 * with its time and peak RSS (`VmHWM`, read every 20 ms: the last 20 ms before the exit are not
 * seen). Rejects on a non-zero exit or after `timeoutMs`.
 */
export function runCounted (command: string, args: string[], timeoutMs: number): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawnTracked(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    const pid = child.pid as number
    let peak = 0
    let lines = 0
    const poll = setInterval(() => { peak = Math.max(peak, peakRssBytes(pid)) }, 20)
    const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
    child.stdout?.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
    })
    child.once('exit', (code, signal) => {
      clearInterval(poll)
      clearTimeout(timer)
      if (code === 0) resolve({ seconds: (performance.now() - t0) / 1000, stdoutLines: lines, peakRssBytes: peak })
      else reject(new Error(`${command} ${args.join(' ')}: exit ${code ?? signal}`))
    })
  })
}

/** Where the ctl writes, what it reads from its environment, and its clock: injectable for tests. */
import { endQuietlyOnBrokenPipe } from '@cluster/api'

export interface CtlIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /**
   * A promise while stdout's buffer is full (the reader is behind), else undefined: a long
   * listing waits on it instead of holding the rest of its output in memory.
   */
  drained?: () => Promise<void> | undefined
  env: Record<string, string | undefined>
  /** Unix nanoseconds. */
  now: () => bigint
  /** Current directory (for `add .`). */
  cwd: string
  /** Whether stdout is a terminal. */
  isTty: boolean
  /** Whether stderr is a terminal: progress lines are drawn there only then (progress.ts). */
  stderrIsTty?: boolean
  /** The terminal's width, for the progress line (80 when unknown). */
  stderrColumns?: () => number | undefined
  /** Resolves after `ms` milliseconds (aborted with the signal). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  /** All of stdin (`pin add -`); the process's stdin when absent. */
  readStdin?: () => Promise<string>
  /** Opens a file for writing (`health graph --file`). */
  openFile: (path: string) => Promise<{ write: (text: string) => void, close: () => Promise<void> }>
}

export function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason as Error); return }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(timer); reject(signal!.reason as Error) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

async function openFile (path: string): Promise<{ write: (text: string) => void, close: () => Promise<void> }> {
  const stream = process.getBuiltinModule('node:fs').createWriteStream(path)
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => { resolve() })
    stream.once('error', reject)
  })
  return {
    write: (text) => { stream.write(text) },
    close: () => new Promise<void>((resolve) => { stream.end(resolve) })
  }
}

/** The real process: stdout/stderr, process.env, the system clock. */
export function processIo (): CtlIo {
  return {
    stdout: (t) => {
      endQuietlyOnBrokenPipe(process.stdout)
      process.stdout.write(t)
    },
    stderr: (t) => { process.stderr.write(t) },
    drained: () => process.stdout.writableNeedDrain ? new Promise<void>(resolve => { process.stdout.once('drain', resolve) }) : undefined,
    env: process.env,
    now: () => BigInt(Date.now()) * 1_000_000n,
    cwd: process.cwd(),
    isTty: process.stdout.isTTY,
    stderrIsTty: process.stderr.isTTY,
    stderrColumns: () => process.stderr.columns,
    sleep,
    openFile
  }
}

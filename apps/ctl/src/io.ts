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

/**
 * Characters of stdout text held before they are written without waiting for the end of the turn.
 * Measured on a 300k-pin `pin ls` into a pipe: a write per line 5.2 s, 85 MB RSS; 4 KiB 2.5 s,
 * ~95 MB; 64 KiB 3–4.5 s, 112 MB.
 */
const STDOUT_BATCH = 4 * 1024

/**
 * stdout's text gathered until the end of this turn of the event loop (or STDOUT_BATCH): a listing
 * writes its lines a few at a time, not one per write (a write per line was a tenth of all a
 * 100k-pin `pin ls` allocated). stderr writes it first, so the two stay in order on a terminal.
 */
function gatheredStdout (): { write: (text: string) => void, flush: () => void } {
  let pending: string[] = []
  let size = 0
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    if (pending.length === 0) return
    const text = pending.length === 1 ? pending[0] as string : pending.join('')
    pending = []
    size = 0
    endQuietlyOnBrokenPipe(process.stdout)
    process.stdout.write(text)
  }
  const write = (text: string): void => {
    pending.push(text)
    size += text.length
    if (size >= STDOUT_BATCH) flush()
    else if (!scheduled) { scheduled = true; setImmediate(flush) }
  }
  return { write, flush }
}

/** The real process: stdout/stderr, process.env, the system clock. */
export function processIo (): CtlIo {
  const stdout = gatheredStdout()
  return {
    stdout: stdout.write,
    stderr: (t) => { stdout.flush(); process.stderr.write(t) },
    // What waits is at most STDOUT_BATCH: checked after each write, not flushed per item.
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

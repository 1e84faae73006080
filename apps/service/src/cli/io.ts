import { once } from 'node:events'
import { endQuietlyOnBrokenPipe, type LogLevel } from '@cluster/api'

/** Where a command writes: the real streams, or buffers in tests. */
export interface Io {
  out: (text: string) => void
  err: (text: string) => void
  /**
   * Resolves once what `out` was given has left for the OS (stdout's backpressure): a command
   * writing much (`state export`) waits on it instead of holding its whole output in memory.
   */
  drained?: () => Promise<void>
}

/** An Io whose stderr also takes whole log records (JSON output: log-format.ts). */
export interface RecordIo extends Io {
  record: (level: LogLevel, facility: string, message: string) => void
}

export function isRecordIo (io: Io): io is RecordIo {
  return typeof (io as Partial<RecordIo>).record === 'function'
}

export const processIo: Io = {
  out: text => {
    endQuietlyOnBrokenPipe(process.stdout)
    process.stdout.write(text)
  },
  err: text => { process.stderr.write(text) },
  drained: async () => { if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain') }
}

/** An `error <doing>: <reason>` failure: printed to stderr, exit code 1 (config.md §7.10). */
export class CommandError extends Error {
  override readonly name = 'CommandError'
  readonly code = 'ERR_COMMAND'
  readonly exitCode: number

  constructor (message: string, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
  }
}

/** The proxy's access log (proxy.md §5): Common Log Format lines to a file (appended) or the logger. */
import { createWriteStream, type WriteStream } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type { Logger } from '@cluster/api'

/** Where access lines go. */
export class AccessLog {
  private readonly file: WriteStream | undefined
  private readonly log: Logger

  constructor (logFile: string, configDir: string, log: Logger) {
    this.log = log
    if (logFile !== '') {
      const path = isAbsolute(logFile) ? logFile : join(configDir, logFile)
      this.file = createWriteStream(path, { flags: 'a', mode: 0o644 })
      this.file.on('error', err => { log('error', `ipfsproxy access log: ${err.message}`) })
    }
  }

  /** Resolves once the file is open (created with mode 0644 when missing). */
  async ready (): Promise<void> {
    const file = this.file
    if (file === undefined || !file.pending) return
    await new Promise<void>(resolve => {
      file.once('ready', () => { resolve() })
      file.once('error', () => { resolve() })
    })
  }

  write (line: string): void {
    if (this.file !== undefined) this.file.write(line + '\n')
    else this.log('info', line)
  }

  async close (): Promise<void> {
    const file = this.file
    if (file === undefined || file.closed) return
    await new Promise<void>(resolve => { file.end(() => { resolve() }) })
  }
}

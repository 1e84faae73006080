/** Access log in Apache Common Log Format (proxy.md §5), to a file (appended) or the logger. */
import { createWriteStream, type WriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { isAbsolute, join } from 'node:path'
import type { LogFn } from './context.ts'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function pad (n: number): string {
  return String(n).padStart(2, '0')
}

/** `10/Oct/2000:13:55:36 -0700` in the local zone. */
export function clfDate (d: Date): string {
  const off = -d.getTimezoneOffset()
  const abs = Math.abs(off)
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()] as string}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${off >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
}

export function accessLogLine (req: IncomingMessage, status: number, bytes: number, at: Date): string {
  const host = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '')
  const uri = (req.url ?? '').replace(/[\u0000-\u001f"\\\u007f]/g, ch => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return `${host} - - [${clfDate(at)}] "${req.method ?? ''} ${uri} HTTP/${req.httpVersion}" ${status} ${bytes}`
}

/** Where access lines go. */
export class AccessLog {
  private readonly file: WriteStream | undefined
  private readonly log: LogFn

  constructor (logFile: string, configDir: string, log: LogFn) {
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

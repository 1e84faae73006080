/** Access log lines in Apache common log format (what Go's gorilla/handlers LoggingHandler writes). */
import type { IncomingMessage } from 'node:http'
import { parseBasic } from './auth.ts'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function pad (n: number, w = 2): string {
  return String(n).padStart(w, '0')
}

/** `10/Oct/2000:13:55:36 -0700` in the server's local zone. */
export function clfDate (d: Date): string {
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const abs = Math.abs(off)
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()]!}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
}

export function accessLogLine (req: IncomingMessage, status: number, bytes: number, at: Date): string {
  const host = req.socket.remoteAddress ?? '-'
  const auth = req.headers.authorization
  const user = auth === undefined ? undefined : parseBasic(auth)?.user
  const uri = (req.url ?? '').replace(/[\u0000-\u001f"\\\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return `${host} - ${user !== undefined && user !== '' ? user : '-'} [${clfDate(at)}] "${req.method ?? ''} ${uri} HTTP/${req.httpVersion}" ${status} ${bytes}`
}

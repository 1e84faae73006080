/**
 * Access log lines in Apache Common Log Format, as Go's gorilla/handlers LoggingHandler writes
 * them (REST API and IPFS proxy), and the byte count of a response that they report.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

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

/** `host - user [date] "METHOD uri HTTP/1.1" status bytes`; control characters in the URI escaped. */
export function commonLogLine (req: IncomingMessage, status: number, bytes: number, at: Date, user?: string): string {
  const host = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '')
  const uri = (req.url ?? '').replace(/[\u0000-\u001f"\\\u007f]/g, ch => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return `${host} - ${user !== undefined && user !== '' ? user : '-'} [${clfDate(at)}] "${req.method ?? ''} ${uri} HTTP/${req.httpVersion}" ${status} ${bytes}`
}

/** Counts the body bytes written to `res` from now on (strings by their UTF-8 length). */
export function countResponseBytes (res: ServerResponse): () => number {
  let bytes = 0
  const count = (chunk: unknown): void => {
    if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk)
    else if (chunk instanceof Uint8Array) bytes += chunk.byteLength
  }
  const write = res.write.bind(res) as (...args: unknown[]) => boolean
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse
  res.write = ((...args: unknown[]) => { count(args[0]); return write(...args) }) as typeof res.write
  res.end = ((...args: unknown[]) => { if (typeof args[0] !== 'function') count(args[0]); return end(...args) }) as typeof res.end
  return () => bytes
}

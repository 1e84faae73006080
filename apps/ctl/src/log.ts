/**
 * Log lines in the format Go's ctl writes them on stderr (go-log/zap console encoder):
 * `<time>\t<LEVEL>\t<subsystem>\t<caller>\t<message>`. The Go caller locations are kept so
 * that scripts grepping them keep working.
 */
import type { CtlIo } from './io.ts'

/** zap's ISO8601 time: `2025-03-01T12:34:56.789Z` (UTC) or `...789+0100`. */
export function logTime (nowNs: bigint): string {
  const ms = Number(nowNs / 1_000_000n)
  const d = new Date(ms)
  const off = -d.getTimezoneOffset()
  const local = new Date(ms + off * 60_000)
  const base = local.toISOString().slice(0, 23)
  if (off === 0) return base + 'Z'
  const a = Math.abs(off)
  return base + (off < 0 ? '-' : '+') + String(Math.floor(a / 60)).padStart(2, '0') + String(a % 60).padStart(2, '0')
}

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'

export function logLine (io: CtlIo, level: LogLevel, subsystem: string, caller: string, message: string): void {
  io.stderr(`${logTime(io.now())}\t${level}\t${subsystem}\t${caller}\t${message}\n`)
}

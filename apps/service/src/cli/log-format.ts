/**
 * The daemon's log format: text (`LEVEL facility: message`, the default, what people and
 * scripts read today) or JSON, one object per line (`time`, `level`, `facility`, `msg`) for log
 * collectors. Chosen by the hidden `--log-format` flag, else `IPFS_CLUSTER_LOG_FORMAT`, else
 * go-log's `GOLOG_LOG_FMT` (which Go's ipfs-cluster-service honours: `json`; anything else is text).
 */
import { CommandError, type Io, type RecordIo } from './io.ts'
import type { LogLevel } from '@cluster/api'
import { FACILITIES } from './log-levels.ts'

export type LogFormat = 'text' | 'json'

export const LOG_FORMAT_ENV = 'IPFS_CLUSTER_LOG_FORMAT'

/**
 * `text`, `json`, or `auto` (JSON when stderr is not a terminal, e.g. under systemd or in a
 * container, text on a terminal). Unset: text everywhere.
 */
export function resolveLogFormat (flag: string | undefined, env: NodeJS.ProcessEnv, stderrIsTty: boolean): LogFormat {
  const golog = env.GOLOG_LOG_FMT === undefined || env.GOLOG_LOG_FMT === '' ? undefined : env.GOLOG_LOG_FMT.toLowerCase() === 'json' ? 'json' : 'text'
  const fromEnv = env[LOG_FORMAT_ENV] === '' ? undefined : env[LOG_FORMAT_ENV]
  const value = (flag ?? fromEnv ?? golog ?? 'text').toLowerCase()
  if (value === 'text' || value === 'json') return value
  if (value === 'auto') return stderrIsTty ? 'text' : 'json'
  throw new CommandError(`log format not in expected values "text", "json" or "auto": ${value}`)
}

const KNOWN_FACILITIES = new Set<string>(FACILITIES)
const LEVEL_PREFIX = /^(DEBUG|INFO|WARN|ERROR) ([\s\S]*)$/
const FACILITY_PREFIX = /^([a-z]+): ([\s\S]*)$/

/**
 * Stderr as JSON lines. A record is one object on one line (a multi-line message keeps its
 * newlines inside `msg`). Text written with `err` (the daemon's own lines: `Initializing...`,
 * `** IPFS Cluster is READY **`, `WARN config: ...`) becomes a record too: a leading level and
 * known facility are read from it, else it is an `info` line of `service`.
 */
export function jsonIo (io: Io, now: () => Date = () => new Date()): RecordIo {
  const record = (level: LogLevel, facility: string, message: string): void => {
    io.err(JSON.stringify({ time: now().toISOString(), level, facility, msg: message.replace(/\n+$/, '') }) + '\n')
  }
  return {
    out: io.out,
    err: text => {
      const leveled = LEVEL_PREFIX.exec(text)
      const level = (leveled?.[1]?.toLowerCase() ?? 'info') as LogLevel
      const rest = leveled?.[2] ?? text
      const named = FACILITY_PREFIX.exec(rest)
      if (named !== null && KNOWN_FACILITIES.has(named[1] as string)) record(level, named[1] as string, named[2] as string)
      else record(level, 'service', rest)
    },
    record
  }
}

/**
 * In JSON mode Node's own warnings (`(node:1) SomeWarning: ...`) would break the one-object-per-line
 * output: they become `warn` records of `service` instead.
 */
export function warningsAsRecords (io: RecordIo): void {
  process.removeAllListeners('warning')
  process.on('warning', (w) => { io.record('warn', 'service', `${w.name}: ${w.message}`) })
}

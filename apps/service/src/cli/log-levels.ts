/**
 * `--loglevel` and `--debug` (config.md §7): one level per log facility, as Go's setupLogLevel
 * sets them, applied to the daemon's log lines (`LEVEL facility: message` on stderr).
 */
import type { LogLevel } from '@cluster/api'
import { CommandError, isRecordIo, type Io } from './io.ts'

/** Go's levels, least to most severe; dpanic, panic and fatal only let errors of that kind through. */
const SEVERITY: Record<string, number> = { debug: 0, info: 1, warn: 2, warning: 2, error: 3, dpanic: 4, panic: 5, fatal: 6 }

/** Go's LoggingFacilities, plus `service` (the daemon's own lines). */
export const FACILITIES = [
  'service', 'cluster', 'restapi', 'restapilog', 'pinsvcapi', 'pinsvcapilog', 'ipfsproxy', 'ipfsproxylog', 'ipfshttp',
  'monitor', 'dsstate', 'raft', 'crdt', 'pintracker', 'diskinfo', 'tags', 'apitypes', 'config', 'shardingdags',
  'singledags', 'adder', 'optracker', 'pstoremgr', 'allocator', 'observations'
] as const

/**
 * Access lines (one per request): printed only when their facility is named (`ipfsproxylog:info`)
 * or with `--debug`, so the default output says nothing per request or per pin.
 */
const ACCESS_LOG_FACILITIES = new Set(['restapilog', 'pinsvcapilog', 'ipfsproxylog'])

export const LOG_FORMAT_ERROR = 'log level not in expected format "identifier:loglevel" or "loglevel"'

export interface LogLevels {
  /** Whether a line of `level` from `facility` is printed. */
  enabled: (facility: string, level: LogLevel) => boolean
  /** Items that named an unknown level (kept at the default, as Go ignores them). */
  ignored: string[]
}

/**
 * Go's setupLogLevel: `--debug` sets every facility to debug; otherwise a comma list of `level`
 * (every facility) and `facility:level` items; an item with two `:` is an error.
 */
export function parseLogLevels (debug: boolean, spec: string): LogLevels {
  if (debug) return { enabled: () => true, ignored: [] }
  const byFacility = new Map<string, number>()
  let overall = SEVERITY.info as number
  const ignored: string[] = []
  for (const item of spec.split(',')) {
    if (item === '') continue
    const parts = item.split(':')
    if (parts.length > 2) throw new CommandError(LOG_FORMAT_ERROR)
    const [facility, level] = parts.length === 1 ? ['all', parts[0] as string] : [parts[0] as string, parts[1] as string]
    const severity = SEVERITY[level.toLowerCase()]
    if (severity === undefined) {
      ignored.push(item)
      continue
    }
    if (facility === 'all') overall = severity
    else byFacility.set(facility, severity)
  }
  return {
    enabled: (facility, level) => {
      const threshold = byFacility.get(facility) ?? (ACCESS_LOG_FACILITIES.has(facility) ? Math.max(overall, SEVERITY.warn as number) : overall)
      return (SEVERITY[level] as number) >= threshold
    },
    ignored
  }
}

export type DaemonLogger = (level: LogLevel, message: string, facility?: string) => void

/**
 * The daemon's log lines on stderr (as text, or as records of a `jsonIo`), filtered per
 * facility. A message already starting with `<facility>: ` (the pin tracker's do) is not
 * prefixed twice.
 */
export function daemonLogger (levels: LogLevels, io: Io): DaemonLogger {
  return (level, message, facility = 'cluster') => {
    if (!levels.enabled(facility, level)) return
    // JSON output (log-format.ts): the facility is a field of its own.
    if (isRecordIo(io)) {
      io.record(level, facility, message.startsWith(`${facility}: `) ? message.slice(facility.length + 2) : message)
      return
    }
    const text = message.startsWith(`${facility}: `) ? message : `${facility}: ${message}`
    io.err(`${level.toUpperCase()} ${text}\n`)
  }
}

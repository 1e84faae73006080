/** Logging: the tracker accepts a logger object or a single `(level, message)` function. */

/** Where log lines go; every method optional. */
export interface TrackerLogger {
  debug?: (message: string) => void
  info?: (message: string) => void
  warn?: (message: string) => void
  error?: (message: string) => void
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** A logger object, or one function taking the level (the service's shape). */
export type LoggerLike = TrackerLogger | ((level: LogLevel, message: string) => void)

/** A TrackerLogger from either shape (nothing given: no logging). */
export function toTrackerLogger (logger: LoggerLike | undefined): TrackerLogger {
  if (logger === undefined) return {}
  if (typeof logger !== 'function') return logger
  return {
    debug: (m) => { logger('debug', m) },
    info: (m) => { logger('info', m) },
    warn: (m) => { logger('warn', m) },
    error: (m) => { logger('error', m) }
  }
}

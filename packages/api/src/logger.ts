/** Logging: one shape for every component of the cluster. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/**
 * The one logger shape handed to every component. The service binds it to the component's
 * facility (`raft`, `pintracker`, …) and filters by `--loglevel`; a library never writes to the
 * console on its own, so its default is `silentLogger`.
 */
export type Logger = (level: LogLevel, message: string) => void

/** Says nothing: the default where no logger is given. */
export const silentLogger: Logger = () => {}

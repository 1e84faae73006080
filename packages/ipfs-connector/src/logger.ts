/** Minimal logger the connector writes to; pass your own (pino, console…) in the options. */
export interface Logger {
  debug: (msg: string) => void
  info: (msg: string) => void
  warn: (msg: string) => void
  error: (msg: string) => void
}

const noop = (): void => {}

/** Default: say nothing. A library should not write to the console on its own. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }

/**
 * Named errors of @cluster/ctl. Each carries the exit code Go's ipfs-cluster-ctl uses for that
 * failure, so `main()` only has to print and return it.
 */

/** Base class: a failure that ends the command with `exitCode`. */
export class CtlError extends Error {
  override readonly name: string = 'CtlError'
  readonly code: string = 'ERR_CTL'
  readonly exitCode: number = 1
}

/** A command-line flag could not be parsed (Go `flag` message). Exit 1 after the help text. */
export class FlagParseError extends CtlError {
  override readonly name = 'FlagParseError'
  override readonly code = 'ERR_FLAG_PARSE'
}

/**
 * A local failure printed as `error <doing>: <detail>` on stderr (bad CID, bad metadata,
 * bad host...). Exit 1 unless told otherwise (62 for a wait deadline, 125 when cancelled).
 */
export class LocalCommandError extends CtlError {
  override readonly name = 'LocalCommandError'
  override readonly code = 'ERR_LOCAL_COMMAND'
  override readonly exitCode: number
  readonly doing: string
  readonly detail: string

  constructor (doing: string, detail: string, exitCode = 1, options?: ErrorOptions) {
    super(`error ${doing}: ${detail}`, options)
    this.doing = doing
    this.detail = detail
    this.exitCode = exitCode
  }
}

/** An unknown command or help topic: `No help topic for '<name>'`, exit 3. */
export class UnknownCommandError extends CtlError {
  override readonly name = 'UnknownCommandError'
  override readonly code = 'ERR_UNKNOWN_COMMAND'
  override readonly exitCode = 3
  readonly command: string

  constructor (command: string) {
    super(`No help topic for '${command}'`)
    this.command = command
  }
}

/** Waiting for a pin status did not reach its target. */
export class WaitError extends CtlError {
  override readonly name = 'WaitError'
  override readonly code = 'ERR_WAIT'
}

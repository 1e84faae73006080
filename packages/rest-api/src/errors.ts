/**
 * Named errors of @cluster/rest-api. Each has a stable `name` and a `code` string.
 */

/** The `restapi` configuration is invalid. Messages follow Go's (`restapi.max_header_bytes is invalid`). */
export class RestApiConfigError extends Error {
  override readonly name = 'RestApiConfigError'
  readonly code = 'ERR_RESTAPI_CONFIG'
}

/** The server could not start (bad listen address, TLS files unreadable, port in use...). */
export class RestApiStartError extends Error {
  override readonly name = 'RestApiStartError'
  readonly code = 'ERR_RESTAPI_START'
}

/** `start()` was called on a server that is already running (or `stop()` on one that never ran). */
export class RestApiStateError extends Error {
  override readonly name = 'RestApiStateError'
  readonly code = 'ERR_RESTAPI_STATE'
}

/**
 * An HTTP error the API layer answers itself (bad input, auth...). `status` is the HTTP status,
 * `message` the text of the JSON error body.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  readonly code = 'ERR_HTTP'
  readonly status: number

  constructor (status: number, message: string, options?: ErrorOptions) {
    super(message, options)
    this.status = status
  }
}

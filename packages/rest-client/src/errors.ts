/**
 * Named errors of @cluster/rest-client. Each has a stable `name` and `code` string, and carries
 * the Go-style error object `{code, message}` as `body` (`code` = HTTP status, 0 for transport
 * failures — what the Go client reports).
 */
import type { ErrorBody } from '@cluster/api'

export class RestClientError extends Error {
  override readonly name: string = 'RestClientError'
  readonly code: string = 'ERR_REST_CLIENT'
  /** The Go client's `{code, message}` view of the failure. */
  readonly body: ErrorBody

  constructor (body: ErrorBody, options?: ErrorOptions) {
    super(body.message, options)
    this.body = body
  }

  /** HTTP status (0 when no HTTP answer was received). */
  get status (): number {
    return this.body.code
  }
}

/**
 * The server answered with an HTTP error (400-599), or a stream ended with `X-Stream-Error`
 * trailer values (status 500, messages joined by `; `).
 */
export class RestApiResponseError extends RestClientError {
  override readonly name: string = 'RestApiResponseError'
  override readonly code: string = 'ERR_REST_API_RESPONSE'
}

/** 404 `pin is not part of the pinset`. */
export class RestPinNotFoundError extends RestApiResponseError {
  override readonly name = 'RestPinNotFoundError'
  override readonly code = 'ERR_REST_PIN_NOT_FOUND'
}

/** No HTTP answer: connection refused, TLS failure, timeout, abort. `body.code` is 0. */
export class RestTransportError extends RestClientError {
  override readonly name = 'RestTransportError'
  override readonly code = 'ERR_REST_TRANSPORT'
}

/** The answer could not be decoded into the expected type. */
export class RestDecodeError extends RestClientError {
  override readonly name = 'RestDecodeError'
  override readonly code = 'ERR_REST_DECODE'
}

/** Bad client options (unparsable host multiaddr...). */
export class RestClientConfigError extends Error {
  override readonly name = 'RestClientConfigError'
  readonly code = 'ERR_REST_CLIENT_CONFIG'
}

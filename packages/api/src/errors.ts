/**
 * Named errors of @cluster/api. Every error has a stable `name` and a `code` string so callers
 * can branch on them without parsing messages. Messages reproduce Go IPFS Cluster's text where
 * the REST API exposes it (query parsing, CID and peer-ID decoding).
 */

/** Base class of every error thrown by this package. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError'
  readonly code: string = 'ERR_API'
}

/** A JSON value (or JSON text) does not have the shape of the expected wire type. */
export class DecodeError extends ApiError {
  override readonly name = 'DecodeError'
  override readonly code = 'ERR_DECODE'
  /** Where the problem is, e.g. `peer_map.P1.status` or `allocations[2]` (`''` = the root). */
  readonly path: string
  /** What is wrong, without the path. */
  readonly detail: string

  constructor (path: string, detail: string, options?: ErrorOptions) {
    super(path === '' ? detail : `${path}: ${detail}`, options)
    this.path = path
    this.detail = detail
  }
}

/** A value cannot be written as Go-compatible JSON (NaN, a function, a year outside 0-9999...). */
export class EncodeError extends ApiError {
  override readonly name = 'EncodeError'
  override readonly code = 'ERR_ENCODE'
}

/** A string is not a valid CID. The message is the parser's message (as Go's go-cid gives it). */
export class InvalidCidError extends ApiError {
  override readonly name = 'InvalidCidError'
  override readonly code = 'ERR_INVALID_CID'
}

/** A string is not a valid libp2p peer ID. */
export class InvalidPeerIdError extends ApiError {
  override readonly name = 'InvalidPeerIdError'
  override readonly code = 'ERR_INVALID_PEER_ID'
}

/** A string is not a valid multiaddress. */
export class InvalidMultiaddrError extends ApiError {
  override readonly name = 'InvalidMultiaddrError'
  override readonly code = 'ERR_INVALID_MULTIADDR'
}

/** A string is not an RFC 3339 timestamp (message as Go's time.Parse), or a time cannot be formatted. */
export class InvalidTimestampError extends ApiError {
  override readonly name = 'InvalidTimestampError'
  override readonly code = 'ERR_INVALID_TIMESTAMP'
}

/** A string is not a Go duration (message as Go's time.ParseDuration). */
export class InvalidDurationError extends ApiError {
  override readonly name = 'InvalidDurationError'
  override readonly code = 'ERR_INVALID_DURATION'
}

/**
 * A pin option in a query string is invalid. `message` is Go's exact text; the REST layer
 * answers `status` (400) with `{"code":400,"message":<message>}`.
 */
export class PinOptionsError extends ApiError {
  override readonly name = 'PinOptionsError'
  override readonly code = 'ERR_INVALID_PIN_OPTIONS'
  readonly status = 400
}

/**
 * A `POST /add` request is unusable: not a multipart body, or an invalid adder option.
 * `message` is Go's text; answered as HTTP 400.
 */
export class AddRequestError extends ApiError {
  override readonly name = 'AddRequestError'
  override readonly code = 'ERR_INVALID_ADD_REQUEST'
  readonly status = 400
}

/** A `filter` query parameter names nothing valid. Message: `invalid filter value` (HTTP 400). */
export class InvalidFilterError extends ApiError {
  override readonly name = 'InvalidFilterError'
  override readonly code = 'ERR_INVALID_FILTER'
  readonly status = 400

  constructor (options?: ErrorOptions) {
    super('invalid filter value', options)
  }
}

/** The CID is not in the cluster's pinset (REST: 404 "pin is not part of the pinset"). */
export class PinNotFoundError extends ApiError {
  override readonly name: string = 'PinNotFoundError'
  override readonly code: string = 'ERR_PIN_NOT_FOUND'

  constructor (message = 'pin is not part of the pinset', options?: ErrorOptions) {
    super(message, options)
  }
}

/**
 * An NDJSON line is longer than the reader's `maxLineBytes` (its `\n` not counted): thrown instead
 * of buffering without bound. `line` is its 1-based number.
 */
export class NdjsonLineTooLongError extends ApiError {
  override readonly name = 'NdjsonLineTooLongError'
  override readonly code = 'ERR_NDJSON_LINE_TOO_LONG'
  readonly line: number
  readonly maxLineBytes: number

  constructor (line: number, maxLineBytes: number) {
    super(`line ${line} is longer than ${maxLineBytes} bytes`)
    this.line = line
    this.maxLineBytes = maxLineBytes
  }
}

/**
 * What an error caused by a request's input declares, whichever package throws it (the
 * adder's upload errors, for one): `clientError: true` and the 4xx `status` to answer with.
 * Other errors may carry a `status` that is not the client's (an IPFS daemon's answer).
 */
export interface ClientInputError extends Error {
  readonly clientError: true
  readonly status: number
}

/** The 4xx status of a ClientInputError, else undefined. */
export function clientErrorStatus (err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined
  const { clientError, status } = err as Partial<ClientInputError>
  if (clientError !== true || typeof status !== 'number') return undefined
  return Number.isInteger(status) && status >= 400 && status <= 499 ? status : undefined
}

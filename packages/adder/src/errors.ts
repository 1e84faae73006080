/**
 * Named errors of @cluster/adder. Every error has a stable `name` and a `code` string; callers
 * branch on `code` (or `instanceof`). Messages reproduce Go IPFS Cluster's text where a client
 * sees it (the `X-Stream-Error` trailer of `POST /add`).
 */

/** Base class of every error this package throws on purpose. */
export class AdderError extends Error {
  override readonly name: string = 'AdderError'
  readonly code: string = 'ERR_ADDER'
}

/**
 * The upload is unusable: wrong Content-Type, malformed or truncated multipart body, a path
 * with `..`, a nameless directory, duplicate paths, no parts at all… The client's fault (a
 * ClientInputError of @cluster/api): answered 400 when nothing was sent yet.
 */
export class InvalidUploadError extends AdderError {
  override readonly name = 'InvalidUploadError'
  override readonly code = 'ERR_INVALID_UPLOAD'
  readonly clientError = true
  readonly status = 400
}

/**
 * An add option this adder cannot honour (sharded adds, nocopy, an unknown chunker or hash
 * function, CIDv0 with a hash other than sha2-256). Thrown by checkAddParams before any work,
 * so the REST layer can answer 400.
 */
export class UnsupportedAddOptionError extends AdderError {
  override readonly name = 'UnsupportedAddOptionError'
  override readonly code = 'ERR_UNSUPPORTED_ADD_OPTION'
  readonly clientError = true
  readonly status = 400
}

/**
 * A `format=car` upload cannot be imported. Go's texts: `cannot wrap a CAR file upload`,
 * `only CAR files with a single root are supported`; also a malformed CAR or a block whose bytes
 * do not hash to its CID.
 */
export class CarImportError extends AdderError {
  override readonly name = 'CarImportError'
  override readonly code = 'ERR_CAR_IMPORT'
  readonly clientError = true
  readonly status = 400
}

/** The add was aborted through `options.signal`; `cause` is the signal's reason. */
export class AddAbortedError extends AdderError {
  override readonly name = 'AddAbortedError'
  override readonly code = 'ERR_ADD_ABORTED'
}

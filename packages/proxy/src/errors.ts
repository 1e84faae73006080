/**
 * Named errors of @cluster/proxy. Each has a stable `name` and `code`; handlers turn them into
 * Kubo-shaped error bodies (`{"Message","Code":0,"Type":"error"}`) with `status`.
 */

/** Base class of the errors of this package. */
export class ProxyError extends Error {
  override readonly name: string = 'ProxyError'
  readonly code: string = 'ERR_PROXY'
  /** HTTP status Kubo would answer with. */
  readonly status: number = 500
}

/** The `ipfsproxy` configuration section is invalid (load or validation). */
export class ProxyConfigError extends ProxyError {
  override readonly name = 'ProxyConfigError'
  override readonly code = 'ERR_PROXY_CONFIG'
}

/** A listener could not be opened (busy port, bad address). */
export class ProxyStartError extends ProxyError {
  override readonly name = 'ProxyStartError'
  override readonly code = 'ERR_PROXY_START'
}

/**
 * A request argument is missing, malformed or unsupported: a client error (400). Kubo answers
 * 400 for missing arguments and 500 for malformed ones; both are 400 here.
 */
export class ProxyArgumentError extends ProxyError {
  override readonly name = 'ProxyArgumentError'
  override readonly code = 'ERR_PROXY_ARGUMENT'
  override readonly status: number = 400
}

/** A well-formed request the pinset cannot serve (e.g. "not pinned"); answered with 500 like Kubo. */
export class ProxyRequestError extends ProxyError {
  override readonly name = 'ProxyRequestError'
  override readonly code = 'ERR_PROXY_REQUEST'
}

/** The IPFS daemon behind the proxy could not be reached or answered badly. */
export class ProxyUpstreamError extends ProxyError {
  override readonly name = 'ProxyUpstreamError'
  override readonly code = 'ERR_PROXY_UPSTREAM'
}

/** The text of any thrown value. */
export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

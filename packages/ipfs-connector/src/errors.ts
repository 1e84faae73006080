/**
 * Named errors of the IPFS connector. Every error has a stable `name` and a `code`; callers
 * should branch on `code` (or `instanceof`), never on message text.
 */

/** Base class: every error this package throws on purpose extends it. */
export class IpfsConnectorError extends Error {
  override readonly name: string = 'IpfsConnectorError'
  readonly code: string = 'ERR_IPFS_CONNECTOR'
}

/**
 * Kubo answered with a non-200 status and a JSON error body `{"Message","Code","Type"}`.
 * Message as Go: `IPFS error (<endpoint>). Code: <status>. Message: <Message>`.
 */
export class IpfsApiError extends IpfsConnectorError {
  override readonly name = 'IpfsApiError'
  override readonly code = 'ERR_IPFS_API'
  /** HTTP status (500 for ordinary failures, 400 for bad arguments). */
  readonly status: number
  /** Kubo's own message (`Message` of the body), e.g. `not pinned or pinned indirectly`. */
  readonly kuboMessage: string
  /** Kubo's numeric error code (`Code` of the body; 0 = normal, 1 = client). */
  readonly kuboCode: number | undefined
  readonly endpoint: string

  constructor (endpoint: string, status: number, kuboMessage: string, kuboCode: number | undefined) {
    // Without a stack: it would only show the HTTP client's frames, and capturing it was most of
    // the cost of an expected answer such as the "not pinned" of the check before each pin/add.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      super(`IPFS error (${endpoint}). Code: ${status}. Message: ${kuboMessage}`)
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
    this.endpoint = endpoint
    this.status = status
    this.kuboMessage = kuboMessage
    this.kuboCode = kuboCode
  }
}

/**
 * Kubo (or something pretending to be it) answered a non-200 status whose body is not a JSON
 * object, e.g. `404 page not found` or a proxy's HTML page.
 */
export class IpfsRequestFailedError extends IpfsConnectorError {
  override readonly name = 'IpfsRequestFailedError'
  override readonly code = 'ERR_IPFS_REQUEST_FAILED'
  readonly status: number
  readonly body: string
  readonly endpoint: string

  constructor (endpoint: string, status: number, body: string) {
    super(`IPFS request failed (is it running?) (${endpoint}). Code ${status}: ${body}`)
    this.endpoint = endpoint
    this.status = status
    this.body = body
  }
}

/** Kubo reported an error after output had started, in the `X-Stream-Error` trailer. */
export class IpfsStreamError extends IpfsConnectorError {
  override readonly name = 'IpfsStreamError'
  override readonly code = 'ERR_IPFS_STREAM'
  readonly kuboMessage: string
  readonly endpoint: string

  constructor (endpoint: string, kuboMessage: string) {
    super(`IPFS error (${endpoint}) after output had started: ${kuboMessage}`)
    this.endpoint = endpoint
    this.kuboMessage = kuboMessage
  }
}

/** No HTTP answer at all: connection refused, reset before the headers, DNS failure. */
export class IpfsUnreachableError extends IpfsConnectorError {
  override readonly name = 'IpfsUnreachableError'
  override readonly code = 'ERR_IPFS_UNREACHABLE'
  /** The system error code when known (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, …). */
  readonly systemCode: string | undefined
  readonly endpoint: string

  constructor (endpoint: string, cause: unknown) {
    const systemCode = systemCodeOf(cause)
    super(`IPFS unreachable (is it running?) (${endpoint}): ${messageOf(cause)}`, { cause })
    this.endpoint = endpoint
    this.systemCode = systemCode
  }
}

/** The request's deadline passed (a hung daemon: no headers or no more bytes in time). */
export class IpfsTimeoutError extends IpfsConnectorError {
  override readonly name = 'IpfsTimeoutError'
  override readonly code = 'ERR_IPFS_TIMEOUT'
  readonly timeoutMs: number
  readonly endpoint: string

  constructor (endpoint: string, timeoutMs: number) {
    super(`IPFS request timed out after ${timeoutMs} ms (${endpoint})`)
    this.endpoint = endpoint
    this.timeoutMs = timeoutMs
  }
}

/** The connection broke after the headers: the body ended early (truncated stream, reset). */
export class IpfsTruncatedResponseError extends IpfsConnectorError {
  override readonly name = 'IpfsTruncatedResponseError'
  override readonly code = 'ERR_IPFS_TRUNCATED_RESPONSE'
  readonly endpoint: string

  constructor (endpoint: string, detail: string, cause?: unknown) {
    super(`IPFS response ended early (${endpoint}): ${detail}`, cause === undefined ? undefined : { cause })
    this.endpoint = endpoint
  }
}

/** Kubo answered 200 with something that is not what the endpoint returns (garbage, bad JSON). */
export class IpfsBadResponseError extends IpfsConnectorError {
  override readonly name = 'IpfsBadResponseError'
  override readonly code = 'ERR_IPFS_BAD_RESPONSE'
  readonly endpoint: string

  constructor (endpoint: string, detail: string, cause?: unknown) {
    super(`IPFS returned an invalid response (${endpoint}): ${detail}`, cause === undefined ? undefined : { cause })
    this.endpoint = endpoint
  }
}

/** The caller cancelled the operation through its AbortSignal. `cause` is the signal's reason. */
export class IpfsAbortedError extends IpfsConnectorError {
  override readonly name = 'IpfsAbortedError'
  override readonly code = 'ERR_IPFS_ABORTED'

  constructor (endpoint: string, cause: unknown) {
    super(`IPFS request aborted (${endpoint}): ${messageOf(cause)}`, { cause })
  }
}

/** `pin/add` showed no progress for `pin_timeout`; the request was cancelled. */
export class PinStalledError extends IpfsConnectorError {
  override readonly name = 'PinStalledError'
  override readonly code = 'ERR_PIN_STALLED'
  readonly cid: string
  readonly pinTimeoutMs: number
  /** Highest `Progress` value (nodes fetched) seen before the stall. */
  readonly progress: number

  constructor (cid: string, pinTimeoutMs: number, progress: number) {
    super(`pin of ${cid} made no progress for ${pinTimeoutMs} ms (${progress} nodes fetched): cancelled`)
    this.cid = cid
    this.pinTimeoutMs = pinTimeoutMs
    this.progress = progress
  }
}

/** `unpin_disable: true` in the configuration. */
export class UnpinDisabledError extends IpfsConnectorError {
  override readonly name = 'UnpinDisabledError'
  override readonly code = 'ERR_UNPIN_DISABLED'

  constructor () {
    super('ipfs unpinning is disallowed by configuration on this peer')
  }
}

/** A bad `ipfs_connector.ipfshttp` configuration value. */
export class InvalidConfigError extends IpfsConnectorError {
  override readonly name = 'InvalidConfigError'
  override readonly code = 'ERR_INVALID_CONFIG'
}

/** A path or CID given by the caller cannot be used (`resolve`, `pin ls`, `block put`). */
export class InvalidArgumentError extends IpfsConnectorError {
  override readonly name = 'InvalidArgumentError'
  override readonly code = 'ERR_INVALID_ARGUMENT'
}

/** `ConfigKey`: the key is not in Kubo's configuration, or the path walks into a non-object. */
export class ConfigKeyError extends IpfsConnectorError {
  override readonly name = 'ConfigKeyError'
  override readonly code = 'ERR_CONFIG_KEY'
}

/** `BlockStream`: nothing to send, or Kubo did not acknowledge every block. */
export class BlockPutError extends IpfsConnectorError {
  override readonly name = 'BlockPutError'
  override readonly code = 'ERR_BLOCK_PUT'
}

function systemCodeOf (err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code
  return undefined
}

export function messageOf (err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(messageOf).join('; ')
  if (err instanceof Error) return err.message === '' ? (systemCodeOf(err) ?? err.name) : err.message
  return String(err)
}

/** How a call failed, as Go's gorpc error types (authorization errors are skipped by fan-outs). */
export type RpcErrorType = 'server' | 'client' | 'authorization' | 'transport'

/**
 * A failed call: `server` (the handler threw; message is its error's), `authorization` (policy
 * refused the caller), `client` (bad request: unknown method, undecodable argument or answer),
 * `transport` (could not reach the peer, stream broke, timed out).
 */
export class RpcError extends Error {
  override readonly name = 'RpcError'
  readonly code = 'ERR_RPC'
  readonly type: RpcErrorType

  constructor (type: RpcErrorType, message: string, options?: ErrorOptions) {
    super(message, options)
    this.type = type
  }
}

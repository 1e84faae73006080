/** Raised when a Kubo daemon cannot be initialised or does not become ready in time. */
export class KuboStartError extends Error {
  override readonly name = 'KuboStartError'
  readonly code = 'ERR_KUBO_START'
}

/** Raised when the `ipfs` binary is missing: run `npm run setup` (scripts/install-go-tools.sh). */
export class KuboNotInstalledError extends Error {
  override readonly name = 'KuboNotInstalledError'
  readonly code = 'ERR_KUBO_NOT_INSTALLED'
}

/** Raised when a Kubo RPC call answers with a non-2xx status. */
export class KuboRpcError extends Error {
  override readonly name = 'KuboRpcError'
  readonly code = 'ERR_KUBO_RPC'
  readonly status: number

  constructor (message: string, status: number) {
    super(message)
    this.status = status
  }
}

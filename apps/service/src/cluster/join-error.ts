import { ClusterSecretMismatchError } from './errors.ts'

/**
 * Errors raised while a new connection is secured: libp2p's upgrader wraps whatever broke the
 * connection-encryption step (a reset, garbage, a timeout) in EncryptionFailedError, and the
 * private-network protector fails the nonce exchange with PnetHandshakeError.
 */
const SECURING_ERRORS = new Set(['EncryptionFailedError', 'PnetHandshakeError'])

/** The error a failed join reports: the same error, unless the cluster secret is the likely cause. */
export function joinError (addr: string, err: unknown): Error {
  const error = err instanceof Error ? err : new Error(String(err))
  if (!failedWhileSecuring(error)) return error
  return new ClusterSecretMismatchError(
    `could not join the cluster through ${addr}: the connection to that peer could not be secured; ` +
    `the cluster secret probably differs between the two peers (cluster.secret in service.json, or CLUSTER_SECRET): ${error.message}`,
    { cause: error })
}

function failedWhileSecuring (err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 8) return false
  if (SECURING_ERRORS.has(err.name)) return true
  if (err instanceof AggregateError && err.errors.some(e => failedWhileSecuring(e, depth + 1))) return true
  return failedWhileSecuring(err.cause, depth + 1)
}

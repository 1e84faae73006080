/** A request the cluster refuses (bad replication factors, incompatible re-pin...): REST 500 with Go's text. */
export class ClusterRequestError extends Error {
  override readonly name = 'ClusterRequestError'
  readonly code = 'ERR_CLUSTER_REQUEST'
}

/** A write on a peer in follower mode (cluster-behaviour.md §12): Go's text. */
export class FollowerModeError extends Error {
  override readonly name = 'FollowerModeError'
  readonly code = 'ERR_FOLLOWER_MODE'

  constructor (message = 'this peer is configured to be in follower mode. Write operations are disabled') { super(message) }
}

/** The peer is shutting down or not started. */
export class ClusterStoppedError extends Error {
  override readonly name = 'ClusterStoppedError'
  readonly code = 'ERR_CLUSTER_STOPPED'

  constructor (message = 'cluster is shutting down') { super(message) }
}

/**
 * Joining (`daemon --bootstrap`) failed while the connection to the peer was being secured: with
 * a private network, a different cluster secret shows only as garbage that breaks the handshake
 * after it (or as the remote hanging up), so the message names the secret as the likely cause.
 */
export class ClusterSecretMismatchError extends Error {
  override readonly name = 'ClusterSecretMismatchError'
  readonly code = 'ERR_CLUSTER_SECRET_MISMATCH'
}

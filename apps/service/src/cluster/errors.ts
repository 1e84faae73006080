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

/** A request the cluster refuses (bad replication factors, incompatible re-pin...): REST 500 with Go's text. */
export class ClusterRequestError extends Error {
  override readonly name = 'ClusterRequestError'
  readonly code = 'ERR_CLUSTER_REQUEST'
}

/** The peer is shutting down or not started. */
export class ClusterStoppedError extends Error {
  override readonly name = 'ClusterStoppedError'
  readonly code = 'ERR_CLUSTER_STOPPED'

  constructor (message = 'cluster is shutting down') { super(message) }
}

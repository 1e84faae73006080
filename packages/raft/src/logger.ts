/**
 * The core's trace logger (etcd's raft logger): pass one in {@link RaftConfig.logger} to see what
 * a node does and why. Silent by default: without a logger nothing is formatted (every call site
 * is `logger?.debug(...)`, so the message is not even built).
 *
 * - `debug`: state transitions (follower, pre-candidate, candidate, leader), elections and votes,
 *   messages ignored for their term or a leader lease, rejected appends, snapshots sent and
 *   restored, configuration changes, leadership transfers, quorum loss. A few lines per election.
 * - `trace` (optional): every message stepped into the core, as {@link describeMessage} prints it.
 *   As many lines as messages: for tests and debugging sessions.
 *
 * Lines start with the node's id, like etcd's (`a became leader at term 2`).
 */
export interface RaftLogger {
  debug: (msg: string) => void
  trace?: (msg: string) => void
}

import type { Message, NodeId } from './messages.ts'

/** Finds a sealed snapshot file by name (undefined: not here). */
export type SnapshotFileResolver = (name: string) => string | undefined

/**
 * How a Raft node reaches its peers. Delivery is best-effort and unordered across peers; Raft
 * itself retries, so a transport may drop messages (and must never block the node loop).
 */
export interface RaftTransport {
  readonly localId: NodeId
  /** Queues messages for sending and returns at once. */
  send: (messages: readonly Message[]) => void
  /** Messages addressed to this node. */
  onMessage: (handler: (message: Message) => void) => void
  /** A peer could not be reached: the node reports it to the core (`unreachable`). */
  onUnreachable: (handler: (peer: NodeId) => void) => void
  /** Serves snapshot files to peers (see snapshot-files.ts); optional. */
  serveSnapshotFiles?: (resolve: SnapshotFileResolver) => void
  /** Reads a peer's snapshot file from byte `offset`, in chunks; optional. */
  readSnapshotFile?: (peer: NodeId, name: string, offset: number) => AsyncIterable<Uint8Array>
  close: () => Promise<void>
}

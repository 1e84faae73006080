import type { Message, NodeId } from './messages.ts'

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
  close: () => Promise<void>
}

import { decodeMessage, encodeMessage } from './codec.ts'
import type { Message, NodeId } from './messages.ts'
import { readFileChunks } from './snapshot-files.ts'
import { SnapshotTransferError } from './transport-errors.ts'
import type { RaftTransport, SnapshotFileResolver } from './transport.ts'

/**
 * An in-process network of {@link RaftTransport}s for tests, examples and benchmarks. Messages are
 * delivered asynchronously (in order per sender and receiver) and go through the wire codec, so
 * nothing is shared between nodes by reference. Links can be cut in one or both directions.
 */
export class MemoryNetwork {
  private readonly nodes = new Map<NodeId, MemoryTransport>()
  private readonly cut = new Set<string>()

  transport (id: NodeId): RaftTransport {
    const t = new MemoryTransport(id, this)
    this.nodes.set(id, t)
    return t
  }

  /** Drops every message from `from` to `to` (and back, unless `oneWay`). */
  disconnect (from: NodeId, to: NodeId, oneWay = false): void {
    this.cut.add(`${from}>${to}`)
    if (!oneWay) this.cut.add(`${to}>${from}`)
  }

  /** Cuts `id` off from every other node. */
  isolate (id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.disconnect(id, other)
  }

  heal (): void {
    this.cut.clear()
  }

  /** @internal */
  deliver (from: MemoryTransport, m: Message): void {
    const to = this.nodes.get(m.to)
    if (to === undefined || to.closed) {
      setImmediate(() => { from.unreachable(m.to) })
      return
    }
    if (this.cut.has(`${m.from}>${m.to}`)) return
    const bytes = encodeMessage(m)
    setImmediate(() => { to.receive(decodeMessage(bytes)) })
  }

  /** @internal */
  async * readSnapshotFile (from: NodeId, peer: NodeId, name: string, offset: number): AsyncGenerator<Uint8Array> {
    const path = this.nodes.get(peer)?.snapshotFiles?.(name)
    if (path === undefined || this.cut.has(`${from}>${peer}`)) throw new SnapshotTransferError(`snapshot ${name} from ${peer}: not available`)
    for await (const chunk of readFileChunks(path, offset, 64 * 1024)) {
      if (this.cut.has(`${peer}>${from}`)) throw new SnapshotTransferError(`snapshot ${name} from ${peer}: connection cut`)
      yield chunk
    }
  }

  /** @internal */
  remove (id: NodeId): void {
    this.nodes.delete(id)
  }
}

class MemoryTransport implements RaftTransport {
  readonly localId: NodeId
  closed = false
  snapshotFiles?: SnapshotFileResolver
  private readonly network: MemoryNetwork
  private messageHandler: (m: Message) => void = () => {}
  private unreachableHandler: (peer: NodeId) => void = () => {}

  constructor (id: NodeId, network: MemoryNetwork) {
    this.localId = id
    this.network = network
  }

  send (messages: readonly Message[]): void {
    if (this.closed) return
    for (const m of messages) this.network.deliver(this, m)
  }

  onMessage (handler: (m: Message) => void): void { this.messageHandler = handler }
  onUnreachable (handler: (peer: NodeId) => void): void { this.unreachableHandler = handler }

  serveSnapshotFiles (resolve: SnapshotFileResolver): void { this.snapshotFiles = resolve }

  readSnapshotFile (peer: NodeId, name: string, offset: number): AsyncIterable<Uint8Array> {
    return this.network.readSnapshotFile(this.localId, peer, name, offset)
  }

  receive (m: Message): void { if (!this.closed) this.messageHandler(m) }
  unreachable (peer: NodeId): void { if (!this.closed) this.unreachableHandler(peer) }

  async close (): Promise<void> {
    this.closed = true
    this.network.remove(this.localId)
  }
}

import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { decodeMessage, encodeMessage } from './codec.ts'
import { RAFT_SNAPSHOT_PROTOCOL, readSnapshotFile, serveSnapshotFile } from './snapshot-protocol.ts'
import { DecodeError, SnapshotTransferError } from './transport-errors.ts'
import type { Message, NodeId } from './messages.ts'
import type { RaftTransport, SnapshotFileResolver } from './transport.ts'

/** Our own protocol id: a TypeScript peer must never talk Raft to a Go cluster by accident. */
export const RAFT_PROTOCOL = '/cluster-ts/raft/1.0.0'

export interface Libp2pTransportOptions {
  protocol?: string
  /** Dial + protocol negotiation budget. Default 5 s. */
  dialTimeoutMs?: number
  /** Messages queued for one peer beyond this are dropped (Raft resends). Default 4096. */
  maxQueuedPerPeer?: number
  /**
   * Largest accepted frame. Default 64 MiB: a message carries at most `maxEntriesPerMsg` entries,
   * and snapshot files travel in 256 KiB chunks on their own protocol.
   */
  maxMessageBytes?: number
  /** A snapshot file transfer may be idle this long before it is dropped. Default 30 s. */
  snapshotIdleTimeoutMs?: number
  /** A frame was refused (undecodable, oversize, or sent in another node's name). */
  onInvalidMessage?: (err: Error, from: string) => void
}

/**
 * {@link RaftTransport} over libp2p: node IDs are peer-ID strings; one long-lived outbound stream
 * per peer carries length-prefixed MessagePack frames, written in batches. A message is accepted
 * only from the peer it claims to come from (the connection's authenticated remote peer).
 */
export class Libp2pTransport implements RaftTransport {
  readonly localId: NodeId
  private readonly node: Libp2p
  private readonly protocol: string
  private readonly options: Required<Omit<Libp2pTransportOptions, 'onInvalidMessage'>>
  private snapshotFiles?: SnapshotFileResolver
  private readonly onInvalid: (err: Error, from: string) => void
  private readonly peers = new Map<NodeId, Outbound>()
  private messageHandler: (m: Message) => void = () => {}
  private unreachableHandler: (peer: NodeId) => void = () => {}
  private closed = false
  private readonly inbound = new Set<Stream>()

  private constructor (node: Libp2p, options: Libp2pTransportOptions) {
    this.node = node
    this.localId = node.peerId.toString()
    this.protocol = options.protocol ?? RAFT_PROTOCOL
    this.options = {
      protocol: this.protocol,
      dialTimeoutMs: options.dialTimeoutMs ?? 5_000,
      maxQueuedPerPeer: options.maxQueuedPerPeer ?? 4096,
      maxMessageBytes: options.maxMessageBytes ?? 64 * 1024 * 1024,
      snapshotIdleTimeoutMs: options.snapshotIdleTimeoutMs ?? 30_000
    }
    this.onInvalid = options.onInvalidMessage ?? (() => {})
  }

  static async create (node: Libp2p, options: Libp2pTransportOptions = {}): Promise<Libp2pTransport> {
    const t = new Libp2pTransport(node, options)
    await node.handle(t.protocol, (stream, connection) => { void t.readInbound(stream, connection) }, { runOnLimitedConnection: false })
    await node.handle(RAFT_SNAPSHOT_PROTOCOL, (stream) => { void serveSnapshotFile(stream, t.snapshotFiles, t.options.snapshotIdleTimeoutMs) }, { runOnLimitedConnection: false })
    return t
  }

  serveSnapshotFiles (resolve: SnapshotFileResolver): void { this.snapshotFiles = resolve }

  /** Reads a peer's snapshot file from `offset`; throws SnapshotTransferError when it cannot. */
  async * readSnapshotFile (peer: NodeId, name: string, offset: number): AsyncGenerator<Uint8Array> {
    const stream = await this.node.dialProtocol(peerIdFromString(peer), RAFT_SNAPSHOT_PROTOCOL, {
      signal: AbortSignal.timeout(this.options.dialTimeoutMs)
    }).catch((err: Error) => { throw new SnapshotTransferError(`snapshot ${name} from ${peer}: ${err.message}`, { cause: err }) })
    yield * readSnapshotFile(stream, name, offset, this.options.snapshotIdleTimeoutMs)
  }

  send (messages: readonly Message[]): void {
    if (this.closed) return
    for (const m of messages) {
      let peer = this.peers.get(m.to)
      if (peer === undefined) this.peers.set(m.to, peer = { queue: [], writing: false })
      if (peer.queue.length >= this.options.maxQueuedPerPeer) continue
      peer.queue.push(encodeMessage(m))
      if (!peer.writing) void this.flush(m.to, peer)
    }
  }

  onMessage (handler: (m: Message) => void): void { this.messageHandler = handler }
  onUnreachable (handler: (peer: NodeId) => void): void { this.unreachableHandler = handler }

  async close (): Promise<void> {
    this.closed = true
    await this.node.unhandle(this.protocol)
    await this.node.unhandle(RAFT_SNAPSHOT_PROTOCOL)
    for (const peer of this.peers.values()) peer.stream?.unwrap().abort(new Error('transport closed'))
    for (const stream of this.inbound) stream.abort(new Error('transport closed'))
    this.peers.clear()
  }

  /** Writes everything queued for `to`, opening the stream when needed; one writer per peer. */
  private async flush (to: NodeId, peer: Outbound): Promise<void> {
    peer.writing = true
    try {
      while (peer.queue.length > 0 && !this.closed) {
        if (peer.stream === undefined) {
          const stream = await this.node.dialProtocol(peerIdFromString(to), this.protocol, {
            signal: AbortSignal.timeout(this.options.dialTimeoutMs)
          })
          peer.stream = lpStream(stream, this.frameLimits())
        }
        const batch = peer.queue.splice(0, peer.queue.length)
        await peer.stream.writeV(batch)
      }
    } catch {
      // Dial or write failed: drop what is queued (Raft resends) and tell the node.
      peer.queue.length = 0
      peer.stream?.unwrap().abort(new Error('raft stream failed'))
      peer.stream = undefined
      if (!this.closed) this.unreachableHandler(to)
    } finally {
      peer.writing = false
    }
  }

  private async readInbound (stream: Stream, connection: Connection): Promise<void> {
    this.inbound.add(stream)
    const remote = connection.remotePeer.toString()
    const lp = lpStream(stream, this.frameLimits())
    try {
      while (!this.closed) {
        const frame = await lp.read()
        let m: Message
        try {
          m = decodeMessage(frame.subarray())
        } catch (err) {
          this.onInvalid(err as Error, remote)
          continue
        }
        if (m.from !== remote || m.to !== this.localId) {
          this.onInvalid(new DecodeError(`message from ${m.from} to ${m.to} arrived from ${remote}: refused`), remote)
          continue
        }
        this.messageHandler(m)
      }
    } catch (err) {
      // The remote closed or reset the stream (it opens a new one when it has more to say), or
      // sent a frame over the size limit: the stream is dropped.
      const e = err as Error
      if (!this.closed && (/InvalidDataLength|StreamBuffer/.test(e.name) || /too (long|large)|exceed|max/i.test(e.message))) {
        this.onInvalid(new DecodeError(`oversize frame (limit ${this.options.maxMessageBytes} bytes): ${e.message}`), remote)
      }
      stream.abort(e)
    } finally {
      this.inbound.delete(stream)
    }
  }

  /**
   * A frame as large as allowed must also fit in the read buffer (4 MiB by default), with room
   * for the frames that arrived behind it.
   */
  private frameLimits (): { maxDataLength: number, maxBufferSize: number } {
    return { maxDataLength: this.options.maxMessageBytes, maxBufferSize: Math.max(4 * 1024 * 1024, 2 * this.options.maxMessageBytes) }
  }
}

interface Outbound {
  queue: Uint8Array[]
  writing: boolean
  stream?: LengthPrefixedStream<Stream>
}

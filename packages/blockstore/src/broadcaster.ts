import { createHash } from 'node:crypto'
import { StrictSign, TopicValidatorResult, type GossipSub, type GossipsubOpts, type Message, type SubscriptionChangeData } from '@libp2p/gossipsub'
import { base58btc } from 'multiformats/bases/base58'
import type { PeerId } from '@libp2p/interface'

/** MD5's multicodec (0xd5, a two-byte varint) and digest length, as go-multihash writes them. */
const MD5_MULTIHASH_PREFIX = Uint8Array.of(0xd5, 0x01, 0x10)

/**
 * The CRDT topic of a cluster: base58btc (no multibase prefix) of the MD5 multihash of the
 * UTF-8 `cluster_name` (ipfs-cluster v1.1.6 consensus/crdt/consensus.go).
 */
export function crdtTopic (clusterName: string): string {
  const digest = createHash('md5').update(clusterName, 'utf8').digest()
  const multihash = new Uint8Array(MD5_MULTIHASH_PREFIX.length + digest.length)
  multihash.set(MD5_MULTIHASH_PREFIX)
  multihash.set(digest, MD5_MULTIHASH_PREFIX.length)
  return base58btc.baseEncode(multihash)
}

/**
 * Go IPFS Cluster's gossipsub message ID: the first 16 bytes of the binary `from` peer ID
 * followed by the 8-byte big-endian `seqno` (ipfs-cluster v1.1.6 clusterhost.go, hashMsgID,
 * passed with pubsub.WithMessageIdFn). Go peers name messages this way in IHAVE/IWANT/IDONTWANT,
 * so every peer of a mixed cluster must use it, on every topic.
 */
export function clusterMessageId (msg: Message): Uint8Array {
  if (msg.type !== 'signed') throw new Error('cluster pubsub messages are signed (StrictSign)')
  const from = msg.from.toMultihash().bytes
  if (from.byteLength < 16) throw new Error(`peer ID of ${from.byteLength} bytes is too short for the cluster message ID`)
  const id = new Uint8Array(16 + 8)
  id.set(from.subarray(0, 16))
  new DataView(id.buffer).setBigUint64(16, BigInt.asUintN(64, msg.sequenceNumber))
  return id
}

/** Messages that cannot be named this way each get a key of their own (they never validate). */
let unnamedMessages = 0

/**
 * A key for gossipsub's duplicate check before validation: clusterMessageId's bytes (the first
 * 16 bytes of the author's peer ID, then the sequence number) as they arrived, one byte per
 * character. A message that validates is remembered under it, so the copies that other mesh peers
 * forward are dropped without checking their signatures again (where every peer meshes with every
 * other, each peer gets most messages twice, and the Ed25519 check was the largest cost of taking
 * one in). Go's message ID already names a message by these bytes, so two valid messages never
 * share a key unless Go would take them for one; the cache holds 24 bytes per message.
 */
export function clusterFastMessageId (msg: { from?: Uint8Array, seqno?: Uint8Array }): string {
  if (msg.from === undefined || msg.seqno === undefined || msg.from.byteLength < 16) return `unnamed/${++unnamedMessages}`
  return latin1(msg.from.subarray(0, 16)) + latin1(msg.seqno)
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')

/**
 * The gossipsub options a cluster host needs to interoperate with Go peers (ipfs-cluster
 * clusterhost.go): strict signing, Go's message IDs, publishing with no peers yet, and a
 * 30-minute seen-messages cache; plus a duplicate check that runs before signatures are checked.
 */
export function clusterGossipsubOptions (): Partial<GossipsubOpts> {
  return {
    globalSignaturePolicy: StrictSign,
    msgIdFn: clusterMessageId,
    fastMsgIdFn: clusterFastMessageId,
    allowPublishToZeroTopicPeers: true,
    seenTTL: 30 * 60 * 1000
  }
}

export interface HeadsBroadcasterOptions {
  pubsub: GossipSub
  /** This peer (its own messages are always trusted). */
  self: PeerId
  /** `cluster_name`; the topic is crdtTopic(clusterName). */
  clusterName: string
  /** Go's IsTrustedPeer for a message's signed author (not the forwarder). */
  isTrusted: (peer: PeerId) => boolean
  /**
   * Hand our own broadcasts to next() as well, as go-libp2p-pubsub does for go-ds-crdt (its
   * rebroadcast loop counts them as seen). Default true.
   */
  deliverOwn?: boolean
  /** Received payloads kept for next(); the oldest is dropped beyond it (Go's buffer is 32). Default 128. */
  queueSize?: number
  /** Another peer subscribed to the topic (a peer started, restarted or joined). */
  onPeerSubscribed?: (peer: PeerId) => void
}

/**
 * go-ds-crdt's PubSubBroadcaster on a gossipsub instance handed in: broadcast() publishes a
 * CRDTBroadcast payload on the cluster's CRDT topic, next() returns the next payload received;
 * a topic validator rejects (neither delivers nor forwards) messages signed by untrusted peers.
 */
export class HeadsBroadcaster {
  readonly topic: string
  /** Payloads dropped because next() was not called fast enough. */
  dropped = 0
  /** Messages refused by the trust validator. */
  rejected = 0
  private readonly pubsub: GossipSub
  private readonly self: PeerId
  private readonly isTrusted: (peer: PeerId) => boolean
  private readonly deliverOwn: boolean
  private readonly queueSize: number
  private readonly queue: Uint8Array[] = []
  private waiters: Array<{ resolve: (data: Uint8Array) => void, reject: (err: Error) => void }> = []
  private running = false
  /** The broadcastSoon payloads not yet published, in order. */
  private pending: Promise<void> = Promise.resolve()
  private readonly onPeerSubscribed?: (peer: PeerId) => void
  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    if (evt.detail.topic === this.topic) this.deliver(evt.detail.data)
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    if (evt.detail.subscriptions.some(s => s.subscribe && s.topic === this.topic)) this.onPeerSubscribed?.(evt.detail.peerId)
  }

  constructor (options: HeadsBroadcasterOptions) {
    this.pubsub = options.pubsub
    this.self = options.self
    this.topic = crdtTopic(options.clusterName)
    this.isTrusted = options.isTrusted
    this.deliverOwn = options.deliverOwn ?? true
    this.queueSize = options.queueSize ?? 128
    this.onPeerSubscribed = options.onPeerSubscribed
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.pubsub.topicValidators.set(this.topic, (_propagationSource, msg) => {
      if (msg.type === 'signed' && (msg.from.equals(this.self) || this.isTrusted(msg.from))) return TopicValidatorResult.Accept
      this.rejected++
      return TopicValidatorResult.Reject
    })
    this.pubsub.addEventListener('message', this.onMessage)
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.subscribe(this.topic)
  }

  stop (): void {
    if (!this.running) return
    this.running = false
    this.pubsub.removeEventListener('message', this.onMessage)
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.unsubscribe(this.topic)
    this.pubsub.topicValidators.delete(this.topic)
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.reject(new Error('heads broadcaster stopped'))
    this.queue.length = 0
  }

  /** Publishes one payload (a CRDTBroadcast protobuf) to the cluster. */
  async broadcast (data: Uint8Array): Promise<void> {
    if (!this.running) throw new Error('heads broadcaster is not started')
    await this.pubsub.publish(this.topic, data)
    if (this.deliverOwn) this.deliver(data)
  }

  /**
   * Publishes `data` after this turn of the event loop, in call order, without waiting, as
   * go-libp2p-pubsub's Publish queues a message for its own loop: a write answered in this turn
   * gets its answer out before the announcement's socket writes. A failure goes to `onError`.
   */
  broadcastSoon (data: Uint8Array, onError: (err: Error) => void): void {
    this.pending = this.pending.then(async () => {
      await new Promise(resolve => setImmediate(resolve))
      await this.broadcast(data)
    }).catch(onError)
  }

  /** Resolves once every broadcastSoon payload so far was published (or failed). */
  async flush (): Promise<void> {
    await this.pending
  }

  /** The next payload received from a trusted peer (or our own, see deliverOwn). */
  async next (options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    if (!this.running) throw new Error('heads broadcaster is not started')
    options.signal?.throwIfAborted()
    const queued = this.queue.shift()
    if (queued !== undefined) return queued
    return await new Promise<Uint8Array>((resolve, reject) => {
      const waiter = {
        resolve: (data: Uint8Array) => { cleanup(); resolve(data) },
        reject: (err: Error) => { cleanup(); reject(err) }
      }
      const onAbort = (): void => {
        this.waiters = this.waiters.filter(w => w !== waiter)
        waiter.reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'))
      }
      const cleanup = (): void => { options.signal?.removeEventListener('abort', onAbort) }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  private deliver (data: Uint8Array): void {
    const waiter = this.waiters.shift()
    if (waiter !== undefined) {
      waiter.resolve(data)
      return
    }
    this.queue.push(data)
    if (this.queue.length > this.queueSize) {
      this.queue.shift()
      this.dropped++
    }
  }
}

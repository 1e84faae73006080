import { gossipsub, type GossipSub, type SignedMessage } from '@libp2p/gossipsub'
import crypto from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import { identify } from '@libp2p/identify'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { loopbackNode, until } from '@cluster/test-utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { HeadsBroadcaster, clusterFastMessageId, clusterGossipsubOptions, clusterMessageId, crdtTopic } from '../src/index.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const decode = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('crdtTopic', () => {
  // Computed by Go: multihash.Sum([]byte(name), multihash.MD5, -1).B58String() with
  // go-multihash v0.2.3, as ipfs-cluster v1.1.6 consensus/crdt/consensus.go names the topic.
  it.each([
    ['ipfs-cluster', 'fzhnp2UwTBkgNabrJi1VanzwgN'],
    ['test', 'fzhnJ2vw7NBkaLbPXVHuw1r59o'],
    ['my-cluster ✓', 'fzhnhq8WBqoC6EvxXyPWxtsDHx']
  ])('%s → %s', (name, topic) => {
    expect(crdtTopic(name)).toBe(topic)
  })
})

describe('clusterMessageId', () => {
  // Go's rule (ipfs-cluster v1.1.6 clusterhost.go, hashMsgID, set with pubsub.WithMessageIdFn):
  //   string(m.GetFrom()[0:16]) + string(m.GetSeqno())
  // `from` is the binary peer ID (for Ed25519: 00 24 08 01 12 20 + public key), seqno 8 bytes big-endian.
  it('is the first 16 bytes of the binary peer ID followed by the big-endian seqno', () => {
    const from = peerIdFromString('12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR')
    const msg = { type: 'signed', from, topic: 't', data: new Uint8Array(0), sequenceNumber: 0x0102030405060708n } as unknown as SignedMessage
    expect(hex(clusterMessageId(msg))).toBe('002408011220c15b17106b1667e99338' + '0102030405060708')
  })

  it('refuses unsigned messages (the cluster signs every message)', () => {
    expect(() => clusterMessageId({ type: 'unsigned', topic: 't', data: new Uint8Array(0) })).toThrow(/signed/)
  })
})

type Node = Libp2p<{ pubsub: GossipSub, identify: unknown }>

describe('clusterFastMessageId', () => {
  it('is the bytes of the cluster message ID as they arrived (first 16 bytes of the author, sequence number)', () => {
    const from = peerIdFromString('12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR').toMultihash().bytes
    const seqno = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)
    expect(Buffer.from(clusterFastMessageId({ from, seqno }), 'latin1').toString('hex')).toBe('002408011220c15b17106b1667e99338' + '0102030405060708')
    // What cannot be named so gets a key of its own each time (it fails validation anyway).
    const a = clusterFastMessageId({ seqno })
    expect(clusterFastMessageId({ seqno })).not.toBe(a)
    expect(clusterFastMessageId({ from: Uint8Array.of(1, 2), seqno })).not.toBe(clusterFastMessageId({ from: Uint8Array.of(1, 2), seqno }))
  })

  it('drops forwarded copies without checking their signatures, and a forged copy sent first does not hide the message', async () => {
    const node = await loopbackNode<{ pubsub: GossipSub, identify: unknown }>({
      identify: identify(),
      pubsub: gossipsub({ ...clusterGossipsubOptions(), emitSelf: false })
    })
    const verify = vi.spyOn(crypto, 'verify')
    try {
      const topic = crdtTopic('fast-id-test')
      node.services.pubsub.subscribe(topic)
      const received: string[] = []
      node.services.pubsub.addEventListener('message', (evt) => { received.push(decode(evt.detail.data)) })
      const author = await generateKeyPair('Ed25519')
      const authorId = peerIdFromPrivateKey(author)
      const unsigned = { from: authorId.toMultihash().bytes, seqno: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 7), topic, data: text('heads') }
      const signature = await author.sign(Uint8Array.from([...text('libp2p-pubsub:'), ...RPC.Message.encode(unsigned)]))
      const genuine = { ...unsigned, signature }
      const forged = { ...unsigned, data: text('forged'), signature }
      // gossipsub's handler for one message of an incoming RPC, as a mesh peer's stream calls it.
      const take = async (msg: typeof genuine): Promise<void> => {
        await (node.services.pubsub as unknown as { handleReceivedMessage: (from: PeerId, msg: unknown) => Promise<void> }).handleReceivedMessage(authorId, msg)
      }
      await take(forged)
      expect(received).toEqual([])
      await take(genuine)
      expect(received).toEqual(['heads'])
      expect(verify).toHaveBeenCalledTimes(2)
      await take(genuine)
      await take({ ...genuine, signature: new Uint8Array(64) })
      expect(received).toEqual(['heads'])
      expect(verify).toHaveBeenCalledTimes(2)
    } finally {
      verify.mockRestore()
      await node.stop()
    }
  })
})

describe('gossipsub forwarding (patched, as go-libp2p-pubsub)', () => {
  it('forwards a message to its other mesh peers but never back to its author', async () => {
    const node = async (): Promise<Node> => await loopbackNode<{ pubsub: GossipSub, identify: unknown }>({
      identify: identify(),
      pubsub: gossipsub({ ...clusterGossipsubOptions(), emitSelf: false })
    })
    const [x, author, forwarder, third] = await Promise.all([node(), node(), node(), node()])
    try {
      const topic = crdtTopic('forward-test')
      for (const n of [author, forwarder, third]) await n.dial(x.getMultiaddrs()[0] ?? multiaddr(), { signal: AbortSignal.timeout(10_000) })
      for (const n of [x, author, forwarder, third]) n.services.pubsub.subscribe(topic)
      await until(() => x.services.pubsub.getMeshPeers(topic).length === 3 ? true : undefined, 'X meshes with the three others')
      await until(() => author.services.pubsub.getMeshPeers(topic).length === 1 ? true : undefined, 'the author meshes with X')
      type Internals = { handleReceivedMessage: (from: PeerId, msg: unknown) => Promise<void>, sendRpc: (id: string, rpc: { messages?: unknown[] }) => boolean }
      const internals = x.services.pubsub as unknown as Internals
      const handle = internals.handleReceivedMessage.bind(internals)
      const send = internals.sendRpc.bind(internals)
      // X holds back the author's own copy, then takes it as if the forwarder had relayed it.
      let held: unknown
      internals.handleReceivedMessage = async (from, msg) => {
        if (held === undefined && from.equals(author.peerId)) { held = msg; return }
        await handle(from, msg)
      }
      const forwardedTo: string[] = []
      internals.sendRpc = (id, rpc) => {
        if ((rpc.messages?.length ?? 0) > 0) forwardedTo.push(id)
        return send(id, rpc)
      }
      const delivered: string[] = []
      x.services.pubsub.addEventListener('message', (evt) => { delivered.push(decode(evt.detail.data)) })
      await author.services.pubsub.publish(topic, text('heads'))
      await until(() => held !== undefined ? true : undefined, 'the author\'s message at X')
      await handle(forwarder.peerId, held)
      expect(delivered).toEqual(['heads'])
      expect(forwardedTo).toEqual([third.peerId.toString()])
    } finally {
      await Promise.all([x, author, forwarder, third].map(async n => { await n.stop() }))
    }
  })
})

describe('HeadsBroadcaster on gossipsub', () => {
  const CLUSTER = 'broadcaster-test'
  const topic = crdtTopic(CLUSTER)
  let a: Node, b: Node, c: Node
  let onA: HeadsBroadcaster, onB: HeadsBroadcaster, onC: HeadsBroadcaster
  const msgIdsSeenByB: Array<{ id: string, from: PeerId, seqno: bigint }> = []

  async function node (): Promise<Node> {
    return await loopbackNode<{ pubsub: GossipSub, identify: unknown }>({
      identify: identify(),
      pubsub: gossipsub({ ...clusterGossipsubOptions(), emitSelf: false })
    })
  }

  beforeAll(async () => {
    [a, b, c] = await Promise.all([node(), node(), node()])
    // A line A — B — C: whatever reaches A from C must pass through B.
    await a.dial(b.getMultiaddrs()[0] ?? multiaddr(), { signal: AbortSignal.timeout(10_000) })
    await c.dial(b.getMultiaddrs()[0] ?? multiaddr(), { signal: AbortSignal.timeout(10_000) })
    const trustedByB = new Set([a.peerId.toString()])
    onA = new HeadsBroadcaster({ pubsub: a.services.pubsub, self: a.peerId, clusterName: CLUSTER, isTrusted: () => true, deliverOwn: false })
    onB = new HeadsBroadcaster({ pubsub: b.services.pubsub, self: b.peerId, clusterName: CLUSTER, isTrusted: p => trustedByB.has(p.toString()), deliverOwn: false })
    onC = new HeadsBroadcaster({ pubsub: c.services.pubsub, self: c.peerId, clusterName: CLUSTER, isTrusted: () => true })
    for (const bc of [onA, onB, onC]) bc.start()
    b.services.pubsub.addEventListener('gossipsub:message', (evt) => {
      const msg = evt.detail.msg
      if (msg.type === 'signed') msgIdsSeenByB.push({ id: evt.detail.msgId, from: msg.from, seqno: msg.sequenceNumber })
    })
    await until(() => b.services.pubsub.getSubscribers(topic).length === 2 ? true : undefined, 'B sees A and C on the topic')
    await until(() => a.services.pubsub.getSubscribers(topic).length === 1 ? true : undefined, 'A sees B on the topic')
    await until(() => c.services.pubsub.getSubscribers(topic).length === 1 ? true : undefined, 'C sees B on the topic')
  })

  afterAll(async () => {
    for (const bc of [onA, onB, onC]) bc?.stop()
    await Promise.all([a, b, c].map(async n => { await n?.stop() }))
  })

  it('subscribes to the CRDT topic of the cluster name', () => {
    expect(onA.topic).toBe(topic)
    expect(b.services.pubsub.getTopics()).toContain(topic)
  })

  it('a trusted peer\'s broadcast reaches the other peers, with Go\'s message ID', async () => {
    await onA.broadcast(text('heads from A'))
    expect(decode(await onB.next({ signal: AbortSignal.timeout(20_000) }))).toBe('heads from A')
    expect(decode(await onC.next({ signal: AbortSignal.timeout(20_000) }))).toBe('heads from A')

    const seen = msgIdsSeenByB.find(m => m.from.equals(a.peerId))
    if (seen === undefined) throw new Error('B saw no message from A')
    const expected = new Uint8Array(24)
    expected.set(a.peerId.toMultihash().bytes.subarray(0, 16))
    new DataView(expected.buffer).setBigUint64(16, seen.seqno)
    // gossipsub names messages by msgIdFn's bytes (in base64 here) in its caches and IHAVE/IWANT.
    expect(Buffer.from(seen.id, 'base64').toString('hex')).toBe(hex(expected))
  })

  it('an untrusted peer\'s broadcast is rejected: neither delivered nor forwarded', async () => {
    const rejectedBefore = onB.rejected
    await onC.broadcast(text('heads from C'))
    await until(() => onB.rejected > rejectedBefore ? true : undefined, 'B rejects C\'s message')
    // B forwards nothing of C's, so the next message A gets is B's own later one.
    await onB.broadcast(text('heads from B'))
    expect(decode(await onA.next({ signal: AbortSignal.timeout(20_000) }))).toBe('heads from B')
    // And B's next() never returns C's message: A's next broadcast is the next one B gets.
    await onA.broadcast(text('more heads from A'))
    expect(decode(await onB.next({ signal: AbortSignal.timeout(20_000) }))).toBe('more heads from A')
  })

  it('hands our own broadcasts to next() when deliverOwn is on (as Go\'s pubsub does)', async () => {
    // C delivers its own (default); its earlier own message is queued before B's and A's.
    const received: string[] = []
    while (received.length < 3) received.push(decode(await onC.next({ signal: AbortSignal.timeout(20_000) })))
    expect(received).toContain('heads from C')
  })

  it('broadcastSoon publishes after the current turn, in call order, and flush waits for it', async () => {
    const published: string[] = []
    const publish = a.services.pubsub.publish.bind(a.services.pubsub)
    const spy = vi.spyOn(a.services.pubsub, 'publish').mockImplementation(async (t, data, opts) => {
      published.push(decode(data))
      return await publish(t, data, opts)
    })
    try {
      const errors: Error[] = []
      onA.broadcastSoon(text('soon 1'), err => { errors.push(err) })
      onA.broadcastSoon(text('soon 2'), err => { errors.push(err) })
      // Nothing left in this turn, nor in its microtasks: an answer written now goes first.
      await Promise.resolve()
      expect(published).toEqual([])
      await onA.flush()
      expect(published).toEqual(['soon 1', 'soon 2'])
      expect(errors).toEqual([])
      expect(decode(await onB.next({ signal: AbortSignal.timeout(20_000) }))).toBe('soon 1')
      expect(decode(await onB.next({ signal: AbortSignal.timeout(20_000) }))).toBe('soon 2')
      // A failure goes to onError and does not stop the ones after it.
      spy.mockImplementationOnce(async () => { throw new Error('publish failed') })
      onA.broadcastSoon(text('lost'), err => { errors.push(err) })
      onA.broadcastSoon(text('soon 3'), err => { errors.push(err) })
      await onA.flush()
      expect(errors.map(e => e.message)).toEqual(['publish failed'])
      expect(decode(await onB.next({ signal: AbortSignal.timeout(20_000) }))).toBe('soon 3')
    } finally {
      spy.mockRestore()
    }
  })

  it('next() honours its abort signal', async () => {
    const controller = new AbortController()
    const pending = onA.next({ signal: controller.signal })
    controller.abort(new Error('caller gave up'))
    await expect(pending).rejects.toThrow('caller gave up')
  })
})

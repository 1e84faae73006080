import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { unpack } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../src/codec.ts'
import { Libp2pTransport } from '../src/libp2p-transport.ts'
import { MemoryNetwork } from '../src/memory-transport.ts'
import { message, type Message } from '../src/messages.ts'
import { DecodeError } from '../src/transport-errors.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

function sample (from: string, to: string): Message {
  return message({
    type: 'app', from, to, term: 7, logTerm: 6, index: 41, commit: 40, rejectHint: 0,
    entries: [
      { term: 7, index: 42, type: 'normal', data: bytes('pin Qm…') },
      { term: 7, index: 43, type: 'confChange', data: bytes('add n4') }
    ],
    context: bytes('read-1')
  })
}

describe('wire codec', () => {
  it('round-trips every field of a message, snapshot included', () => {
    const m = { ...sample('n1', 'n2'), snapshot: { metadata: { index: 9, term: 3, confState: { voters: ['n1', 'n2'], learners: ['n3'], votersOutgoing: [], learnersNext: [], autoLeave: false } }, data: bytes('state') }, noAnswer: true }
    expect(decodeMessage(encodeMessage(m))).toEqual(m)
  })

  it('carries no-answer on appends in the field votes use for transfer, which earlier peers ignore on an append', () => {
    const m = { ...sample('n1', 'n2'), entries: [], noAnswer: true }
    expect(decodeMessage(encodeMessage(m))).toEqual(m)
    // What a peer of an earlier version (no noAnswer) writes and reads: the same 13 fields.
    const raw = unpack(encodeMessage(m)) as unknown[]
    expect(raw).toHaveLength(13)
    expect(raw[12]).toBe(true)
    const plain = sample('n1', 'n2')
    expect(decodeMessage(encodeMessage(plain))).toEqual(plain)
    expect(decodeMessage(encodeMessage({ ...message({ type: 'vote', from: 'a', to: 'b', term: 3 }), transfer: true }))).toEqual({ ...message({ type: 'vote', from: 'a', to: 'b', term: 3 }), transfer: true })
  })

  it('rejects garbage with a DecodeError', () => {
    for (const junk of [new Uint8Array([0xc1]), bytes('hello'), encodeMessage(sample('a', 'b')).subarray(0, 10), new Uint8Array(0)]) {
      expect(() => decodeMessage(junk)).toThrow(DecodeError)
    }
  })
})

describe('MemoryNetwork', () => {
  it('delivers copies, reports unknown peers unreachable, and drops across a cut link', async () => {
    const net = new MemoryNetwork()
    const a = net.transport('a')
    const b = net.transport('b')
    const got: Message[] = []
    const unreachable: string[] = []
    b.onMessage(m => got.push(m))
    a.onUnreachable(p => unreachable.push(p))
    const m = sample('a', 'b')
    a.send([m, sample('a', 'nobody')])
    await new Promise(resolve => setImmediate(resolve))
    expect(got).toEqual([m])
    expect(got[0]).not.toBe(m)
    expect(unreachable).toEqual(['nobody'])

    net.disconnect('a', 'b', true)
    a.send([sample('a', 'b')])
    await new Promise(resolve => setImmediate(resolve))
    expect(got).toHaveLength(1)
  })
})

async function node (): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()]
  })
}

describe('Libp2pTransport over real libp2p on loopback', () => {
  it('carries messages both ways in order, and refuses a message forged in another node\'s name', async () => {
    const [n1, n2] = await Promise.all([node(), node()])
    try {
      n1.peerStore.merge(n2.peerId, { multiaddrs: n2.getMultiaddrs() })
      n2.peerStore.merge(n1.peerId, { multiaddrs: n1.getMultiaddrs() })
      const [t1, t2] = await Promise.all([Libp2pTransport.create(n1), Libp2pTransport.create(n2)])
      const id1 = n1.peerId.toString()
      const id2 = n2.peerId.toString()
      const at2: Message[] = []
      const at1: Message[] = []
      t2.onMessage(m => at2.push(m))
      t1.onMessage(m => at1.push(m))

      const batch = Array.from({ length: 200 }, (_, i) => ({ ...sample(id1, id2), index: i }))
      t1.send(batch)
      t1.send([{ ...sample('someone-else', id2), index: 999 }])
      t2.send([sample(id2, id1)])
      const deadline = Date.now() + 15_000
      while ((at2.length < 200 || at1.length < 1) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))

      expect(at2.map(m => m.index)).toEqual(batch.map(m => m.index))
      expect(at1).toEqual([sample(id2, id1)])
      await Promise.all([t1.close(), t2.close()])
    } finally {
      await Promise.all([n1.stop(), n2.stop()])
    }
  })

  it('reports a peer that cannot be dialled as unreachable', async () => {
    const n1 = await node()
    try {
      const t1 = await Libp2pTransport.create(n1, { dialTimeoutMs: 1_000 })
      const unreachable: string[] = []
      t1.onUnreachable(p => unreachable.push(p))
      const ghost = '12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM'
      t1.send([sample(n1.peerId.toString(), ghost)])
      const deadline = Date.now() + 10_000
      while (unreachable.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
      expect(unreachable).toEqual([ghost])
      await t1.close()
    } finally {
      await n1.stop()
    }
  })

  it('refuses garbage and oversize frames with a named error, and keeps serving', async () => {
    const [n1, n2] = await Promise.all([node(), node()])
    try {
      n1.peerStore.merge(n2.peerId, { multiaddrs: n2.getMultiaddrs() })
      const invalid: string[] = []
      const t2 = await Libp2pTransport.create(n2, { maxMessageBytes: 1024, onInvalidMessage: err => invalid.push(`${err.name}: ${err.message}`) })
      const got: Message[] = []
      t2.onMessage(m => got.push(m))
      const { lpStream } = await import('@libp2p/utils')
      const raw = lpStream(await n1.dialProtocol(n2.peerId, '/cluster-ts/raft/1.0.0'))
      await raw.write(new TextEncoder().encode('not msgpack at all'))
      await raw.write(new Uint8Array(4096))
      const deadline = Date.now() + 10_000
      while (invalid.length < 2 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
      expect(invalid[0]).toMatch(/^DecodeError: /)
      expect(invalid[1]).toMatch(/^DecodeError: oversize frame/)
      // A well-formed message on a new stream still gets through.
      const t1 = await Libp2pTransport.create(n1)
      t1.send([sample(n1.peerId.toString(), n2.peerId.toString())])
      while (got.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
      expect(got).toHaveLength(1)
      await Promise.all([t1.close(), t2.close()])
    } finally {
      await Promise.all([n1.stop(), n2.stop()])
    }
  })

  it('drops a stream whose frame length never ends instead of reading it for as long as it comes', async () => {
    const [n1, n2] = await Promise.all([node(), node()])
    try {
      n1.peerStore.merge(n2.peerId, { multiaddrs: n2.getMultiaddrs() })
      const invalid: string[] = []
      const t2 = await Libp2pTransport.create(n2, { maxMessageBytes: 1024, onInvalidMessage: err => invalid.push(`${err.name}: ${err.message}`) })
      const { byteStream } = await import('@libp2p/utils')
      const raw = byteStream(await n1.dialProtocol(n2.peerId, '/cluster-ts/raft/1.0.0'))
      // Every byte says "more length bytes follow": a length prefix with no end.
      await raw.write(new Uint8Array(64 * 1024).fill(0xff))
      const deadline = Date.now() + 10_000
      while (invalid.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
      expect(invalid[0]).toMatch(/^DecodeError: oversize frame .*Message length length too long/)
      await t2.close()
    } finally {
      await Promise.all([n1.stop(), n2.stop()])
    }
  })
})

import { createHash, randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import type { Stream } from '@libp2p/interface'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { preSharedKey } from '../src/index.ts'
import { SECRET_A, SECRET_B, swarmKey } from './helpers.ts'

const SINK = '/cluster-test/sink/1.0.0'
const MiB = 1024 * 1024

async function node (secret: string): Promise<Libp2p> {
  const n = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: preSharedKey({ psk: swarmKey(secret) })
  })
  // Reads a whole stream and answers "<bytes> <sha256>".
  await n.handle(SINK, async (stream: Stream) => {
    const hash = createHash('sha256')
    let total = 0
    for await (const chunk of stream) {
      for (const part of chunk instanceof Uint8Array ? [chunk] : chunk) hash.update(part)
      total += chunk.byteLength
    }
    stream.send(new TextEncoder().encode(`${total} ${hash.digest('hex')}`))
    await stream.close()
  })
  return n
}

/** Sends `size` random bytes to `to`'s sink; resolves with [what was sent, what the sink saw]. */
async function push (from: Libp2p, to: Libp2p, size: number): Promise<[string, string]> {
  await from.peerStore.merge(to.peerId, { multiaddrs: to.getMultiaddrs() })
  const stream = await from.dialProtocol(to.peerId, SINK)
  const hash = createHash('sha256')
  const piece = 256 * 1024
  for (let sent = 0; sent < size; sent += piece) {
    const chunk = randomBytes(Math.min(piece, size - sent))
    hash.update(chunk)
    if (!stream.send(chunk)) await stream.onDrain()
  }
  await stream.close()
  let answer = ''
  for await (const chunk of stream) answer += new TextDecoder().decode(chunk.subarray())
  return [`${size} ${hash.digest('hex')}`, answer]
}

describe('two libp2p nodes (tcp, noise, yamux) in a private network', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })

  it('move 64 MiB each way at once over one protected connection, byte for byte', async () => {
    const [a, b] = await Promise.all([node(SECRET_A), node(SECRET_A)])
    nodes.push(a, b)
    await a.dial(b.getMultiaddrs()[0]!)
    // b finishes its side of the upgrade a moment later; until then it would dial a second connection.
    while (b.getConnections(a.peerId).length === 0) await new Promise(resolve => setTimeout(resolve, 10))
    const [[sentAB, seenAB], [sentBA, seenBA]] = await Promise.all([push(a, b, 64 * MiB), push(b, a, 64 * MiB)])
    expect(seenAB).toBe(sentAB)
    expect(seenBA).toBe(sentBA)
    expect(a.getConnections(b.peerId)).toHaveLength(1)
  }, 120_000)

  it('fail to connect cleanly with different keys, and keep working with the right one', async () => {
    const [a, b, c] = await Promise.all([node(SECRET_A), node(SECRET_B), node(SECRET_A)])
    nodes.push(a, b, c)
    const err = await a.dial(b.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(10_000) }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(a.getConnections(b.peerId)).toHaveLength(0)
    // Both nodes are still up: each accepts a node with its own key.
    const [sent, seen] = await push(c, a, MiB)
    expect(seen).toBe(sent)
    expect((await a.dial(c.getMultiaddrs()[0]!)).status).toBe('open')
  }, 30_000)
})

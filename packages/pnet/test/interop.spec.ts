import { preSharedKey as libp2pPreSharedKey } from '@libp2p/pnet'
import { byteStream, multiaddrConnectionPair } from '@libp2p/utils'
import { xsalsa20 } from '@noble/ciphers/salsa.js'
import type { ConnectionProtector, MultiaddrConnection } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { preSharedKey } from '../src/index.ts'
import { SECRET_A, SECRET_B, bytes, receive, sendChunked, swarmKey } from './helpers.ts'

type Side = 'ours' | '@libp2p/pnet'

function protector (side: Side, secret: string): ConnectionProtector {
  const psk = swarmKey(secret)
  return side === 'ours' ? preSharedKey({ psk })() : libp2pPreSharedKey({ psk })()
}

/** Two ends of an in-memory connection, each protected by the given implementation. */
async function pair (outbound: Side, inbound: Side, secrets = [SECRET_A, SECRET_A], chunkSize?: number): Promise<[MultiaddrConnection, MultiaddrConnection]> {
  const [a, b] = multiaddrConnectionPair(chunkSize === undefined ? {} : { chunkSize })
  const [pa, pb] = await Promise.all([
    protector(outbound, secrets[0]!).protect(a),
    protector(inbound, secrets[1]!).protect(b)
  ])
  return [pa as MultiaddrConnection, pb as MultiaddrConnection]
}

describe('interoperability with @libp2p/pnet', () => {
  it.each([
    ['ours', '@libp2p/pnet'],
    ['@libp2p/pnet', 'ours']
  ] as const)('%s (outbound) and %s (inbound) exchange the same bytes both ways', async (outbound, inbound) => {
    const [a, b] = await pair(outbound, inbound, undefined, 1000)
    const toB = bytes(50_000, 1)
    const toA = bytes(40_000, 2)
    const gotB = receive(b, toB.byteLength)
    const gotA = receive(a, toA.byteLength)
    await Promise.all([
      sendChunked(a, toB, [1, 63, 64, 65, 7, 4096, 333]),
      sendChunked(b, toA, [65, 64, 63, 1, 999])
    ])
    expect(Buffer.from(await gotB).equals(Buffer.from(toB))).toBe(true)
    expect(Buffer.from(await gotA).equals(Buffer.from(toA))).toBe(true)
    await a.close()
  })

  it('puts on the wire the 24-byte nonce, then XSalsa20(psk, nonce) of the whole byte stream', async () => {
    const [raw, peer] = multiaddrConnectionPair()
    const protecting = preSharedKey({ psk: swarmKey(SECRET_A) })().protect(raw)
    // The other end speaks the protocol by hand.
    const wire = byteStream(peer)
    const peerNonce = crypto.getRandomValues(new Uint8Array(24))
    await wire.write(peerNonce)
    const ours = await protecting
    const plain = bytes(10_000, 3)
    await sendChunked(ours, plain, [5, 64, 100, 1])
    const ourNonce = (await wire.read({ bytes: 24 })).subarray()
    const sent = (await wire.read({ bytes: plain.byteLength })).subarray()
    const key = Buffer.from(SECRET_A, 'hex')
    expect(Buffer.from(sent).equals(Buffer.from(xsalsa20(key, ourNonce, plain)))).toBe(true)

    // And what the hand-made end sends is read back as plain text.
    const reply = bytes(777, 4)
    const got = receive(ours, reply.byteLength)
    await wire.write(xsalsa20(key, peerNonce, reply))
    expect(Buffer.from(await got).equals(Buffer.from(reply))).toBe(true)
  })

  it.each([
    ['ours', 'ours'],
    ['ours', '@libp2p/pnet'],
    ['@libp2p/pnet', 'ours']
  ] as const)('with different keys, %s and %s deliver only garbage, without throwing', async (outbound, inbound) => {
    const [a, b] = await pair(outbound, inbound, [SECRET_A, SECRET_B])
    const plain = bytes(5000, 5)
    const got = receive(b, plain.byteLength)
    await sendChunked(a, plain, [100])
    const received = await got
    expect(received.byteLength).toBe(plain.byteLength)
    expect(Buffer.from(received).equals(Buffer.from(plain))).toBe(false)
    a.abort(new Error('done'))
  })
})

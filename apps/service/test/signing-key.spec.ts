import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { withKeptSigner } from '../src/cluster/signing-key.ts'

describe('withKeptSigner', () => {
  it('signs as the key does (Ed25519 is deterministic) and stays the same key', async () => {
    const key = await generateKeyPair('Ed25519')
    const kept = withKeptSigner(key)
    const data = new TextEncoder().encode('libp2p-pubsub:a message')
    const signature = await kept.sign(data)
    expect(Buffer.from(signature).equals(Buffer.from(await key.sign(data)))).toBe(true)
    expect(await key.publicKey.verify(data, signature)).toBe(true)
    expect(kept.equals(key)).toBe(true)
    expect(kept.type).toBe('Ed25519')
    expect(peerIdFromPrivateKey(kept).equals(peerIdFromPrivateKey(key))).toBe(true)
    // Signing a list of chunks (how some callers hand data over) signs their concatenation.
    const chunks = { subarray: () => data }
    expect(Buffer.from(await kept.sign(chunks as never)).equals(Buffer.from(signature))).toBe(true)
  })

  it('returns keys of other types unchanged', async () => {
    const key = await generateKeyPair('secp256k1')
    expect(withKeptSigner(key)).toBe(key)
  })
})

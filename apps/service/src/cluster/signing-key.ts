import { createPrivateKey, sign } from 'node:crypto'
import type { PrivateKey } from '@libp2p/interface'

/**
 * The peer's key with a signer that keeps Node's key object. @libp2p/crypto's Ed25519 `sign`
 * builds a new key object from JWK text on every call, and gossipsub signs every message this
 * peer publishes (each pin in CRDT mode); keeping the object halves the cost of a signature.
 * Everything else (raw bytes, public key, equals, instanceof) is the key's own, through the
 * prototype. Keys of other types are returned as they are.
 */
export function withKeptSigner (key: PrivateKey): PrivateKey {
  if (key.type !== 'Ed25519') return key
  const keyObject = createPrivateKey({
    format: 'jwk',
    key: { kty: 'OKP', crv: 'Ed25519', d: base64url(key.raw.subarray(0, 32)), x: base64url(key.publicKey.raw) }
  })
  const signer = (data: Uint8Array | { subarray: () => Uint8Array }): Uint8Array => sign(null, data instanceof Uint8Array ? data : data.subarray(), keyObject)
  return Object.create(key, { sign: { value: signer } }) as PrivateKey
}

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')

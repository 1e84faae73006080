/**
 * The cluster secret (config.md §4.1): 32 random bytes written as 64 hex characters; it is the
 * pre-shared key of the libp2p private network. js-libp2p's `preSharedKey()` wants it in the
 * swarm-key file format, which `swarmKeyFromSecret` builds.
 */
import { randomBytes } from 'node:crypto'
import { SecretError } from './errors.ts'

export const SECRET_BYTES = 32

/** A new random secret, 64 lower-case hex characters. */
export function generateSecret (): string {
  return randomBytes(SECRET_BYTES).toString('hex')
}

/**
 * Go's `DecodeClusterSecret`: hex (either case) of exactly 32 bytes, or '' for "no private
 * network". Returns the normalised lower-case hex. Errors carry Go's texts
 * (`input secret is <N> bytes, cluster secret should be 32`, `encoding/hex: …`).
 */
export function decodeSecret (hex: string): string {
  const bad = /[^0-9a-fA-F]/.exec(hex)
  if (bad !== null) {
    throw new SecretError(`encoding/hex: invalid byte: U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${JSON.stringify(bad[0]).replace(/^"|"$/g, "'")}`)
  }
  if (hex.length % 2 !== 0) throw new SecretError('encoding/hex: odd length hex string')
  const n = hex.length / 2
  if (n !== 0 && n !== SECRET_BYTES) throw new SecretError(`input secret is ${n} bytes, cluster secret should be ${SECRET_BYTES}`)
  return hex.toLowerCase()
}

/** The 32 bytes of a (decoded) secret; undefined for the empty secret. */
export function secretBytes (hex: string): Uint8Array | undefined {
  const norm = decodeSecret(hex)
  return norm === '' ? undefined : Uint8Array.from(Buffer.from(norm, 'hex'))
}

/**
 * The swarm-key text `/key/swarm/psk/1.0.0/\n/base16/\n<hex>` that `@cluster/pnet`'s
 * `preSharedKey({ psk })` expects; undefined for the empty secret (no private network).
 */
export function swarmKeyFromSecret (hex: string): Uint8Array | undefined {
  const norm = decodeSecret(hex)
  if (norm === '') return undefined
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${norm}`)
}

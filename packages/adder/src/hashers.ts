/**
 * Multihash functions by their Go multihash names (as `ipfs add --hash` takes them) and by code
 * (to verify CAR blocks). sha2-256/512 come from multiformats; sha3, keccak and shake-256 from
 * @multiformats/sha3; blake2b/blake2s from @multiformats/blake2; blake3 from @noble/hashes;
 * sha1 and dbl-sha2-256 from node:crypto.
 */
import { createHash } from 'node:crypto'
import { blake3 } from '@noble/hashes/blake3.js'
import * as blake2b from '@multiformats/blake2/blake2b'
import * as blake2s from '@multiformats/blake2/blake2s'
import { keccak224, keccak256, keccak384, keccak512, sha3224, sha3256, sha3384, sha3512, shake256 } from '@multiformats/sha3'
import { from } from 'multiformats/hashes/hasher'
import { identity } from 'multiformats/hashes/identity'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import type { MultihashHasher } from 'multiformats/hashes/interface'

type Hasher = MultihashHasher<number>

function nodeHasher (name: string, code: number, algorithm: string, rounds: number): Hasher {
  return from({
    name,
    code,
    encode: (input: Uint8Array): Uint8Array<ArrayBuffer> => {
      let digest: Uint8Array = input
      for (let i = 0; i < rounds; i++) digest = createHash(algorithm).update(digest).digest()
      return new Uint8Array(digest)
    }
  })
}

const sha1 = nodeHasher('sha1', 0x11, 'sha1', 1)
const dblSha256 = nodeHasher('dbl-sha2-256', 0x56, 'sha256', 2)
/** blake3 with Kubo's default 32-byte output. */
const blake3Hasher: Hasher = from({ name: 'blake3', code: 0x1e, encode: (input: Uint8Array) => new Uint8Array(blake3(input)) })

function blakeFamily (module: Record<string, unknown>, prefix: string, minBits: number, maxBits: number): Hasher[] {
  const out: Hasher[] = []
  for (let bits = minBits; bits <= maxBits; bits += 8) {
    const hasher = module[`${prefix}${bits}`] as Hasher | undefined
    if (hasher !== undefined) out.push(hasher)
  }
  return out
}

/**
 * What Kubo v0.42 accepts for `add --hash` (checked against it): go-multihash knows no
 * blake2s below 256 bits nor keccak-224/384, and verifcid refuses digests under 160 bits.
 */
const FOR_ADD: Hasher[] = [
  sha1, sha256, sha512, dblSha256,
  sha3224, sha3256, sha3384, sha3512, shake256,
  keccak256, keccak512,
  ...blakeFamily(blake2b, 'blake2b', 160, 512),
  blake2s.blake2s256,
  blake3Hasher
]

/** Everything we can verify in a CAR. */
const FOR_VERIFY: Hasher[] = [
  ...FOR_ADD, keccak224, keccak384,
  ...blakeFamily(blake2b, 'blake2b', 8, 152),
  ...blakeFamily(blake2s, 'blake2s', 8, 248)
]

const BY_NAME = new Map<string, Hasher>(FOR_ADD.map(h => [h.name, h]))
const BY_CODE = new Map<number, Hasher>(FOR_VERIFY.map(h => [h.code, h]))

/** The hasher for a Go multihash name accepted by `ipfs add --hash` (case-insensitive), or undefined. */
export function hasherByName (name: string): Hasher | undefined {
  return BY_NAME.get(name.toLowerCase())
}

/** The hasher for a multihash code (identity included, for CAR blocks), or undefined. */
export function hasherByCode (code: number): Hasher | undefined {
  if (code === identity.code) return identity as unknown as Hasher
  return BY_CODE.get(code)
}

/** Names accepted by hasherByName, sorted. */
export function supportedHashNames (): string[] {
  return [...BY_NAME.keys()].sort()
}

/** The hashes blocks are checked with (bitswap's, putBlock's and blocks-below's), written once. */
import { identity } from 'multiformats/hashes/identity'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import type { CID } from 'multiformats/cid'
import type { MultihashHasher } from 'multiformats/hashes/interface'

/** The hasher of a multihash code we check; undefined for one we do not know. */
export function hasherFor (code: number): MultihashHasher | undefined {
  if (code === sha256.code) return sha256
  if (code === sha512.code) return sha512
  if (code === identity.code) return identity
  return undefined
}

/** False when `bytes` do not hash to `cid`'s multihash; undefined when its hash is not one we know. */
export async function matchesCid (cid: CID, bytes: Uint8Array): Promise<boolean | undefined> {
  const hasher = hasherFor(cid.multihash.code)
  if (hasher === undefined) return undefined
  const digest = await hasher.digest(bytes)
  return equalBytes(digest.bytes, cid.multihash.bytes)
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** A block's multihash as a string: the same block whatever the CID's version and codec. */
export function hashKey (cid: CID): string {
  const mh = cid.multihash.bytes
  return Buffer.from(mh.buffer, mh.byteOffset, mh.byteLength).toString('latin1')
}

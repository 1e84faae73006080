// CIDs and peer IDs for the benchmark: valid CIDv1 raw (sha2-256) CIDs, from random bytes or
// from the block bytes they address, built with `multiformats` (taken from @cluster/api's
// dependencies, since the repository root does not depend on it).
import { createHash, randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { base58btc } from 'multiformats/bases/base58'

const RAW = 0x55
const SHA2_256 = 0x12

/** The CIDv1 (raw codec, sha2-256) of some bytes, base32 (`bafkrei…`). */
export function rawCid (bytes: Uint8Array): string {
  const digest = Digest.create(SHA2_256, createHash('sha256').update(bytes).digest())
  return CID.createV1(RAW, digest).toString()
}

/** A random, valid CIDv1 raw CID (its block does not exist anywhere). */
export function randomCid (): string {
  return rawCid(randomBytes(32))
}

/** N distinct random CIDs. */
export function randomCids (n: number): string[] {
  return Array.from({ length: n }, randomCid)
}

/** A small random block and its CID. */
export function randomBlock (size = 64): { cid: string, bytes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(size))
  return { cid: rawCid(bytes), bytes }
}

/** A syntactically valid Ed25519 libp2p peer ID (identity multihash of a random public key). */
export function randomPeerId (): string {
  const key = Buffer.concat([Buffer.from([0x08, 0x01, 0x12, 0x20]), randomBytes(32)])
  const mh = Buffer.concat([Buffer.from([0x00, key.length]), key])
  return base58btc.encode(mh).slice(1)
}

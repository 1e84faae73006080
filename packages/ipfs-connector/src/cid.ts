import { CID } from 'multiformats/cid'
import { parseCid } from '@cluster/api'
import { base58btc } from 'multiformats/bases/base58'
import { equals } from 'multiformats/bytes'
import { InvalidArgumentError, messageOf } from './errors.ts'

/** A CID object or its string form. */
export type CidLike = CID | string

/** Parse a CID string (any multibase, v0 or v1: @cluster/api's parser, Go's rules); CID objects pass through. */
export function toCid (value: CidLike): CID {
  if (typeof value !== 'string') {
    const cid = CID.asCID(value)
    if (cid === null) throw new InvalidArgumentError('not a CID')
    return cid
  }
  try {
    return parseCid(value)
  } catch (err) {
    throw new InvalidArgumentError(`invalid CID ${JSON.stringify(value)}: ${messageOf(err)}`, { cause: err })
  }
}

/**
 * Same content? Compares multihashes only, so `Qm…` (v0), `bafy…` (v1 base32) and
 * `zdj7…` (v1 base58) of the same block are equal, as Kubo may answer any of them.
 */
export function sameMultihash (a: CidLike, b: CidLike): boolean {
  return equals(toCid(a).multihash.bytes, toCid(b).multihash.bytes)
}

/** Multihash bytes as a map key (base58btc of the multihash). */
export function multihashKey (cid: CidLike): string {
  return base58btc.baseEncode(toCid(cid).multihash.bytes)
}

/** IPLD codec names Kubo's `block/put?cid-codec=` understands, by multicodec code. */
export const CODEC_NAMES: ReadonlyMap<number, string> = new Map([
  [0x55, 'raw'], [0x70, 'dag-pb'], [0x71, 'dag-cbor'], [0x0129, 'dag-json'], [0x0200, 'json'],
  [0x51, 'cbor'], [0x72, 'libp2p-key'], [0x78, 'git-raw'], [0x0202, 'car'], [0x0297, 'dag-jose']
])

/** Multihash function names Kubo's `block/put?mhtype=` understands, by code. */
export const MULTIHASH_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'identity'], [0x11, 'sha1'], [0x12, 'sha2-256'], [0x13, 'sha2-512'], [0x14, 'sha3-512'],
  [0x15, 'sha3-384'], [0x16, 'sha3-256'], [0x17, 'sha3-224'], [0x1b, 'keccak-256'], [0x1e, 'blake3'],
  [0xb220, 'blake2b-256'], [0xb240, 'blake2b-512'], [0xb260, 'blake2s-256'], [0x1012, 'sha2-256-trunc254-padded']
])

import { blake2b } from '@noble/hashes/blake2.js'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'

/** BLAKE2b-256, as Go's `blake2b.Sum256`. */
function hash (bytes: Uint8Array): Uint8Array {
  return blake2b(bytes, { dkLen: 32 })
}

/** d(peer, cid) = BLAKE2b-256(peer multihash) XOR BLAKE2b-256(CID bytes), big-endian. */
export function distance (peerId: string, cid: CID): Uint8Array {
  const a = hash(peerIdBytes(peerId))
  const b = hash(cid.bytes)
  return a.map((byte, i) => byte ^ (b[i] as number))
}

function compare (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] as number) - (b[i] as number)
    if (diff !== 0) return diff
  }
  return 0
}

/**
 * Whether `self` is the peer that re-pins `cid` after `down` failed (cluster-behaviour.md §6):
 * its distance is ≤ that of every other trusted peer except `down`. Ties make both act; a dead
 * closest peer means nobody acts, as in Go.
 */
export function isClosestPeer (self: string, cid: CID, trustedPeers: Iterable<string>, down: string): boolean {
  const mine = distance(self, cid)
  for (const peer of trustedPeers) {
    if (peer === self || peer === down) continue
    if (compare(distance(peer, cid), mine) < 0) return false
  }
  return true
}

/** Raw multihash bytes of a peer ID in its base58btc string form (`12D3KooW…`, `Qm…`). */
function peerIdBytes (peerId: string): Uint8Array {
  return base58btc.baseDecode(peerId)
}

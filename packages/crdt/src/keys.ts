/**
 * Key and ID encodings shared with Go: the state key of a pin (boxo dshelp.NewKeyFromBinary) and
 * the element ID of a block (dshelp.MultihashToDsKey), both "/" + unpadded upper-case base32.
 */
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { code as DAG_PB } from '@ipld/dag-pb'
import { base32Upper } from '@cluster/api'

// Encoded by @cluster/api (one base32 encoder, lower and upper case), re-exported for Go's layout.
export { base32Upper }

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const LOOKUP = new Map([...ALPHABET].map((c, i) => [c, i]))

/** Inverse of base32Upper; throws on characters outside the alphabet or bad trailing bits. */
export function base32UpperDecode (text: string): Uint8Array {
  const out = new Uint8Array(Math.floor(text.length * 5 / 8))
  let bits = 0
  let acc = 0
  let i = 0
  for (const c of text) {
    const v = LOOKUP.get(c)
    if (v === undefined) throw new Error(`invalid base32 character ${JSON.stringify(c)}`)
    acc = (acc << 5) | v
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[i++] = (acc >>> bits) & 0xff
    }
    acc &= (1 << bits) - 1
  }
  if (bits >= 5 || acc !== 0) throw new Error('invalid base32 length or trailing bits')
  return out
}

/** The state key of a pin: "/" + base32 of the CID bytes as pinned (v0 and v1 differ). */
export function stateKey (cid: CID): string {
  return base32Upper(cid.bytes, '/')
}

/** The CID a state key names (its last path component). */
export function cidFromStateKey (key: string): CID {
  const last = key.slice(key.lastIndexOf('/') + 1)
  return CID.decode(base32UpperDecode(last))
}

/** The element ID a block gives to the elements it adds: "/" + base32 of its multihash. */
export function blockId (cid: CID): string {
  return base32Upper(cid.multihash.bytes, '/')
}

/** The block CID behind an element ID, as Go rebuilds it: CIDv1 dag-pb. */
export function cidFromBlockId (id: string): CID {
  const mh = base32UpperDecode(id.startsWith('/') ? id.slice(1) : id)
  return CID.createV1(DAG_PB, Digest.decode(mh))
}

/**
 * Keys must be clean datastore paths ("/" + segments, no empty, "." or ".." segment), as Go's
 * ds.NewKey makes them: Go replicas store elements under cleaned paths, so any other spelling
 * would not name the same key on both sides.
 */
export function assertCleanKey (key: string): void {
  const segments = key.split('/')
  if (key.length < 2 || segments[0] !== '' || segments.slice(1).some((s) => s === '' || s === '.' || s === '..')) {
    throw new TypeError(`invalid crdt key ${JSON.stringify(key)}: not a clean path such as "/CIQ…"`)
  }
}

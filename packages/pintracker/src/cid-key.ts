/**
 * The canonical string of a CID (exactly `cid.toString()`: v0 base58btc, v1 base32 lower-case),
 * computed fast for v1. multiformats' generic base32 encoder costs several µs per CID, which
 * dominated StatusAll over large pinsets; this table-driven encoder writes ASCII into a scratch
 * buffer and is about 10× faster. CIDv0 keeps multiformats' (cached) base58btc.
 */
import type { CID } from '@cluster/api'

const ALPHABET = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz234567')
let scratch = Buffer.allocUnsafe(128)

/** RFC 4648 base32, lower case, no padding. */
export function base32Lower (bytes: Uint8Array): string {
  const size = Math.ceil(bytes.length * 8 / 5)
  if (size > scratch.length) scratch = Buffer.allocUnsafe(size)
  let n = 0
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | (bytes[i] as number)) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      scratch[n++] = ALPHABET[(buffer >>> bits) & 31] as number
    }
  }
  if (bits > 0) scratch[n++] = ALPHABET[(buffer << (5 - bits)) & 31] as number
  return scratch.toString('latin1', 0, n)
}

/** Same result as `cid.toString()`. */
export function cidKey (cid: CID): string {
  return cid.version === 1 ? 'b' + base32Lower(cid.bytes) : cid.toString()
}

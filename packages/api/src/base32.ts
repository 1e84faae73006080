/** RFC 4648 base32 encoding (unpadded), lower case for CIDs and upper case for Go's CRDT keys. */
const BASE32_ASCII = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz234567')
const BASE32_UPPER_ASCII = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')
let scratch = Buffer.allocUnsafe(128)

/**
 * RFC 4648 base32, lower case, unpadded, after `prefix` (ASCII): table-driven into a scratch
 * buffer, about 10× faster than multiformats' generic encoder (which dominated the status of big
 * pinsets), and one flat string (built a character at a time, a CRDT key was a chain of ~55
 * string pieces, ~1.8 KB, until something flattened it).
 */
export function base32Lower (bytes: Uint8Array, prefix = ''): string {
  return base32With(BASE32_ASCII, bytes, prefix)
}

/** base32Lower in upper case (Go's base32.RawStdEncoding: CRDT state keys and block IDs). */
export function base32Upper (bytes: Uint8Array, prefix = ''): string {
  return base32With(BASE32_UPPER_ASCII, bytes, prefix)
}

function base32With (alphabet: Uint8Array, bytes: Uint8Array, prefix: string): string {
  const size = prefix.length + Math.ceil(bytes.length * 8 / 5)
  if (size > scratch.length) scratch = Buffer.allocUnsafe(size)
  let n = scratch.write(prefix, 'latin1')
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | (bytes[i] as number)) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      scratch[n++] = alphabet[(buffer >>> bits) & 31] as number
    }
  }
  if (bits > 0) scratch[n++] = alphabet[(buffer << (5 - bits)) & 31] as number
  return scratch.toString('latin1', 0, n)
}

/** Multihash validation with the checks (and messages) of Go's go-multihash Cast. */

/** Reads an unsigned varint like go-varint (minimal, at most 9 bytes). */
export function readUvarint (buf: Uint8Array, offset: number): [value: number, next: number] {
  let value = 0
  let shift = 1
  for (let i = offset; i < buf.length; i++) {
    const b = buf[i]!
    if (i - offset >= 9) throw new Error('varints larger than uint63 not supported')
    value += (b & 0x7f) * shift
    if ((b & 0x80) === 0) {
      if (b === 0 && i > offset) throw new Error('varint not minimally encoded')
      return [value, i + 1]
    }
    shift *= 128
  }
  throw new Error('varints malformed, could not reach the end')
}

/** Throws an Error with Go's message when `bytes` is not exactly one well-formed multihash. */
export function validateMultihash (bytes: Uint8Array): void {
  if (bytes.length < 2) throw new Error('multihash too short. must be >= 2 bytes')
  const [, afterCode] = readUvarint(bytes, 0)
  const [length, afterLength] = readUvarint(bytes, afterCode)
  if (length > 0x7fffffff) throw new Error('digest too long, supporting only <= 2^31-1')
  if (length > bytes.length - afterLength) {
    throw new Error('length greater than remaining number of bytes in buffer')
  }
  if (afterLength + length !== bytes.length) {
    // Go prints the digest length and the advertised total length.
    throw new Error(`multihash length inconsistent: expected ${length}; got ${afterLength + length}`)
  }
}

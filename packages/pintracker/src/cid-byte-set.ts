/** Bytes per arena chunk: a record never spans two, so it is read from one chunk. */
const CHUNK_BITS = 20
const CHUNK_BYTES = 1 << CHUNK_BITS
/** The most key bytes a set holds: its slots keep a record's offset + 1 in 32 bits. */
const MAX_ARENA_BYTES = 2 ** 32 - CHUNK_BYTES

/**
 * A set of CIDs by their bytes, held in typed arrays rather than as strings in a `Set`.
 *
 * StatusAll keeps, for the length of a listing, every CID its IPFS daemon has pinned. As a
 * `Set<string>` that was ~100 bytes of V8 heap per pin (the string, its hash-table entry), kept
 * long enough to be promoted to the old generation, whose next collection V8 then puts off until
 * it has grown to a multiple of that: at 1M pins a member's heap reached ~500 MB during one
 * `GET /pins`. Here a CID costs its bytes plus a 2-byte length in an arena of 1 MiB chunks (filled
 * in turn, never copied), and a 4-byte slot (at most 3/4 full) in an open-addressing table:
 * ~43 bytes, outside the V8 heap, dropped with the set.
 */
export class CidByteSet {
  /** Length-prefixed keys, one after the other: [length lo, length hi, ...bytes]. */
  readonly #chunks: Uint8Array[] = []
  /** Offset of the next record: chunk index × CHUNK_BYTES + position in the chunk. */
  #used = 0
  /** Offset + 1 of each key's record; 0 is an empty slot. Its size is a power of 2. */
  #slots = new Uint32Array(4096)
  #size = 0

  get size (): number {
    return this.#size
  }

  add (key: Uint8Array): void {
    if (key.length > 0xffff) throw new RangeError(`a CID of ${key.length} bytes is longer than a CidByteSet key may be`)
    const slot = this.#find(key)
    if (this.#slots[slot] !== 0) return
    const at = this.#reserve(key.length + 2)
    const chunk = this.#chunks[at >>> CHUNK_BITS] as Uint8Array
    const pos = at & (CHUNK_BYTES - 1)
    chunk[pos] = key.length & 0xff
    chunk[pos + 1] = key.length >>> 8
    chunk.set(key, pos + 2)
    this.#slots[slot] = at + 1
    if (++this.#size * 4 > this.#slots.length * 3) this.#rehash(this.#slots.length * 2)
  }

  has (key: Uint8Array): boolean {
    return this.#slots[this.#find(key)] !== 0
  }

  /** The slot holding `key`, or the empty slot where it would go (linear probing). */
  #find (key: Uint8Array): number {
    const mask = this.#slots.length - 1
    for (let slot = hashOf(key, 0, key.length) & mask; ; slot = (slot + 1) & mask) {
      const at = this.#slots[slot] as number
      if (at === 0 || this.#equals(at - 1, key)) return slot
    }
  }

  #equals (at: number, key: Uint8Array): boolean {
    const chunk = this.#chunks[at >>> CHUNK_BITS] as Uint8Array
    const pos = at & (CHUNK_BYTES - 1)
    if ((chunk[pos] as number) + ((chunk[pos + 1] as number) << 8) !== key.length) return false
    for (let i = 0; i < key.length; i++) if (chunk[pos + 2 + i] !== key[i]) return false
    return true
  }

  /** The offset of `bytes` free bytes in one chunk (a new chunk when the last is too full). */
  #reserve (bytes: number): number {
    const pos = this.#used & (CHUNK_BYTES - 1)
    if ((this.#used >>> CHUNK_BITS) >= this.#chunks.length || pos + bytes > CHUNK_BYTES) {
      const at = this.#chunks.length * CHUNK_BYTES
      if (at >= MAX_ARENA_BYTES) throw new RangeError(`a CidByteSet holds at most ${MAX_ARENA_BYTES} bytes of CIDs`)
      this.#chunks.push(new Uint8Array(CHUNK_BYTES))
      this.#used = at + bytes
      return at
    }
    const at = this.#used
    this.#used += bytes
    return at
  }

  /** A table of `length` slots holding the same keys. */
  #rehash (length: number): void {
    const slots = new Uint32Array(length)
    const mask = length - 1
    for (const at of this.#slots) {
      if (at === 0) continue
      const chunk = this.#chunks[(at - 1) >>> CHUNK_BITS] as Uint8Array
      const pos = (at - 1) & (CHUNK_BYTES - 1)
      const keyLength = (chunk[pos] as number) + ((chunk[pos + 1] as number) << 8)
      let slot = hashOf(chunk, pos + 2, pos + 2 + keyLength) & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = at
    }
    this.#slots = slots
  }
}

/** FNV-1a (32 bits) of `bytes[start..end)`: every byte counts, so CIDs differing anywhere spread. */
function hashOf (bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193)
  return h >>> 0
}

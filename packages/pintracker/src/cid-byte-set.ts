/**
 * A set of CIDs by their bytes, held in two typed arrays rather than as strings in a `Set`.
 *
 * StatusAll keeps, for the length of a listing, every CID its IPFS daemon has pinned. As a
 * `Set<string>` that was ~100 bytes of V8 heap per pin (the string, its hash-table entry), kept
 * long enough to be promoted to the old generation, whose next collection V8 then puts off until
 * it has grown to a multiple of that: at 1M pins a member's heap reached ~500 MB during one
 * `GET /pins`. Here a CID costs its bytes plus a 2-byte length in one growing buffer, and a 4-byte
 * slot (at most half full) in an open-addressing table: ~45 bytes, outside the V8 heap, and the
 * buffers are dropped with the set.
 */
export class CidByteSet {
  /** Length-prefixed keys, one after the other: [length lo, length hi, ...bytes]. */
  #arena = new Uint8Array(64 * 1024)
  #used = 0
  /** Offset + 1 of each key's record in the arena; 0 is an empty slot. Its size is a power of 2. */
  #slots = new Int32Array(4096)
  #size = 0

  get size (): number {
    return this.#size
  }

  add (key: Uint8Array): void {
    if (key.length > 0xffff) throw new RangeError(`a CID of ${key.length} bytes is longer than a CidByteSet key may be`)
    const slot = this.#find(key)
    if (this.#slots[slot] !== 0) return
    this.#reserve(key.length + 2)
    const at = this.#used
    this.#arena[at] = key.length & 0xff
    this.#arena[at + 1] = key.length >>> 8
    this.#arena.set(key, at + 2)
    this.#used += key.length + 2
    this.#slots[slot] = at + 1
    if (++this.#size * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2)
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
    const arena = this.#arena
    if ((arena[at] as number) + ((arena[at + 1] as number) << 8) !== key.length) return false
    for (let i = 0; i < key.length; i++) if (arena[at + 2 + i] !== key[i]) return false
    return true
  }

  #reserve (bytes: number): void {
    if (this.#used + bytes <= this.#arena.length) return
    let length = this.#arena.length * 2
    while (length < this.#used + bytes) length *= 2
    const arena = new Uint8Array(length)
    arena.set(this.#arena.subarray(0, this.#used))
    this.#arena = arena
  }

  /** A table of `length` slots holding the same keys (read back from the arena, in order). */
  #rehash (length: number): void {
    const slots = new Int32Array(length)
    const mask = length - 1
    const arena = this.#arena
    for (let at = 0; at < this.#used;) {
      const keyLength = (arena[at] as number) + ((arena[at + 1] as number) << 8)
      let slot = hashOf(arena, at + 2, at + 2 + keyLength) & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = at + 1
      at += keyLength + 2
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

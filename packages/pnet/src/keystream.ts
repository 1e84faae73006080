import { xsalsa20 } from '@noble/ciphers/salsa.js'
import { KeystreamExhaustedError } from './errors.ts'
import type { Uint8ArrayList } from 'uint8arraylist'

export const NONCE_LENGTH = 24
const BLOCK = 64
/**
 * Bytes handed to the cipher per call. The cipher allocates nothing in proportion to its input,
 * so this only bounds how long one call runs; 64 KiB is already at full speed.
 */
const PIECE = 64 * 1024
/**
 * noble's Salsa20 counter is the low 32-bit word of the 64-bit block counter, and it refuses the
 * value 2^32 - 1 rather than wrap: the highest usable block index is 2^32 - 2.
 */
export const LAST_BLOCK = 2 ** 32 - 2
const ZERO_BLOCK = new Uint8Array(BLOCK)

/**
 * One direction of a private-network connection: the XSalsa20 keystream for (psk, nonce), used
 * from byte 0 onwards across chunks of any size, as go-libp2p's pnet and @libp2p/pnet do.
 * The position is a block counter plus an offset inside that block, so a chunk may start and end
 * anywhere; the unused rest of a block's keystream is kept for the next chunk.
 */
export class XSalsa20Stream {
  private readonly key: Uint8Array
  private readonly nonce: Uint8Array
  /** Block that holds the next keystream byte. */
  private counter: number
  /** Keystream bytes of block `counter` already used (0 to 63); `partial` holds that block. */
  private offset = 0
  private readonly partial = new Uint8Array(BLOCK)

  /** `startBlock` is for tests that need to reach the end of the keystream. */
  constructor (key: Uint8Array, nonce: Uint8Array, startBlock = 0) {
    if (key.byteLength !== 32) throw new RangeError('key must be 32 bytes')
    if (nonce.byteLength !== NONCE_LENGTH) throw new RangeError(`nonce must be ${NONCE_LENGTH} bytes`)
    this.key = key.slice()
    this.nonce = nonce.slice()
    this.counter = startBlock
  }

  /** Keystream bytes used so far. */
  get position (): number {
    return this.counter * BLOCK + this.offset
  }

  /**
   * XORs the next `data.byteLength` keystream bytes into `data`, in place.
   * Throws KeystreamExhaustedError (before touching `data`) if they are beyond the last block.
   */
  apply (data: Uint8Array): void {
    const n = data.byteLength
    if (n === 0) return
    const lastBlock = this.counter + Math.floor((this.offset + n - 1) / BLOCK)
    if (lastBlock > LAST_BLOCK) throw new KeystreamExhaustedError()
    let i = 0
    if (this.offset > 0) {
      const take = Math.min(BLOCK - this.offset, n)
      for (let j = 0; j < take; j++) data[j]! ^= this.partial[this.offset + j]!
      i = take
      this.offset += take
      if (this.offset === BLOCK) {
        this.offset = 0
        this.counter++
      }
    }
    while (n - i >= BLOCK) {
      const len = Math.min(PIECE, (n - i) - ((n - i) % BLOCK))
      const piece = data.subarray(i, i + len)
      xsalsa20(this.key, this.nonce, piece, piece, this.counter)
      this.counter += len / BLOCK
      i += len
    }
    if (i < n) {
      // A tail shorter than a block: keep that block's keystream for the next chunk.
      xsalsa20(this.key, this.nonce, ZERO_BLOCK, this.partial, this.counter)
      for (let j = 0; i + j < n; j++) data[i + j]! ^= this.partial[j]!
      this.offset = n - i
    }
  }

  /**
   * Encrypts (or decrypts) a message into a new buffer, leaving the input untouched: its chunks
   * belong to the caller (socket buffers, a muxer's frames).
   */
  process (data: Uint8Array | Uint8ArrayList): Uint8Array {
    const total = data.byteLength
    // Start the output so that the whole-block part after this chunk's head lands on a 4-byte
    // boundary: the cipher then works on 32-bit words.
    const head = (BLOCK - this.offset) % BLOCK
    const shift = (4 - (Math.min(head, total) % 4)) % 4
    const out = new Uint8Array(new ArrayBuffer(total + shift), shift, total)
    if (data instanceof Uint8Array) {
      out.set(data)
    } else {
      let at = 0
      for (const chunk of data) {
        out.set(chunk, at)
        at += chunk.byteLength
      }
    }
    this.apply(out)
    return out
  }
}

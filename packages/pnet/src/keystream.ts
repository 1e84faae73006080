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
/**
 * Keystream made ahead, in blocks: a connection's writes and reads are mostly frames of tens to
 * hundreds of bytes, and a call into the cipher costs as much as several blocks of keystream, so
 * small chunks XOR from a window of 16 blocks made in one call (a typical mix of frame sizes
 * 2.7 → 1.6 µs per frame; frames of 40–120 bytes 2.1 → 0.6 µs).
 */
const WINDOW_BLOCKS = 16
/** From this many bytes on, a chunk that starts on a block boundary is ciphered in place, whole. */
const DIRECT_BYTES = WINDOW_BLOCKS * BLOCK
const ZEROS = new Uint8Array(WINDOW_BLOCKS * BLOCK)

/**
 * One direction of a private-network connection: the XSalsa20 keystream for (psk, nonce), used
 * from byte 0 onwards across chunks of any size, as go-libp2p's pnet and @libp2p/pnet do.
 * The keystream of blocks `counter` onwards is made a window at a time; a chunk may start and end
 * anywhere, and what it leaves of the window serves the next one.
 */
export class XSalsa20Stream {
  private readonly key: Uint8Array
  private readonly nonce: Uint8Array
  /** Block whose keystream starts the window. */
  private counter: number
  /** Keystream of blocks `counter` onwards: `made` bytes of it, the first `used` already used. */
  private readonly window = new Uint8Array(WINDOW_BLOCKS * BLOCK)
  private made = 0
  private used = 0

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
    return this.counter * BLOCK + this.used
  }

  /**
   * XORs the next `data.byteLength` keystream bytes into `data`, in place.
   * Throws KeystreamExhaustedError (before touching `data`) if they are beyond the last block.
   */
  apply (data: Uint8Array): void {
    const n = data.byteLength
    if (n === 0) return
    if (Math.floor((this.position + n - 1) / BLOCK) > LAST_BLOCK) throw new KeystreamExhaustedError()
    let i = 0
    while (i < n) {
      if (this.used === this.made) {
        // The window is spent: the next keystream byte starts block `counter`.
        this.counter += this.made / BLOCK
        this.made = 0
        this.used = 0
        if (n - i >= DIRECT_BYTES) {
          const len = Math.min(PIECE, (n - i) - ((n - i) % BLOCK))
          const piece = data.subarray(i, i + len)
          xsalsa20(this.key, this.nonce, piece, piece, this.counter)
          this.counter += len / BLOCK
          i += len
          continue
        }
        // Never past the last block: the check above allows this chunk, not the window's end.
        const blocks = Math.min(WINDOW_BLOCKS, LAST_BLOCK - this.counter + 1)
        xsalsa20(this.key, this.nonce, ZEROS.subarray(0, blocks * BLOCK), this.window.subarray(0, blocks * BLOCK), this.counter)
        this.made = blocks * BLOCK
      }
      const take = Math.min(this.made - this.used, n - i)
      const window = this.window
      const from = this.used - i
      for (let j = i; j < i + take; j++) data[j]! ^= window[from + j]!
      i += take
      this.used += take
    }
  }

  /**
   * Encrypts (or decrypts) a message into a new buffer, leaving the input untouched: its chunks
   * belong to the caller (socket buffers, a muxer's frames).
   */
  process (data: Uint8Array | Uint8ArrayList): Uint8Array {
    const total = data.byteLength
    // Start the output so that a part ciphered in place after what the window holds lands on a
    // 4-byte boundary: the cipher then works on 32-bit words.
    const head = this.made - this.used
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

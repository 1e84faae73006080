/**
 * Kubo's rabin chunker (boxo chunker.NewRabinMinMax, i.e. github.com/whyrusleeping/chunker): a
 * Rabin fingerprint over the degree-53 polynomial IpfsRabinPoly with a 16-byte window; the first
 * `min - 16` bytes of a chunk are not fingerprinted; a chunk ends after a byte where
 * `fingerprint & (2^floor(log2(avg)) - 1) == 0` (once `min` bytes are in) or at `max` bytes.
 *
 * ipfs-unixfs-importer's own rabin chunker (rabin-wasm) cuts elsewhere, so its CIDs differ from
 * Kubo's; this one is written for the importer's `chunker` option and produces Kubo's chunks.
 * The 61-bit fingerprint is kept as two 32-bit halves (no BigInt in the per-byte loop).
 */
import type { Chunker } from 'ipfs-unixfs-importer/chunker'

/** boxo's chunk.IpfsRabinPoly. */
export const IPFS_RABIN_POLY = 17437180132763653n
const WINDOW = 16

function degree (p: bigint): number {
  return p === 0n ? -1 : p.toString(2).length - 1
}

/** x mod p over GF(2). */
function polyMod (x: bigint, p: bigint): bigint {
  const dp = degree(p)
  for (let dx = degree(x); dx >= dp; dx = degree(x)) x ^= p << BigInt(dx - dp)
  return x
}

interface Tables { outHi: Uint32Array, outLo: Uint32Array, modHi: Uint32Array, modLo: Uint32Array, shiftHi: number }

let cached: Tables | undefined

function tables (): Tables {
  if (cached !== undefined) return cached
  const pol = IPFS_RABIN_POLY
  const k = BigInt(degree(pol))
  const t: Tables = { outHi: new Uint32Array(256), outLo: new Uint32Array(256), modHi: new Uint32Array(256), modLo: new Uint32Array(256), shiftHi: degree(pol) - 8 - 32 }
  for (let b = 0; b < 256; b++) {
    // out[b] = H(b || 0 … 0): XOR-ing it removes byte b leaving the window.
    let h = polyMod(BigInt(b), pol)
    for (let i = 0; i < WINDOW - 1; i++) h = polyMod(h << 8n, pol)
    t.outHi[b] = Number(h >> 32n)
    t.outLo[b] = Number(h & 0xffffffffn)
    // mod[b] = (b·x^k mod pol) | b·x^k: one XOR reduces the 8 bits pushed above the degree.
    const m = polyMod(BigInt(b) << k, pol) | (BigInt(b) << k)
    t.modHi[b] = Number(m >> 32n)
    t.modLo[b] = Number(m & 0xffffffffn)
  }
  cached = t
  return t
}

/** A chunker producing the same chunks as `ipfs add --chunker=rabin-<min>-<avg>-<max>`. */
export function kuboRabin (min: number, avg: number, max: number): Chunker {
  const t = tables()
  const mask = 2 ** Math.floor(Math.log2(avg)) - 1
  return async function * rabinChunker (source) {
    const window = new Uint8Array(WINDOW)
    let hi = 0
    let lo = 0
    let wpos = 0
    let count = 0
    let pre = 0
    let parts: Uint8Array[] = []
    let emitted = false

    const slide = (b: number): void => {
      const out = window[wpos]!
      window[wpos] = b
      hi ^= t.outHi[out]!
      lo ^= t.outLo[out]!
      wpos = (wpos + 1) & (WINDOW - 1)
      const index = hi >>> t.shiftHi
      hi = ((hi << 8) | (lo >>> 24)) ^ t.modHi[index]!
      lo = ((lo << 8) | b) ^ t.modLo[index]!
    }
    const reset = (): void => {
      window.fill(0)
      hi = 0
      lo = 0
      wpos = 0
      count = 0
      slide(1)
      pre = min - WINDOW
    }
    const take = (): Uint8Array => {
      const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
      parts = []
      emitted = true
      return chunk
    }

    reset()
    for await (const buf of source) {
      let pos = 0
      while (pos < buf.length) {
        if (pre > 0) {
          const skip = Math.min(pre, buf.length - pos)
          parts.push(buf.subarray(pos, pos + skip))
          pre -= skip
          count += skip
          pos += skip
          continue
        }
        let cut = -1
        for (let i = pos; i < buf.length; i++) {
          slide(buf[i]!)
          count++
          if (count < min) continue
          if (((lo & mask) >>> 0) === 0 || count >= max) {
            cut = i + 1
            break
          }
        }
        if (cut < 0) {
          parts.push(buf.subarray(pos))
          break
        }
        parts.push(buf.subarray(pos, cut))
        pos = cut
        yield take()
        reset()
      }
    }
    if (count > 0) yield take()
    else if (!emitted) yield new Uint8Array(0) // an empty file is one empty chunk, as with fixed-size chunks
  }
}

/** Compares two strings by their UTF-8 bytes (= by code points), the order Go's sort.Strings uses. */
export function compareUtf8 (a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i)
    const cb = b.charCodeAt(i)
    if (ca === cb) continue
    // Surrogates (astral code points) sort after every BMP code point in UTF-8.
    const sa = ca >= 0xd800 && ca <= 0xdfff
    const sb = cb >= 0xd800 && cb <= 0xdfff
    if (sa !== sb) return sa ? 1 : -1
    return ca < cb ? -1 : 1
  }
  return a.length - b.length
}

const encoder = new TextEncoder()

/** The UTF-8 bytes of a string (lone surrogates become U+FFFD). */
export function utf8Bytes (s: string): Uint8Array {
  return encoder.encode(s)
}

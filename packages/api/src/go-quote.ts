import { utf8Bytes } from './utf8.ts'

const HEX = '0123456789abcdef'

/**
 * Go's time package `quote`: wraps in double quotes, backslash-escapes `"` and `\`, and writes
 * every byte of a non-ASCII or control character as `\xNN`.
 */
export function goTimeQuote (s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (c >= 0x80 || c < 0x20) {
      for (const b of utf8Bytes(ch)) out += '\\x' + HEX[b >> 4]! + HEX[b & 0xf]!
    } else {
      if (ch === '"' || ch === '\\') out += '\\'
      out += ch
    }
  }
  return out + '"'
}

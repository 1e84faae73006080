/** Go's net/url query escaping and `url.Values.Encode`. */
import { compareUtf8, utf8Bytes } from './utf8.ts'

const HEX = '0123456789ABCDEF'

function unreserved (b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e
}

/** Go's url.QueryEscape: `A-Za-z0-9-_.~` kept, space as `+`, every other byte `%XX`. */
export function goQueryEscape (s: string): string {
  let out = ''
  for (const b of utf8Bytes(s)) {
    if (unreserved(b)) out += String.fromCharCode(b)
    else if (b === 0x20) out += '+'
    else out += '%' + HEX[b >> 4]! + HEX[b & 0xf]!
  }
  return out
}

/** Go's url.Values.Encode: keys sorted (by bytes), `key=value` pairs joined by `&`. */
export function encodeGoQuery (values: Iterable<[string, string | readonly string[]]>): string {
  const grouped = new Map<string, string[]>()
  for (const [k, v] of values) {
    const list = grouped.get(k) ?? []
    if (typeof v === 'string') list.push(v)
    else list.push(...v)
    grouped.set(k, list)
  }
  const parts: string[] = []
  for (const k of [...grouped.keys()].sort(compareUtf8)) {
    const ek = goQueryEscape(k)
    for (const v of grouped.get(k)!) parts.push(`${ek}=${goQueryEscape(v)}`)
  }
  return parts.join('&')
}

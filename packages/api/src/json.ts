/**
 * JSON text in and out, the way Go's encoding/json writes it:
 * - `parseJson` keeps integers outside the safe range exact (as bigint);
 * - `stringifyJson` writes compact JSON with Go's string escaping (`<` `>` `&` U+2028 U+2029 as
 *   `\u003c`...), Go's number formatting, bigints as plain integer literals, struct keys in
 *   insertion order and Go maps (objects made by `goMap`) with keys sorted like Go sorts them.
 */
import { DecodeError, EncodeError } from './errors.ts'
import { compareUtf8 } from './utf8.ts'

/** A JSON object whose keys are emitted in insertion order; `undefined` members are left out. */
export interface JsonObject { [key: string]: JsonValue | undefined }
/** Values `stringifyJson` accepts. bigint is written as an integer literal. */
export type JsonValue = null | boolean | number | bigint | string | RawJson | JsonValue[] | JsonObject

/** What `JSON.rawJSON` returns (ES2026; Node 21+). */
export interface RawJson { readonly rawJSON: string }

interface JsonWithRaw {
  rawJSON?: (text: string) => RawJson
  isRawJSON?: (value: unknown) => boolean
}
const jsonRaw = JSON as unknown as JsonWithRaw

const goMaps = new WeakSet<object>()

/**
 * Makes an object that `stringifyJson` writes like a Go map: keys sorted by their UTF-8 bytes.
 * The object has no prototype, so keys such as `__proto__` are ordinary keys.
 */
export function goMap<V extends JsonValue | undefined> (entries: Iterable<[string, V]> = []): Record<string, V> {
  const out = Object.create(null) as Record<string, V>
  for (const [k, v] of entries) out[k] = v
  goMaps.add(out)
  return out
}

/** A fresh prototype-less record (safe for any key, including `__proto__`). */
export function newRecord<V> (): Record<string, V> {
  return Object.create(null) as Record<string, V>
}

/**
 * An integer literal for JSON. Uses `JSON.rawJSON` so that plain `JSON.stringify` also writes
 * the exact digits; `stringifyJson` accepts it as well as a bare bigint.
 */
export function rawInteger (value: bigint): RawJson | bigint {
  return jsonRaw.rawJSON !== undefined ? jsonRaw.rawJSON(value.toString()) : value
}

function isRawJson (value: unknown): value is RawJson {
  if (jsonRaw.isRawJSON !== undefined) return jsonRaw.isRawJSON(value)
  return false
}

const INTEGER_LITERAL = /^-?(?:0|[1-9]\d*)$/
const LONG_DIGITS = /\d{16}/

/**
 * Parses JSON text. Integer literals that a JS number cannot hold exactly become bigint
 * (e.g. 1740829126081622217); everything else is as `JSON.parse` gives it.
 * Invalid JSON throws a DecodeError.
 */
export function parseJson (text: string): unknown {
  try {
    // A reviver makes JSON.parse several times slower; only texts with a 16+ digit run can hold
    // an integer beyond 2^53, so the others take the plain path.
    if (!LONG_DIGITS.test(text)) return JSON.parse(text)
    return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
      if (typeof value === 'number' && !Number.isSafeInteger(value)) {
        const source = context?.source
        if (source !== undefined && INTEGER_LITERAL.test(source)) return BigInt(source)
      }
      return value
    })
  } catch (err) {
    throw new DecodeError('', `invalid JSON: ${(err as Error).message}`, { cause: err })
  }
}

const HEX = '0123456789abcdef'
// Characters Go's encoder escapes (with HTML escaping on, its default), plus lone surrogates.
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/

/** Quotes a string exactly as Go's encoding/json does (invalid UTF-16 becomes U+FFFD). */
export function quoteJsonString (s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1)
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!
        i++
      } else {
        out += '\ufffd'
      }
      continue
    }
    switch (c) {
      case 0x22: out += '\\"'; break
      case 0x5c: out += '\\\\'; break
      case 0x08: out += '\\b'; break
      case 0x0c: out += '\\f'; break
      case 0x0a: out += '\\n'; break
      case 0x0d: out += '\\r'; break
      case 0x09: out += '\\t'; break
      default:
        if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
          out += '\\u' + HEX[c >> 12]! + HEX[(c >> 8) & 0xf]! + HEX[(c >> 4) & 0xf]! + HEX[c & 0xf]!
        } else {
          out += s[i]!
        }
    }
  }
  return out + '"'
}

/** A number as Go's encoding/json writes it. */
export function formatNumber (n: number): string {
  if (!Number.isFinite(n)) throw new EncodeError(`json: unsupported value: ${String(n)}`)
  if (Object.is(n, -0)) return '-0'
  // JS and Go switch to exponent form at the same thresholds (1e21, 1e-6) and both print the
  // shortest round-trip digits; Go writes e-07 as e-7 like JS does.
  return String(n)
}

/** Object keys as written (`"key":`): the same few keys come back in every pin and response. */
const QUOTED_KEYS = new Map<string, string>()
const QUOTED_KEYS_MAX = 1024

function quotedKey (k: string): string {
  let quoted = QUOTED_KEYS.get(k)
  if (quoted === undefined) {
    quoted = quoteJsonString(k) + ':'
    if (QUOTED_KEYS.size < QUOTED_KEYS_MAX) QUOTED_KEYS.set(k, quoted)
  }
  return quoted
}

function write (value: unknown, out: string[]): void {
  switch (typeof value) {
    case 'string': out.push(quoteJsonString(value)); return
    case 'number': out.push(formatNumber(value)); return
    case 'bigint': out.push(value.toString()); return
    case 'boolean': out.push(value ? 'true' : 'false'); return
    case 'object': break
    default: throw new EncodeError(`json: unsupported type: ${typeof value}`)
  }
  if (value === null) { out.push('null'); return }
  if (isRawJson(value)) { out.push(value.rawJSON); return }
  if (Array.isArray(value)) {
    out.push('[')
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',')
      write(value[i] === undefined ? null : value[i], out)
    }
    out.push(']')
    return
  }
  const obj = value as Record<string, unknown>
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    write((obj as { toJSON: () => unknown }).toJSON(), out)
    return
  }
  let keys = Object.keys(obj)
  if (goMaps.has(obj)) keys = keys.sort(compareUtf8)
  out.push('{')
  let first = true
  for (const k of keys) {
    const v = obj[k]
    if (v === undefined) continue
    out.push(first ? '' : ',', quotedKey(k))
    first = false
    write(v, out)
  }
  out.push('}')
}

/**
 * Compact JSON exactly as Go's json.Marshal would write the same value (no trailing newline).
 * Objects with a `toJSON` method (e.g. Timestamp) are written through it.
 */
export function stringifyJson (value: JsonValue | { toJSON: () => unknown }): string {
  const out: string[] = []
  write(value, out)
  return out.join('')
}

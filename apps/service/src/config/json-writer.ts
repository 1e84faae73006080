/**
 * Writes configuration JSON exactly like Go's `json.MarshalIndent`: Go string escaping and number
 * formatting (through @cluster/api's `stringifyJson`), struct keys in insertion order, Go maps
 * (made with `goMap`) with sorted keys, empty arrays and objects as `[]` / `{}`, no trailing
 * newline.
 */
import { stringifyJson } from '@cluster/api'
import type { JsonValue } from '@cluster/api'

/** Re-indents compact JSON the way Go's json.Indent does (prefix ''). */
export function indentJson (compact: string, indent: string): string {
  let out = ''
  let depth = 0
  let needIndent = false
  let inString = false
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!
    if (inString) {
      out += c
      if (c === '\\') {
        out += compact[i + 1] ?? ''
        i++
      } else if (c === '"') {
        inString = false
      }
      continue
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false
      depth++
      out += '\n' + indent.repeat(depth)
    }
    switch (c) {
      case '"':
        inString = true
        out += c
        break
      case '{':
      case '[':
        out += c
        needIndent = true
        break
      case ',':
        out += ',\n' + indent.repeat(depth)
        break
      case ':':
        out += ': '
        break
      case '}':
      case ']':
        if (needIndent) {
          needIndent = false // empty object or array
        } else {
          depth--
          out += '\n' + indent.repeat(depth)
        }
        out += c
        break
      default:
        out += c
    }
  }
  return out
}

/** Go's `json.MarshalIndent(v, "", indent)`. */
export function formatGoJson (value: JsonValue, indent = '  '): string {
  return indentJson(stringifyJson(value), indent)
}

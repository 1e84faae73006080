/**
 * `--enc json` output: Go's `json.MarshalIndent(obj, "", "    ")` followed by a newline. The
 * compact text comes from @cluster/api's Go-exact encoder; `indentJson` re-indents it the way
 * Go's json.Indent does (`{}` and `[]` stay on one line).
 */
import {
  encodeAddedOutput, encodeAlert, encodeErrorBody, encodeGlobalPinInfo, encodeGlobalRepoGc, encodeId, encodeMetric,
  encodePin, encodeVersion, stringifyJson
} from '@cluster/api'
import type {
  AddedOutput, Alert, ErrorBody, GlobalPinInfo, GlobalRepoGc, Id, JsonValue, Metric, Pin, Version
} from '@cluster/api'

/** Re-indents compact JSON text (4 spaces per level, `": "` after keys). */
export function indentJson (compact: string, indent = '    '): string {
  let out = ''
  let depth = 0
  let inString = false
  for (let i = 0; i < compact.length; i++) {
    const ch = compact[i]!
    if (inString) {
      out += ch
      if (ch === '\\') { out += compact[i + 1] ?? ''; i++ } else if (ch === '"') inString = false
      continue
    }
    switch (ch) {
      case '"': inString = true; out += ch; break
      case '{': case '[': {
        const next = compact[i + 1]
        if ((ch === '{' && next === '}') || (ch === '[' && next === ']')) {
          out += ch + next
          i++
          break
        }
        depth++
        out += ch + '\n' + indent.repeat(depth)
        break
      }
      case '}': case ']':
        depth--
        out += '\n' + indent.repeat(depth) + ch
        break
      case ',': out += ',\n' + indent.repeat(depth); break
      case ':': out += ': '; break
      default: out += ch
    }
  }
  return out
}

/** One value as the Go ctl prints it with `--enc json`. */
export function jsonText (value: JsonValue): string {
  return indentJson(stringifyJson(value)) + '\n'
}

export const toJson = {
  id: (v: Id): string => jsonText(encodeId(v)),
  version: (v: Version): string => jsonText(encodeVersion(v)),
  pin: (v: Pin): string => jsonText(encodePin(v)),
  globalPinInfo: (v: GlobalPinInfo): string => jsonText(encodeGlobalPinInfo(v)),
  globalRepoGc: (v: GlobalRepoGc): string => jsonText(encodeGlobalRepoGc(v)),
  metrics: (v: Metric[] | null): string => jsonText(v === null ? null : v.map(encodeMetric)),
  alerts: (v: Alert[] | null): string => jsonText(v === null ? null : v.map(encodeAlert)),
  strings: (v: string[] | null): string => jsonText(v),
  addedOutput: (v: AddedOutput): string => jsonText(encodeAddedOutput(v)),
  addedOutputs: (v: AddedOutput[]): string => jsonText(v.map(encodeAddedOutput)),
  error: (v: ErrorBody): string => jsonText(encodeErrorBody(v))
}

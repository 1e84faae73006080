import { decodePin, encodePin, parseJson, stringifyJson, type Pin } from '@cluster/api'
import { StateFormatError } from './errors.ts'

/** `state export`: one Go-JSON pin per line, as Go's `ipfs-cluster-service state export`. */
export function * exportPins (pins: Iterable<Pin>): Generator<string> {
  for (const pin of pins) yield stringifyJson(encodePin(pin)) + '\n'
}

/**
 * `state import` input: JSON pins one after another, separated by any whitespace (Go's
 * json.Decoder loop). Fails with StateFormatError naming the value that is malformed.
 */
export function parsePinStream (text: string): Pin[] {
  const pins: Pin[] = []
  let i = 0
  let n = 0
  while (true) {
    while (i < text.length && /\s/.test(text[i] as string)) i++
    if (i >= text.length) return pins
    const end = endOfJsonValue(text, i)
    n++
    try {
      pins.push(decodePin(parseJson(text.slice(i, end))))
    } catch (err) {
      throw new StateFormatError(`pin #${n} of the import is malformed: ${(err as Error).message}`)
    }
    i = end
  }
}

/** Index just past the JSON object or array starting at `start` (strings and escapes respected). */
function endOfJsonValue (text: string, start: number): number {
  if (text[start] !== '{' && text[start] !== '[') throw new StateFormatError(`expected a JSON object at offset ${start}`)
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      depth--
      if (depth === 0) return i + 1
    }
  }
  throw new StateFormatError('truncated JSON value at the end of the import')
}

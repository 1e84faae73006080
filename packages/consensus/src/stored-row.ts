import { cidToString, encodePin, storedPin, stringifyJson, type Pin } from '@cluster/api'
import type { PinIndexRows } from './pinset-file.ts'
import { indexRowsOf } from './search.ts'

/** A pin as the pinset file keeps it: its row (CID text, name, type, Go JSON) and its index rows. */
export interface StoredPinRow {
  cid: string
  name: string
  type: string
  json: string
  index: PinIndexRows
}

/** The stored form of a pin (Go's state: seconds, `origins: []`…). */
export function storedRowOf (given: Pin): StoredPinRow {
  return rowOfStored(storedPin(given))
}

/** The row of a pin already in its stored form (`storedPin`); `cid` is its CID text when known. */
export function rowOfStored (pin: Pin, cid = cidToString(pin.cid)): StoredPinRow {
  return { cid, name: pin.name, type: pin.type, json: stringifyJson(encodePin(pin)), index: indexRowsOf(pin) }
}

export function * rowsOf (pins: Iterable<Pin>): Generator<StoredPinRow> {
  for (const pin of pins) yield storedRowOf(pin)
}

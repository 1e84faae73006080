import { cidToString, encodePin, storedPin, stringifyJson, type Pin } from '@cluster/api'
import type { PinIndexRows, PreviousSideRows } from './pinset-file.ts'
import { decodeStored } from './snapshot-bytes.ts'
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

/** A stored pin, or undefined when its JSON no longer decodes (a damaged row). */
export function decodeStoredOrUndefined (json: string): Pin | undefined {
  try {
    return decodeStored(json)
  } catch {
    return undefined
  }
}

/** The side rows of a CID's stored row (`pin`: that row already decoded). */
export function previousSideRows (json: string | undefined, pin = json === undefined ? undefined : decodeStoredOrUndefined(json)): PreviousSideRows {
  if (json === undefined) return undefined
  return pin === undefined ? 'unreadable' : indexRowsOf(pin)
}

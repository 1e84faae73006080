/** BandwidthByProtocol: libp2p protocol ID → traffic totals and rates. */
import { goMap } from '../json.ts'
import type { JsonObject, JsonValue } from '../json.ts'
import { mapOrNull, readFloat, readInt, readObject, required } from '../decode.ts'

export interface Bandwidth {
  /** Bytes. */
  totalIn: number
  totalOut: number
  /** Bytes per second. */
  rateIn: number
  rateOut: number
}

/** `null` when the peer has no bandwidth reporter. */
export type BandwidthByProtocol = Record<string, Bandwidth> | null

export function encodeBandwidth (b: Bandwidth): JsonObject {
  return { total_in: b.totalIn, total_out: b.totalOut, rate_in: b.rateIn, rate_out: b.rateOut }
}

export function decodeBandwidth (value: unknown, path = ''): Bandwidth {
  const obj = readObject(value, path)
  return {
    totalIn: required(obj, 'total_in', path, readInt),
    totalOut: required(obj, 'total_out', path, readInt),
    rateIn: required(obj, 'rate_in', path, readFloat),
    rateOut: required(obj, 'rate_out', path, readFloat)
  }
}

export function encodeBandwidthByProtocol (b: BandwidthByProtocol): JsonValue {
  return b === null ? null : goMap(Object.entries(b).map(([k, v]) => [k, encodeBandwidth(v)]))
}

export function decodeBandwidthByProtocol (value: unknown, path = ''): BandwidthByProtocol {
  return mapOrNull(decodeBandwidth)(value, path)
}

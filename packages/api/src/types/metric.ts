/** Metric (monitoring data about a peer) and Alert (a metric that expired). */
import type { PeerId } from '../peer-id.ts'
import type { Timestamp } from '../timestamp.ts'
import { rawInteger } from '../json.ts'
import type { JsonObject } from '../json.ts'
import { readBool, readInt, readInt64, readObject, readPeerId, readString, readTimestamp, required } from '../decode.ts'

export interface Metric {
  /** `freespace`, `ping`, `pinqueue`, `numpin`, `tag:<name>`... */
  name: string
  peer: PeerId
  value: string
  /** Expiry, Unix nanoseconds (exact). */
  expire: bigint
  valid: boolean
  /** Allocator weight (Go int64; a JS number here). */
  weight: number
  partitionable: boolean
  /** Reception time, Unix nanoseconds (exact). */
  receivedAt: bigint
}

export interface Alert extends Metric {
  triggeredAt: Timestamp
}

export function encodeMetric (m: Metric): JsonObject {
  return {
    name: m.name,
    peer: m.peer,
    value: m.value,
    expire: rawInteger(m.expire),
    valid: m.valid,
    weight: m.weight,
    partitionable: m.partitionable,
    received_at: rawInteger(m.receivedAt)
  }
}

function decodeMetricFields (obj: Record<string, unknown>, path: string): Metric {
  return {
    name: required(obj, 'name', path, readString),
    peer: required(obj, 'peer', path, readPeerId),
    value: required(obj, 'value', path, readString),
    expire: required(obj, 'expire', path, readInt64),
    valid: required(obj, 'valid', path, readBool),
    weight: required(obj, 'weight', path, readInt),
    partitionable: required(obj, 'partitionable', path, readBool),
    receivedAt: required(obj, 'received_at', path, readInt64)
  }
}

export function decodeMetric (value: unknown, path = ''): Metric {
  return decodeMetricFields(readObject(value, path), path)
}

export function encodeAlert (a: Alert): JsonObject {
  return { ...encodeMetric(a), triggered_at: a.triggeredAt.toJSON() }
}

export function decodeAlert (value: unknown, path = ''): Alert {
  const obj = readObject(value, path)
  return { ...decodeMetricFields(obj, path), triggeredAt: required(obj, 'triggered_at', path, readTimestamp) }
}

/**
 * The pinset's in-memory snapshot (Raft without a snapshot folder): a header line, then one
 * Go-JSON pin per line sorted by CID; and the stored form of a pin (its REST JSON).
 */
import { decodePin, ndjsonLinesSync, parseJson, type Pin } from '@cluster/api'
import { StateFormatError } from './errors.ts'

const SNAPSHOT_HEADER = 'cluster-ts-pinset'
const SNAPSHOT_VERSION = 1

/** The first line of a snapshot of `count` pins. */
export function snapshotHeader (count: number): string {
  return JSON.stringify({ format: SNAPSHOT_HEADER, version: SNAPSHOT_VERSION, count })
}

/** The integer fields of a stored pin: the only numbers it holds. */
const NUMBER_FIELDS = ['replication_factor_min', 'replication_factor_max', 'shard_size', 'max_depth'] as const

/**
 * A stored pin (its REST JSON). Read with `JSON.parse` unless it holds an integer a JS number
 * cannot hold (a shard size past 2^53), which parseJson reads exactly: parseJson's scan of every
 * row for such a digit run was a sixth of a pinset listing's decoding.
 */
export function decodeStored (json: string): Pin {
  let value: Record<string, unknown> | undefined
  try {
    value = JSON.parse(json) as Record<string, unknown>
  } catch {}
  if (value === null || typeof value !== 'object' || NUMBER_FIELDS.some(k => typeof value[k] === 'number' && !Number.isSafeInteger(value[k]))) {
    return decodePin(parseJson(json))
  }
  return decodePin(value)
}

/** Reads a snapshot made by {@link PinsetState.snapshot}; an empty buffer is an empty pinset. */
export function parseSnapshot (data: Uint8Array): Pin[] {
  if (data.length === 0) return []
  // Line by line: never the whole snapshot as one string.
  const lines = ndjsonLinesSync([data], { maxLineBytes: data.length })
  const header = JSON.parse(lines.next().value?.text ?? '{}') as { format?: string, version?: number, count?: number }
  if (header.format !== SNAPSHOT_HEADER || header.version !== SNAPSHOT_VERSION) {
    throw new StateFormatError('not a pinset snapshot of a known version')
  }
  const pins: Pin[] = []
  for (const { text } of lines) pins.push(decodeStored(text))
  if (pins.length !== header.count) throw new StateFormatError(`snapshot holds ${pins.length} pins, header says ${String(header.count)}`)
  return pins
}


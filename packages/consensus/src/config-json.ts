/*
 * Reading the `consensus.*` sections of Go's JSON: each value checked against its Go type with
 * encoding/json's texts, durations parsed into milliseconds. Shared by the Raft and CRDT models.
 */
import { parseDurationMs } from '@cluster/api'
import { ConsensusConfigError } from './errors.ts'

export type JsonSection = Record<string, unknown>

function goTypeOf (value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'boolean') return 'bool'
  return typeof value
}

function wrongType (key: string, value: unknown, goType: string): never {
  throw new ConsensusConfigError(`json: cannot unmarshal ${goTypeOf(value)} into Go struct field jsonConfig.${key} of type ${goType}`)
}

/** The section as an object (`null` or missing: empty). */
export function sectionObject (json: unknown, section: string): JsonSection {
  if (json === undefined || json === null) return {}
  if (typeof json !== 'object' || Array.isArray(json)) throw new ConsensusConfigError(`json: cannot unmarshal ${goTypeOf(json)} into Go value of type ${section}.jsonConfig`)
  return json as JsonSection
}

export function stringAt (obj: JsonSection, key: string): string | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  return typeof v === 'string' ? v : wrongType(key, v, 'string')
}

export function intAt (obj: JsonSection, key: string, goType: 'int' | 'uint64' = 'int'): number | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || (goType === 'uint64' && v < 0)) wrongType(key, v, goType)
  return v
}

/** Go `[]string` (`null` items read as ''). */
export function stringListAt (obj: JsonSection, key: string): string[] | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) wrongType(key, v, '[]string')
  return v.map(x => (x === null ? '' : typeof x === 'string' ? x : wrongType(key, x, 'string')))
}

/**
 * Go's `config.ParseDurations`: missing or `""` keeps `current`; anything else is parsed strictly
 * (`"0s"` really is zero), a bad value fails with `error parsing <label>: <Go error>`.
 */
export function strictDurationMs (text: string | undefined, current: number, label: string): number {
  if (text === undefined || text === '') return current
  try {
    return parseDurationMs(text)
  } catch (err) {
    throw new ConsensusConfigError(`error parsing ${label}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

/** Go's `SetIfNotDefault` for strings: '' keeps the current value. */
export const nonEmpty = (value: string | undefined, current: string): string => value === undefined || value === '' ? current : value

/** Go's `SetIfNotDefault` for numbers: 0 keeps the current value. */
export const nonZero = (value: number | undefined, current: number): number => value === undefined || value === 0 ? current : value

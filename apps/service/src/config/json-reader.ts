/**
 * Reads one JSON object of the configuration the way Go's encoding/json fills a struct: keys
 * match exactly or case-insensitively (a later key overrides an earlier one), unknown keys are
 * ignored (and reported as warnings here), `null` counts as "not given", and a value of the wrong
 * JSON type fails with a message naming the key.
 */
import { ConfigParseError } from './errors.ts'

/** Something in the file that did not stop loading but deserves a word (unknown key, …). */
export interface ConfigWarning {
  /** Dotted path (`cluster.replication_factor`). */
  key: string
  message: string
}

export function jsonTypeOf (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'bigint') return 'number'
  if (typeof value === 'boolean') return 'bool'
  return typeof value
}

function wrongType (key: string, value: unknown, want: string): ConfigParseError {
  const what = typeof value === 'number' || typeof value === 'bigint' ? `number ${String(value)}` : jsonTypeOf(value)
  return new ConfigParseError(key, `error parsing ${key}: cannot unmarshal ${what} into a value of type ${want}`)
}

export function isJsonObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export class JsonReader {
  /** Dotted path of this object (`cluster`, `cluster.pubsub`, `restapi`). */
  readonly path: string
  private readonly values = new Map<string, unknown>()
  private readonly warnings: ConfigWarning[]
  private readonly warnPath: string

  /**
   * @param path prefix of the keys in error messages (Go's: `cluster`, `restapi`…)
   * @param known the keys this object may hold; any other key is reported in `warnings`.
   * @param warnPath prefix of the keys in warnings (default: `path`), e.g. `api.restapi`
   */
  constructor (path: string, value: unknown, known: readonly string[], warnings: ConfigWarning[], warnPath = path) {
    this.path = path
    this.warnings = warnings
    this.warnPath = warnPath
    if (!isJsonObject(value)) throw wrongType(path, value, 'object')
    const exact = new Set(known)
    const folded = new Map(known.map((k) => [k.toLowerCase(), k]))
    for (const [k, v] of Object.entries(value)) {
      const target = exact.has(k) ? k : folded.get(k.toLowerCase())
      if (target === undefined) {
        const full = warnPath === '' ? k : `${warnPath}.${k}`
        warnings.push({ key: full, message: `unknown configuration key ${JSON.stringify(full)} ignored` })
        continue
      }
      this.values.set(target, v)
    }
  }

  /** Dotted path of a key of this object. */
  key (k: string): string {
    return this.path === '' ? k : `${this.path}.${k}`
  }

  /** The known keys present, under their canonical spelling (values untouched). */
  normalized (): Record<string, unknown> {
    return Object.fromEntries(this.values)
  }

  /** Whether the key is present with a non-null value. */
  has (k: string): boolean {
    const v = this.values.get(k)
    return v !== undefined && v !== null
  }

  /** The raw value (undefined when absent or null). */
  raw (k: string): unknown {
    const v = this.values.get(k)
    return v === null ? undefined : v
  }

  string (k: string): string | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (typeof v !== 'string') throw wrongType(this.key(k), v, 'string')
    return v
  }

  bool (k: string): boolean | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (typeof v !== 'boolean') throw wrongType(this.key(k), v, 'bool')
    return v
  }

  /** A signed integer (Go `int`). */
  int (k: string): number | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongType(this.key(k), v, 'int')
    return v
  }

  /** An unsigned integer (Go `uint64`), limited to what a JS number holds exactly. */
  uint (k: string): number | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw wrongType(this.key(k), v, 'uint64')
    return v
  }

  float (k: string): number | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (typeof v !== 'number') throw wrongType(this.key(k), v, 'float64')
    return v
  }

  /** A JSON array of strings (Go `[]string`; null elements read as ''). */
  stringList (k: string): string[] | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (!Array.isArray(v)) throw wrongType(this.key(k), v, '[]string')
    return v.map((x, i) => {
      if (x === null) return ''
      if (typeof x !== 'string') throw wrongType(`${this.key(k)}[${i}]`, x, 'string')
      return x
    })
  }

  /**
   * Go's `config.Strings`: a string or an array of strings; `""` reads as an empty list.
   */
  strings (k: string): string[] | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (typeof v === 'string') return v === '' ? [] : [v]
    if (!Array.isArray(v)) throw wrongType(this.key(k), v, 'string or []string')
    return this.stringList(k)
  }

  /** A JSON object of strings (Go `map[string]string`). */
  stringMap (k: string): Record<string, string> | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (!isJsonObject(v)) throw wrongType(this.key(k), v, 'map[string]string')
    const out = Object.create(null) as Record<string, string>
    for (const [name, x] of Object.entries(v)) {
      if (x === null) { out[name] = ''; continue }
      if (typeof x !== 'string') throw wrongType(`${this.key(k)}.${name}`, x, 'string')
      out[name] = x
    }
    return out
  }

  /** A JSON object of string arrays (Go `map[string][]string`). */
  stringListMap (k: string): Record<string, string[]> | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    if (!isJsonObject(v)) throw wrongType(this.key(k), v, 'map[string][]string')
    const out = Object.create(null) as Record<string, string[]>
    for (const [name, x] of Object.entries(v)) {
      if (x === null) { out[name] = []; continue }
      if (!Array.isArray(x)) throw wrongType(`${this.key(k)}.${name}`, x, '[]string')
      out[name] = x.map((s, i) => {
        if (s === null) return ''
        if (typeof s !== 'string') throw wrongType(`${this.key(k)}.${name}[${i}]`, s, 'string')
        return s
      })
    }
    return out
  }

  /**
   * The object for a package's own JSON reader, every key first read by its Go type here (so a
   * wrong type is reported as in every section, `null` items read as Go reads them): the keys
   * present, under their canonical spelling, with the values this reader converted.
   */
  typed (types: Partial<Record<'string' | 'int' | 'uint' | 'bool' | 'strings' | 'stringList' | 'stringMap' | 'stringListMap', readonly string[]>>): Record<string, unknown> {
    const out = this.normalized()
    for (const [type, keys] of Object.entries(types) as Array<[keyof typeof types, readonly string[]]>) {
      for (const k of keys) {
        const v = this[type](k)
        if (v !== undefined) out[k] = v
      }
    }
    return out
  }

  /** A nested object, read with its own known keys; undefined when absent or null. */
  object (k: string, known: readonly string[]): JsonReader | undefined {
    const v = this.raw(k)
    if (v === undefined) return undefined
    const warnPath = this.warnPath === '' ? k : `${this.warnPath}.${k}`
    return new JsonReader(this.key(k), v, known, this.warnings, warnPath)
  }
}

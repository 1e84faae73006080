/**
 * Environment overrides (config.md §6), the way Go's kelseyhightower/envconfig applies them:
 * the component's current values are turned into their JSON form, every `<PREFIX>_<FIELD>`
 * variable that is set (even to '') overwrites its field, and the result is applied again with
 * the JSON rules and validated.
 */
import { ConfigEnvError } from './errors.ts'

/** Environment variables (a subset of `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>

/** How a variable's text becomes a JSON value. */
export type EnvKind = 'string' | 'int' | 'uint' | 'float' | 'bool' | 'list' | 'map' | 'listmap'

export interface EnvField {
  /** Upper-case field part of the name, without the prefix (`HIGHWATER`, `CONNECTIONMANAGER_HIGHWATER`). */
  name: string
  /** JSON key, dotted for nested objects (`connection_manager.high_water`). */
  path: string
  kind: EnvKind
}

const GO_TYPES: Record<EnvKind, string> = {
  string: 'string',
  int: 'int',
  uint: 'uint64',
  float: 'float64',
  bool: 'bool',
  list: '[]string',
  map: 'map[string]string',
  listmap: 'map[string][]string'
}

function syntaxError (fn: string, value: string): string {
  return `strconv.${fn}: parsing ${JSON.stringify(value)}: invalid syntax`
}

/** strconv.ParseInt / ParseUint with base 0 (prefixes 0x, 0o, 0b, leading-0 octal, `_` separators). */
export function parseGoInteger (value: string, signed: boolean): number {
  const fn = signed ? 'ParseInt' : 'ParseUint'
  let s = value
  let neg = false
  if (signed && (s.startsWith('+') || s.startsWith('-'))) {
    neg = s[0] === '-'
    s = s.slice(1)
  }
  let base = 10
  let prefixed = false
  const lower = s.toLowerCase()
  if (lower.startsWith('0x')) { base = 16; s = s.slice(2); prefixed = true } else if (lower.startsWith('0b')) { base = 2; s = s.slice(2); prefixed = true } else if (lower.startsWith('0o')) { base = 8; s = s.slice(2); prefixed = true } else if (s.length > 1 && s[0] === '0') { base = 8; s = s.slice(1); prefixed = true }
  if (s.includes('_')) {
    const ok = prefixed ? /^_?[0-9a-z]+(?:_[0-9a-z]+)*$/i.test(s) : /^[0-9]+(?:_[0-9]+)*$/.test(s)
    if (!ok) throw new Error(syntaxError(fn, value))
    s = s.replaceAll('_', '')
  }
  const digits = '0123456789abcdef'.slice(0, base)
  if (s === '' || ![...s.toLowerCase()].every((c) => digits.includes(c))) throw new Error(syntaxError(fn, value))
  let n = 0n
  for (const c of s.toLowerCase()) n = n * BigInt(base) + BigInt(digits.indexOf(c))
  if (neg) n = -n
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Error(`strconv.${fn}: parsing ${JSON.stringify(value)}: value out of range`)
  }
  return Number(n)
}

const FLOAT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i

/** strconv.ParseBool. */
export function parseGoBool (value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false
  throw new Error(syntaxError('ParseBool', value))
}

function mapPairs (value: string): Array<[string, string]> {
  if (value.trim() === '') return []
  return value.split(',').map((pair) => {
    const kv = pair.split(':')
    if (kv.length !== 2) throw new Error(`invalid map item: ${JSON.stringify(pair)}`)
    return [kv[0]!, kv[1]!]
  })
}

function convert (kind: EnvKind, value: string): unknown {
  switch (kind) {
    case 'string': return value
    case 'int': return parseGoInteger(value, true)
    case 'uint': return parseGoInteger(value, false)
    case 'float': {
      if (!FLOAT.test(value)) throw new Error(syntaxError('ParseFloat', value))
      const n = Number(value.toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity').replace(/^[+-]?nan$/, 'NaN'))
      return n
    }
    case 'bool': return parseGoBool(value)
    case 'list': return value.trim() === '' ? [] : value.split(',')
    case 'map': return Object.fromEntries(mapPairs(value))
    case 'listmap': return Object.fromEntries(mapPairs(value).map(([k, v]) => [k, [v]]))
  }
}

/** A deep copy of a JSON-like value into plain objects and arrays. */
function cloneJson (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = cloneJson(v)
    return out
  }
  return value
}

/**
 * A package's environment fields (`[suffix, JSON path, kind]`, as @cluster/* config models export
 * them) for the loader's one envconfig step, so its variables get envconfig's conversions and texts.
 */
export function envFieldsOf (fields: ReadonlyArray<readonly [string, string, EnvKind]>): EnvField[] {
  return fields.map(([name, path, kind]) => ({ name, path, kind }))
}

/** Go's initialisms in the field names of the config structs (`ipfs_request_timeout` → `IPFSRequestTimeout`). */
const GO_WORDS: Record<string, string> = { cors: 'CORS', http: 'HTTP', https: 'HTTPS', ttl: 'TTL', id: 'ID', ipfs: 'IPFS', mdns: 'MDNS', ssl: 'SSL', repogc: 'RepoGC' }

/** The Go struct field behind a JSON key, as envconfig names it in its errors: the last part, in Go's spelling. */
export function goFieldName (path: string): string {
  const leaf = path.slice(path.lastIndexOf('.') + 1)
  return leaf.split('_').map(w => GO_WORDS[w] ?? w.charAt(0).toUpperCase() + w.slice(1)).join('')
}

/**
 * Overwrites the fields of `json` (a component's JSON form) with the variables
 * `<prefix>_<field.name>` that are set in `env`. Returns the new JSON object, or undefined when
 * no variable of this component is set. Conversion failures throw ConfigEnvError with
 * envconfig's message.
 */
export function overlayEnv (prefix: string, fields: readonly EnvField[], json: object, env: Env): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined
  for (const field of fields) {
    const variable = `${prefix}_${field.name}`
    const value = env[variable]
    if (value === undefined) continue
    let converted: unknown
    try {
      converted = convert(field.kind, value)
    } catch (err) {
      throw new ConfigEnvError(variable,
        `envconfig.Process: assigning ${variable} to ${goFieldName(field.path)}: converting '${value}' to type ${GO_TYPES[field.kind]}. details: ${(err as Error).message}`,
        { cause: err })
    }
    out ??= cloneJson(json) as Record<string, unknown>
    const parts = field.path.split('.')
    let target = out
    for (const part of parts.slice(0, -1)) {
      const next = target[part]
      if (typeof next !== 'object' || next === null || Array.isArray(next)) target[part] = {}
      target = target[part] as Record<string, unknown>
    }
    target[parts[parts.length - 1]!] = converted
  }
  return out
}

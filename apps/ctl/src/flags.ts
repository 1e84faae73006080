/**
 * Command-line flags with the semantics of Go's `flag` package as urfave/cli v1.22 drives it:
 * `-name` ≡ `--name`, `--name=value` or `--name value`, booleans take no separate value,
 * parsing stops at the first non-flag argument or after `--`. Errors carry Go's messages
 * (`flag provided but not defined: -foo`, `flag needs an argument: -r`...).
 *
 * (yargs-parser cannot be made to behave like this: it turns a missing value into `""`,
 * a bad boolean into `false`, and keeps going after a positional argument.)
 */
import { parseDuration } from '@cluster/api'
import { FlagParseError } from './errors.ts'

export type FlagKind = 'string' | 'bool' | 'int' | 'duration' | 'stringSlice'

export interface FlagDef {
  /** Canonical name first, then aliases (`['host', 'l']`). */
  names: readonly string[]
  kind: FlagKind
  usage: string
  /** Default value as Go shows it in help (strings unquoted); omitted = none shown. */
  defaultText?: string
  /** Environment variable that provides the default (`CLUSTER_CREDENTIALS`). */
  envVar?: string
  /** Accepted but left out of help (extensions: the help screens stay Go's). */
  hidden?: boolean
}

/** Parsed values by canonical flag name. */
export interface FlagValues {
  strings: Map<string, string>
  bools: Map<string, boolean>
  ints: Map<string, number>
  /** Nanoseconds. */
  durations: Map<string, bigint>
  slices: Map<string, string[]>
  /** Canonical names of the flags given on the command line. */
  set: Set<string>
  /** `-h`/`--help` given (and true). */
  help: boolean
}

export interface ParseResult {
  values: FlagValues
  args: string[]
}

/** `help, h`: every level knows it, whether or not it shows it. */
const HELP_NAMES = new Set(['help', 'h'])

/** Go's strconv.ParseBool. */
export function parseGoBool (s: string): boolean | undefined {
  switch (s) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True': return true
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False': return false
    default: return undefined
  }
}

/** Go's strconv.ParseInt(s, 0, 64) (sign, `0x`/`0o`/`0b`/leading-0 octal, `_` separators). */
export function parseGoInt (s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s)
  if (m === null) return undefined
  let body = m[2]!
  if (body.includes('_')) {
    if (!/^0[xXoObB]?(_?[0-9a-fA-F])+$|^[1-9](_?[0-9])*$/.test(body)) return undefined
    body = body.replaceAll('_', '')
  }
  let n: bigint
  if (/^0[0-7]+$/.test(body)) n = BigInt('0o' + body.slice(1))
  else n = BigInt(body)
  if (m[1] === '-') n = -n
  if (n < -(1n << 63n) || n > (1n << 63n) - 1n) return undefined
  return Number(n)
}

function emptyValues (): FlagValues {
  return { strings: new Map(), bools: new Map(), ints: new Map(), durations: new Map(), slices: new Map(), set: new Set(), help: false }
}

function findFlag (flags: readonly FlagDef[], name: string): FlagDef | undefined {
  return flags.find((f) => f.names.includes(name))
}

/** The name of a flag-looking argument (`--a=b` → `a`), or undefined if it is not one. */
function flagName (arg: string): string | undefined {
  if (arg === '-' || arg === '--' || !arg.startsWith('-')) return undefined
  let s = arg.startsWith('--') ? arg.slice(2) : arg.slice(1)
  const eq = s.indexOf('=')
  if (eq >= 0) s = s.slice(0, eq)
  return s
}

/**
 * urfave/cli's reorderArgs: flags the command knows (and the value after each) move in front
 * of the other arguments, so command flags may follow positional arguments.
 */
export function reorderArgs (flags: readonly FlagDef[], args: readonly string[]): string[] {
  const isOurs = (arg: string): boolean => {
    const name = flagName(arg)
    return name !== undefined && findFlag(flags, name) !== undefined
  }
  const reordered: string[] = []
  const remaining: string[] = []
  let mayBeValue = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (mayBeValue && !isOurs(arg)) {
      mayBeValue = false
      reordered.push(arg)
    } else if (arg === '--') {
      remaining.push(...args.slice(i))
      break
    } else if (isOurs(arg)) {
      reordered.push(arg)
      mayBeValue = !arg.includes('=')
    } else {
      remaining.push(arg)
    }
  }
  return [...reordered, ...remaining]
}

function setValue (def: FlagDef, typed: string, raw: string, values: FlagValues): void {
  const name = def.names[0]!
  switch (def.kind) {
    case 'string': values.strings.set(name, raw); break
    case 'stringSlice': values.slices.set(name, [...(values.slices.get(name) ?? []), raw]); break
    case 'int': {
      const n = parseGoInt(raw)
      if (n === undefined) throw new FlagParseError(`invalid value ${goQuote(raw)} for flag -${typed}: parse error`)
      values.ints.set(name, n)
      break
    }
    case 'duration': {
      let d: bigint
      try {
        d = parseDuration(raw)
      } catch {
        throw new FlagParseError(`invalid value ${goQuote(raw)} for flag -${typed}: parse error`)
      }
      values.durations.set(name, d)
      break
    }
    case 'bool': break
  }
  values.set.add(name)
}

/** Go's %q for the values we quote (ASCII printable kept, the rest escaped). */
export function goQuote (s: string): string {
  return JSON.stringify(s)
}

/**
 * Parses flags like Go's FlagSet.Parse: returns the values and the arguments left after the
 * first non-flag argument (or after `--`). Throws FlagParseError with Go's message.
 */
export function parseFlags (flags: readonly FlagDef[], args: readonly string[]): ParseResult {
  const values = emptyValues()
  let i = 0
  while (i < args.length) {
    const s = args[i]!
    if (s.length < 2 || s[0] !== '-') break
    let minuses = 1
    if (s[1] === '-') {
      minuses = 2
      if (s.length === 2) { i++; break }
    }
    let name = s.slice(minuses)
    if (name.length === 0 || name[0] === '-' || name[0] === '=') throw new FlagParseError(`bad flag syntax: ${s}`)
    i++
    let value: string | undefined
    const eq = name.indexOf('=')
    if (eq >= 0) {
      value = name.slice(eq + 1)
      name = name.slice(0, eq)
    }
    const def = findFlag(flags, name)
    if (def === undefined) {
      if (HELP_NAMES.has(name)) {
        const b = value === undefined ? true : parseGoBool(value)
        if (b === undefined) throw new FlagParseError(`invalid boolean value ${goQuote(value!)} for -${name}: parse error`)
        values.help = b
        continue
      }
      throw new FlagParseError(`flag provided but not defined: -${name}`)
    }
    if (def.kind === 'bool') {
      const b = value === undefined ? true : parseGoBool(value)
      if (b === undefined) throw new FlagParseError(`invalid boolean value ${goQuote(value!)} for -${name}: parse error`)
      values.bools.set(def.names[0]!, b)
      values.set.add(def.names[0]!)
      continue
    }
    if (value === undefined) {
      if (i >= args.length) throw new FlagParseError(`flag needs an argument: -${name}`)
      value = args[i]!
      i++
    }
    setValue(def, name, value, values)
  }
  return { values, args: args.slice(i) }
}

/** Reads a flag value with its default (env var first, as urfave does). */
export class Flags {
  readonly #defs: readonly FlagDef[]
  readonly #v: FlagValues
  readonly #env: Record<string, string | undefined>

  constructor (defs: readonly FlagDef[], values: FlagValues, env: Record<string, string | undefined>) {
    this.#defs = defs
    this.#v = values
    this.#env = env
  }

  #def (name: string): FlagDef | undefined {
    return this.#defs.find((d) => d.names[0] === name)
  }

  #envDefault (name: string): string | undefined {
    const def = this.#def(name)
    if (def?.envVar === undefined) return undefined
    const v = this.#env[def.envVar]
    return v === undefined || v === '' ? undefined : v
  }

  isSet (name: string): boolean {
    return this.#v.set.has(name)
  }

  string (name: string): string {
    return this.#v.strings.get(name) ?? this.#envDefault(name) ?? this.#def(name)?.defaultText ?? ''
  }

  bool (name: string): boolean {
    return this.#v.bools.get(name) ?? false
  }

  int (name: string): number {
    const v = this.#v.ints.get(name)
    if (v !== undefined) return v
    return Number(this.#def(name)?.defaultText ?? '0')
  }

  duration (name: string): bigint {
    return this.#v.durations.get(name) ?? 0n
  }

  slice (name: string): string[] {
    return this.#v.slices.get(name) ?? []
  }
}

/** The Go `flag` semantics and urfave's argument reordering. */
import { describe, expect, it } from 'vitest'
import { parseFlags, parseGoInt, reorderArgs } from '../src/flags.ts'
import type { FlagDef } from '../src/flags.ts'

const defs: FlagDef[] = [
  { names: ['name', 'n'], kind: 'string', usage: '' },
  { names: ['wait', 'w'], kind: 'bool', usage: '' },
  { names: ['replication', 'r'], kind: 'int', usage: '' },
  { names: ['wait-timeout', 'wt'], kind: 'duration', usage: '' },
  { names: ['metadata'], kind: 'stringSlice', usage: '' }
]

describe('parseFlags', () => {
  it('reads one- and two-dash flags, = values, repeated slices, and stops at arguments', () => {
    const r = parseFlags(defs, ['-n', 'x', '--w', '--r=3', '-wt', '1m30s', '--metadata', 'a=1', '-metadata=b=2', 'Q', '--name', 'y'])
    expect(r.values.strings.get('name')).toBe('x')
    expect(r.values.bools.get('wait')).toBe(true)
    expect(r.values.ints.get('replication')).toBe(3)
    expect(r.values.durations.get('wait-timeout')).toBe(90_000_000_000n)
    expect(r.values.slices.get('metadata')).toEqual(['a=1', 'b=2'])
    expect(r.args).toEqual(['Q', '--name', 'y'])
    expect(parseFlags(defs, ['--', '-x']).args).toEqual(['-x'])
    expect(parseFlags(defs, ['--wait=false']).values.bools.get('wait')).toBe(false)
    expect(parseFlags(defs, ['-h']).values.help).toBe(true)
  })

  it('fails with Go messages', () => {
    expect(() => parseFlags(defs, ['--foo'])).toThrow('flag provided but not defined: -foo')
    expect(() => parseFlags(defs, ['-n'])).toThrow('flag needs an argument: -n')
    expect(() => parseFlags(defs, ['-r', 'x'])).toThrow('invalid value "x" for flag -r: parse error')
    expect(() => parseFlags(defs, ['--wt', '5'])).toThrow('invalid value "5" for flag -wt: parse error')
    expect(() => parseFlags(defs, ['--wait=maybe'])).toThrow('invalid boolean value "maybe" for -wait: parse error')
    expect(() => parseFlags(defs, ['---x'])).toThrow('bad flag syntax: ---x')
  })

  it('reorders known flags (and their values) in front of arguments', () => {
    expect(reorderArgs(defs, ['Q', '--name', 'x', '--bogus', '-w'])).toEqual(['--name', 'x', '-w', 'Q', '--bogus'])
    expect(reorderArgs(defs, ['Q', '--', '--name', 'x'])).toEqual(['Q', '--', '--name', 'x'])
  })

  it('parses integers like strconv.ParseInt(s, 0, 64)', () => {
    expect(['10', '-1', '+2', '0x10', '010', '0b11', '1_000'].map(parseGoInt)).toEqual([10, -1, 2, 16, 8, 3, 1000])
    expect(['', 'x', '1.5', '9223372036854775808'].map(parseGoInt)).toEqual([undefined, undefined, undefined, undefined])
  })
})

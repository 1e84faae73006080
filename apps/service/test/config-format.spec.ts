import { describe, expect, it } from 'vitest'
import { goMap } from '@cluster/api'
import { SecretError, decodeSecret, formatGoJson, indentJson, secretBytes } from '../src/config/index.ts'

describe('Go JSON writing', () => {
  it('indents like json.MarshalIndent: empty containers stay compact, ": " separators', () => {
    expect(formatGoJson({ a: [], b: {}, c: [1, { d: 'x' }], e: null })).toBe(
      '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    {\n      "d": "x"\n    }\n  ],\n  "e": null\n}')
    expect(formatGoJson({ id: 'x' }, '    ')).toBe('{\n    "id": "x"\n}')
  })

  it('escapes like Go and keeps strings with brackets and commas intact', () => {
    expect(formatGoJson({ s: 'a<b>&{c},[d]:"e"' })).toBe('{\n  "s": "a\\u003cb\\u003e\\u0026{c},[d]:\\"e\\""\n}')
    expect(indentJson('{"k":"\\\\"}', '  ')).toBe('{\n  "k": "\\\\"\n}')
  })

  it('sorts Go map keys and keeps struct order', () => {
    expect(formatGoJson({ z: 1, m: goMap([['b', 1], ['a', 2]]) })).toBe('{\n  "z": 1,\n  "m": {\n    "a": 2,\n    "b": 1\n  }\n}')
  })
})

describe('cluster secret (config.md §4.1)', () => {
  it('accepts 64 hex characters in either case and the empty secret', () => {
    expect(decodeSecret('AB'.repeat(32))).toBe('ab'.repeat(32))
    expect(decodeSecret('')).toBe('')
    expect(secretBytes('01'.repeat(32))).toEqual(new Uint8Array(32).fill(1))
    expect(secretBytes('')).toBeUndefined()
  })

  it('rejects other lengths and non-hex text with Go\'s messages', () => {
    expect(() => decodeSecret('ab'.repeat(16))).toThrow(SecretError)
    expect(() => decodeSecret('ab'.repeat(16))).toThrow('input secret is 16 bytes, cluster secret should be 32')
    expect(() => decodeSecret('abc')).toThrow('encoding/hex: odd length hex string')
    expect(() => decodeSecret('xy')).toThrow("encoding/hex: invalid byte: U+0078 'x'")
  })
})

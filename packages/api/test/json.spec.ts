import { describe, expect, it } from 'vitest'
import {
  decodeMetric, DecodeError, encodeMetric, EncodeError, goMap, parseJson, quoteJsonString, rawInteger,
  stringifyJson
} from '../src/index.ts'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'

describe('parseJson', () => {
  it('keeps integers beyond 2^53 exact as bigint', () => {
    const v = parseJson('{"expire":1740829126081622217,"small":42,"neg":-9223372036854775808,"f":1.5,"e":1e21}') as Record<string, unknown>
    expect(v.expire).toBe(1740829126081622217n)
    expect(v.small).toBe(42)
    expect(v.neg).toBe(-9223372036854775808n)
    expect(v.f).toBe(1.5)
    expect(v.e).toBe(1e21)
  })

  it('keeps 2^53 + 1 exact inside arrays too', () => {
    expect(parseJson('[9007199254740993, 9007199254740991]')).toEqual([9007199254740993n, 9007199254740991])
  })

  it('turns invalid JSON into a DecodeError', () => {
    expect(() => parseJson('{"a":')).toThrow(DecodeError)
    expect(() => parseJson('{"a":1}{"b":2}')).toThrow(DecodeError)
  })
})

describe('stringifyJson', () => {
  it('writes big nanosecond epochs as exact integer literals', () => {
    const text = `{"name":"freespace","peer":"${P1}","value":"1","expire":1740829126081622217,"valid":true,"weight":1,"partitionable":false,"received_at":1740829096081622217}`
    const m = decodeMetric(parseJson(text))
    expect(m.expire).toBe(1740829126081622217n)
    expect(stringifyJson(encodeMetric(m))).toBe(text)
    // JSON.rawJSON keeps plain JSON.stringify exact as well.
    expect(JSON.stringify(encodeMetric(m))).toBe(text)
    expect(stringifyJson({ a: 1n, b: rawInteger(-5n) })).toBe('{"a":1,"b":-5}')
  })

  it('escapes like Go: <, >, &, U+2028, U+2029 and control characters', () => {
    expect(quoteJsonString('a<b>&c')).toBe('"a\\u003cb\\u003e\\u0026c"')
    expect(quoteJsonString('\u2028\u2029')).toBe('"\\u2028\\u2029"')
    expect(quoteJsonString('\b\f\n\r\t\u0001\u001f')).toBe('"\\b\\f\\n\\r\\t\\u0001\\u001f"')
    expect(quoteJsonString('"\\/\u007f')).toBe('"\\"\\\\/\u007f"')
    expect(quoteJsonString('é😀')).toBe('"é😀"')
    expect(quoteJsonString('plain')).toBe('"plain"')
    // Object keys too, the first time and when written again (keys are kept quoted).
    for (let i = 0; i < 2; i++) expect(stringifyJson(goMap([['a<b', 1], ['q"\u2028', 2]]))).toBe('{"a\\u003cb":1,"q\\"\\u2028":2}')
  })

  it('replaces lone surrogates with U+FFFD (Go never emits invalid UTF-8)', () => {
    expect(quoteJsonString('a\ud800b\udc00')).toBe('"a\ufffdb\ufffd"')
  })

  it('keeps struct keys in insertion order, skips undefined, sorts Go maps by UTF-8 bytes', () => {
    expect(stringifyJson({ z: 1, a: undefined, m: 2 })).toBe('{"z":1,"m":2}')
    const m = goMap([['b', 1], ['10', 2], ['9', 3], ['😀', 4], ['\uffff', 5], ['', 6], ['__proto__', 7], ['A', 8]])
    expect(stringifyJson(m)).toBe('{"":6,"10":2,"9":3,"A":8,"__proto__":7,"b":1,"\uffff":5,"😀":4}')
  })

  it('formats numbers like Go', () => {
    expect(stringifyJson([0, -0, 1.5, 1e21, 1e-7, 0.000001, 1.5e300, 123456789012345680000, -1])).toBe(
      '[0,-0,1.5,1e+21,1e-7,0.000001,1.5e+300,123456789012345680000,-1]')
  })

  it('refuses values Go cannot encode', () => {
    expect(() => stringifyJson(Number.NaN)).toThrow(EncodeError)
    expect(() => stringifyJson([Number.POSITIVE_INFINITY])).toThrow(EncodeError)
    expect(() => stringifyJson({ f: (() => 1) as unknown as number })).toThrow(EncodeError)
  })

  it('uses toJSON when present and writes null for undefined array items', () => {
    expect(stringifyJson({ t: { toJSON: () => 'x' } as unknown as string, a: [undefined as unknown as null] })).toBe('{"t":"x","a":[null]}')
  })
})

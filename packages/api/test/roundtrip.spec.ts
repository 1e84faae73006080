import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { codecs, decodePinInfo, encodeGlobalPinInfo, parseJson, pinInfoToGlobal, stringifyJson } from '../src/index.ts'
import type { CodecName } from '../src/index.ts'

interface Case { type: string, in: string, out?: string, err?: string }

const cases = JSON.parse(readFileSync(new URL('./fixtures/go-roundtrip.json', import.meta.url), 'utf8')) as Case[]

describe('JSON round trip against Go v1.1.6 (json.Unmarshal + json.Marshal)', () => {
  it('has fixtures for every wire type', () => {
    const types = new Set(cases.map((c) => c.type))
    for (const name of Object.keys(codecs)) {
      if (name === 'pinOptions') continue
      expect(types.has(name), name).toBe(true)
    }
  })

  it.each(cases.map((c, i) => ({ ...c, i })))('$i: $type', (c) => {
    expect(c.out).toBeDefined()
    if (c.type === 'pinInfoToGlobal') {
      const info = decodePinInfo(parseJson(c.in))
      expect(stringifyJson(encodeGlobalPinInfo(pinInfoToGlobal(info)))).toBe(c.out)
      return
    }
    const codec = codecs[c.type as CodecName]
    const decoded = (codec.decode as (v: unknown) => unknown)(parseJson(c.in))
    const text = stringifyJson((codec.encode as (v: unknown) => never)(decoded))
    expect(text).toBe(c.out)
    // Go's output is a fixed point: decoding and encoding it again gives the same bytes.
    const again = (codec.decode as (v: unknown) => unknown)(parseJson(text))
    expect(stringifyJson((codec.encode as (v: unknown) => never)(again))).toBe(text)
    expect(again).toEqual(decoded)
  })

  it('spec examples that are already canonical come back byte-identical', () => {
    const canonical = cases.filter((c) => c.in === c.out)
    expect(canonical.length).toBeGreaterThanOrEqual(15)
    for (const c of canonical) {
      if (c.type === 'pinInfoToGlobal') continue
      const codec = codecs[c.type as CodecName]
      expect(stringifyJson((codec.encode as (v: unknown) => never)((codec.decode as (v: unknown) => unknown)(parseJson(c.in))))).toBe(c.in)
    }
  })
})

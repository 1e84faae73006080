import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  decodePinOptions, decodePinOptionsQuery, encodePinOptions, encodePinOptionsQuery, formatDuration,
  goQueryEscape, InvalidCidError, InvalidDurationError, InvalidFilterError, InvalidPeerIdError,
  InvalidTimestampError, parseCid, parseDuration, parseJson, parsePeerId, parsePinTypeFilter,
  parseTrackerStatusFilter, PinOptionsError, stringifyJson, Timestamp
} from '../src/index.ts'

interface Vectors {
  durations: Array<{ in: string, ns?: string, str?: string, err?: string }>
  durationFormats: Array<{ ns: string, str: string }>
  timestamps: Array<{ in: string, err?: string, unixSec?: string, nsec?: number, offsetSeconds?: number, str?: string, json?: string, jsonErr?: string, zero?: boolean }>
  queryEscape: Array<{ in: string, out: string }>
  fromQuery: Array<{ in: string, json?: string, err?: string }>
  toQuery: Array<{ in: string, query: string }>
  statusFilters: Array<{ in: string, bits: number, invalid: boolean }>
  pinTypeFilters: Array<{ in: string, bits: number, invalid: boolean }>
  peerIds: Array<{ in: string, id?: string, err?: string }>
  cids: Array<{ in: string, cid?: string, err?: string }>
}

const vectors = JSON.parse(readFileSync(new URL('./fixtures/go-vectors.json', import.meta.url), 'utf8')) as Vectors

describe('Go durations', () => {
  it.each(vectors.durations)('parseDuration($in)', (v) => {
    if (v.err !== undefined) {
      expect(() => parseDuration(v.in)).toThrow(InvalidDurationError)
      expect(() => parseDuration(v.in)).toThrow(v.err)
    } else {
      const d = parseDuration(v.in)
      expect(d).toBe(BigInt(v.ns!))
      expect(formatDuration(d)).toBe(v.str)
    }
  })

  it.each(vectors.durationFormats)('formatDuration($ns)', (v) => {
    expect(formatDuration(BigInt(v.ns))).toBe(v.str)
  })
})

describe('Go timestamps (RFC 3339)', () => {
  it.each(vectors.timestamps)('Timestamp.parse($in)', (v) => {
    if (v.err !== undefined) {
      let caught: unknown
      try { Timestamp.parse(v.in) } catch (err) { caught = err }
      expect(caught).toBeInstanceOf(InvalidTimestampError)
      expect((caught as Error).message).toBe(v.err)
      return
    }
    const t = Timestamp.parse(v.in)
    expect(t.unixNanos).toBe(BigInt(v.unixSec!) * 1_000_000_000n + BigInt(v.nsec!))
    expect(t.unixSeconds()).toBe(BigInt(v.unixSec!))
    expect(t.offsetMinutes * 60).toBe(v.offsetSeconds)
    expect(t.toString()).toBe(v.str)
    expect(t.isZero()).toBe(v.zero)
    if (v.json !== undefined) expect(stringifyJson(t)).toBe(v.json)
    if (v.jsonErr !== undefined) expect(() => t.toJSON()).toThrow(v.jsonErr)
  })
})

describe('Go url.QueryEscape', () => {
  it.each(vectors.queryEscape)('goQueryEscape($in)', (v) => {
    expect(goQueryEscape(v.in)).toBe(v.out)
  })
})

describe('PinOptions.FromQuery', () => {
  const fixedNow = Timestamp.parse('2025-01-01T00:00:00Z')
  it.each(vectors.fromQuery)('decodePinOptionsQuery($in)', (v) => {
    const params = new URLSearchParams(v.in)
    if (v.err !== undefined) {
      let caught: unknown
      try { decodePinOptionsQuery(params, { now: () => fixedNow }) } catch (err) { caught = err }
      expect(caught).toBeInstanceOf(PinOptionsError)
      expect((caught as PinOptionsError).status).toBe(400)
      // Multiaddress parser details come from a different library than Go's; the prefix is exact.
      if (v.err.startsWith('error decoding multiaddress: ')) {
        expect((caught as Error).message.startsWith('error decoding multiaddress: ')).toBe(true)
      } else {
        expect((caught as Error).message).toBe(v.err)
      }
      return
    }
    const po = decodePinOptionsQuery(params, { now: () => fixedNow })
    if (v.in.includes('expire-in')) po.expireAt = Timestamp.ZERO
    const expected = decodePinOptions(parseJson(v.json!))
    if (v.in.includes('18446744073709551615')) {
      // Documented: uint64 beyond 2^53 is kept as the nearest JS number.
      expect(po.shardSize).toBe(Number(18446744073709551615n))
      return
    }
    expect(stringifyJson(encodePinOptions(po))).toBe(v.json)
    expect(po).toEqual(expected)
  })
})

describe('PinOptions.ToQuery', () => {
  it.each(vectors.toQuery)('encodePinOptionsQuery($in)', (v) => {
    const raw = parseJson(v.in) as Record<string, unknown>
    // Fill in the fields Go's zero value has, so our strict decoder accepts the object.
    const full = {
      replication_factor_min: 0,
      replication_factor_max: 0,
      name: '',
      mode: 'recursive',
      shard_size: 0,
      user_allocations: null,
      expire_at: '0001-01-01T00:00:00Z',
      metadata: null,
      pin_update: null,
      origins: null,
      ...raw
    }
    expect(encodePinOptionsQuery(decodePinOptions(full))).toBe(v.query)
  })
})

describe('filters', () => {
  it.each(vectors.statusFilters)('status filter "$in"', (v) => {
    if (v.invalid) {
      expect(() => parseTrackerStatusFilter(v.in)).toThrow(InvalidFilterError)
      expect(() => parseTrackerStatusFilter(v.in)).toThrow('invalid filter value')
    } else {
      expect(parseTrackerStatusFilter(v.in)).toBe(v.bits)
    }
  })

  it.each(vectors.pinTypeFilters)('pin type filter "$in"', (v) => {
    if (v.invalid) {
      expect(() => parsePinTypeFilter(v.in)).toThrow(InvalidFilterError)
    } else {
      expect(parsePinTypeFilter(v.in)).toBe(v.bits)
    }
  })
})

describe('peer IDs (peer.Decode)', () => {
  it.each(vectors.peerIds)('parsePeerId($in)', (v) => {
    if (v.err !== undefined) {
      let caught: unknown
      try { parsePeerId(v.in) } catch (err) { caught = err }
      expect(caught).toBeInstanceOf(InvalidPeerIdError)
      expect((caught as Error).message).toBe(v.err)
    } else {
      expect(parsePeerId(v.in)).toBe(v.id)
    }
  })
})

describe('CIDs (cid.Decode)', () => {
  it.each(vectors.cids)('parseCid($in)', (v) => {
    if (v.err !== undefined) {
      let caught: unknown
      try { parseCid(v.in) } catch (err) { caught = err }
      expect(caught).toBeInstanceOf(InvalidCidError)
      expect((caught as Error).message).toBe(v.err)
    } else {
      expect(parseCid(v.in).toString()).toBe(v.cid)
    }
  })
})

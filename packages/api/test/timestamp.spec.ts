import { describe, expect, it } from 'vitest'
import { EncodeError, InvalidTimestampError, SECOND, Timestamp } from '../src/index.ts'

describe('Timestamp', () => {
  it('zero time is Go\'s year-1 instant and prints as such', () => {
    expect(Timestamp.ZERO.toString()).toBe('0001-01-01T00:00:00Z')
    expect(Timestamp.ZERO.unixSeconds()).toBe(-62135596800n)
    expect(Timestamp.ZERO.isZero()).toBe(true)
    expect(Timestamp.ZERO.civil()).toEqual({ year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanosecond: 0 })
    expect(Timestamp.parse('0001-01-01T00:00:00Z')).toEqual(Timestamp.ZERO)
    // The zero instant seen in another offset is still zero (Go's IsZero).
    expect(Timestamp.ZERO.withOffset(60).isZero()).toBe(true)
    expect(Timestamp.ZERO.withOffset(60).toString()).toBe('0001-01-01T01:00:00+01:00')
  })

  it('parses 0 to 9 fraction digits and prints trailing zeros dropped', () => {
    const base = '2025-03-01T12:34:56'
    const expected = ['', '.1', '.12', '.123', '.1234', '.12345', '.123456', '.1234567', '.12345678', '.123456789']
    for (let n = 0; n <= 9; n++) {
      const frac = n === 0 ? '' : '.' + '123456789'.slice(0, n)
      const t = Timestamp.parse(`${base}${frac}Z`)
      expect(t.toString()).toBe(`${base}${expected[n]}Z`)
      expect(t.civil().nanosecond).toBe(n === 0 ? 0 : Number('123456789'.slice(0, n).padEnd(9, '0')))
    }
    expect(Timestamp.parse(`${base}.500000000Z`).toString()).toBe(`${base}.5Z`)
    expect(Timestamp.parse(`${base}.000000000Z`).toString()).toBe(`${base}Z`)
  })

  it('keeps the UTC offset and nanoseconds', () => {
    const t = Timestamp.parse('2025-03-01T12:35:10.081622217+01:00')
    expect(t.offsetMinutes).toBe(60)
    expect(t.unixNanos).toBe(1740828910081622217n)
    expect(t.toString()).toBe('2025-03-01T12:35:10.081622217+01:00')
    expect(t.withOffset(0).toString()).toBe('2025-03-01T11:35:10.081622217Z')
    expect(t.withOffset(-330).toString()).toBe('2025-03-01T06:05:10.081622217-05:30')
    expect(t.equals(t.withOffset(0))).toBe(true)
    expect(Timestamp.parse('2025-03-01T00:30:00-05:30').toString()).toBe('2025-03-01T00:30:00-05:30')
  })

  it('handles instants before 1970 and around day boundaries', () => {
    expect(Timestamp.fromUnixNanos(-1n).toString()).toBe('1969-12-31T23:59:59.999999999Z')
    expect(Timestamp.fromUnixNanos(0n, 60).toString()).toBe('1970-01-01T01:00:00+01:00')
    expect(Timestamp.parse('2024-02-29T23:59:59.999999999-01:00').withOffset(0).toString()).toBe('2024-03-01T00:59:59.999999999Z')
    expect(Timestamp.parse('1600-02-29T00:00:00Z').toString()).toBe('1600-02-29T00:00:00Z')
  })

  it('converts from and to Date', () => {
    const d = new Date('2025-03-01T11:34:56.789Z')
    const t = Timestamp.fromDate(d)
    expect(t.toString()).toBe('2025-03-01T11:34:56.789Z')
    expect(t.toDate().getTime()).toBe(d.getTime())
    expect(Timestamp.fromDate(d, 120).toString()).toBe('2025-03-01T13:34:56.789+02:00')
    expect(Timestamp.parse('2025-03-01T11:34:56.789999999Z').toDate().getTime()).toBe(d.getTime())
    expect(Timestamp.fromDate(d, 'local').equals(t)).toBe(true)
    expect(() => Timestamp.fromDate(new Date(Number.NaN))).toThrow(InvalidTimestampError)
  })

  it('reads an injected clock (ms number, ns bigint or Date)', () => {
    expect(Timestamp.now({ now: () => 1740828896000 }, 0).toString()).toBe('2025-03-01T11:34:56Z')
    expect(Timestamp.now({ now: () => 1740828896000000001n }, 0).toString()).toBe('2025-03-01T11:34:56.000000001Z')
    expect(Timestamp.now({ now: () => new Date(0) }, 60).toString()).toBe('1970-01-01T01:00:00+01:00')
  })

  it('now() is the wall clock with nanoseconds, in the local offset (Go\'s time.Now())', () => {
    const before = Date.now()
    const stamps = Array.from({ length: 50 }, () => Timestamp.now())
    const after = Date.now()
    for (const t of stamps) {
      expect(t.unixMillis()).toBeGreaterThanOrEqual(before - 1)
      expect(t.unixMillis()).toBeLessThanOrEqual(after + 1)
      expect(t.offsetMinutes).toBe(Timestamp.fromDate(new Date(), 'local').offsetMinutes)
    }
    // Below the millisecond, which Date cannot give.
    expect(stamps.some(t => t.unixNanos % 1_000_000n !== 0n)).toBe(true)
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]!.compare(stamps[i - 1]!)).toBeGreaterThanOrEqual(0)
  })

  it('adds durations, compares and truncates', () => {
    const t = Timestamp.parse('2025-03-01T12:00:00.75+01:00')
    const later = t.add(90n * SECOND)
    expect(later.toString()).toBe('2025-03-01T12:01:30.75+01:00')
    expect(later.since(t)).toBe(90n * SECOND)
    expect(t.compare(later)).toBe(-1)
    expect(later.compare(t)).toBe(1)
    expect(t.compare(t.withOffset(0))).toBe(0)
    expect(t.isBefore(later) && later.isAfter(t)).toBe(true)
    expect(t.truncateToSeconds().toString()).toBe('2025-03-01T12:00:00+01:00')
    expect(Timestamp.fromUnixNanos(-1n).truncateToSeconds().unixSeconds()).toBe(-1n)
  })

  it('refuses to write JSON Go could not write', () => {
    expect(() => Timestamp.fromCivil({ year: 10000 }).toJSON()).toThrow(EncodeError)
    expect(() => Timestamp.fromCivil({ year: -1 }).toJSON()).toThrow(EncodeError)
    expect(() => Timestamp.parse('2025-03-01T12:00:00+24:00').toJSON()).toThrow('timezone hour outside of range')
    expect(Timestamp.fromCivil({ year: 0 }).toJSON()).toBe('0000-01-01T00:00:00Z')
  })

  it('prints parsed text back as Go would, whether or not it was in Go\'s own form', () => {
    // Text in Go's RFC3339Nano form comes back as it was (and is kept, not formatted again).
    for (const text of ['2025-03-01T12:35:10.081622217+01:00', '0001-01-01T00:00:00Z', '2025-03-01T12:35:10.5Z', '1969-12-31T23:59:59.000000001-05:30', '0000-01-01T00:00:00Z']) {
      const t = Timestamp.parse(text)
      expect(t.toJSON()).toBe(text)
      expect(t.toString()).toBe(text)
      expect(t.equals(Timestamp.fromUnixNanos(t.unixNanos))).toBe(true)
    }
    // Other accepted forms are normalised as Go prints them.
    const cases: Array<[string, string]> = [
      ['2025-03-01T12:35:10+00:00', '2025-03-01T12:35:10Z'],
      ['2025-03-01T12:35:10-00:00', '2025-03-01T12:35:10Z'],
      ['2025-03-01T12:35:10.500Z', '2025-03-01T12:35:10.5Z'],
      ['2025-03-01T12:35:10.0Z', '2025-03-01T12:35:10Z'],
      ['2025-03-01T12:35:10.1234567891Z', '2025-03-01T12:35:10.123456789Z'],
      ['2025-03-01T12:35:10,25Z', '2025-03-01T12:35:10.25Z'],
      ['2025-03-01T2:35:10Z', '2025-03-01T02:35:10Z']
    ]
    for (const [text, printed] of cases) expect(Timestamp.parse(text).toJSON()).toBe(printed)
    // A kept text is still refused where Go refuses to write it.
    expect(() => Timestamp.parse('2025-03-01T12:00:00-24:00').toJSON()).toThrow('timezone hour outside of range')
  })

  it('rejects malformed text with Go messages', () => {
    expect(() => Timestamp.parse('2025-03-01T12:00:00')).toThrow(InvalidTimestampError)
    expect(() => Timestamp.parse('2025-02-30T00:00:00Z')).toThrow('parsing time "2025-02-30T00:00:00Z": day out of range')
    expect(() => Timestamp.parse('2025-03-01T12:00:00Z\u00e9')).toThrow('extra text: "\\xc3\\xa9"')
  })

  it('parses the same text twice in a row to the same value, and other texts to theirs (the last parse is kept)', () => {
    const a = '2025-03-01T12:00:00.123456789Z'
    const b = '2025-03-01T12:00:00.123456789+01:00'
    const first = Timestamp.parse(a)
    expect(Timestamp.parse(a)).toBe(first)
    const other = Timestamp.parse(b)
    expect(other.unixNanos).toBe(first.unixNanos - 3_600_000_000_000n)
    expect(other.toString()).toBe(b)
    expect(Timestamp.parse(a).unixNanos).toBe(first.unixNanos)
    expect(() => Timestamp.parse('2025-02-30T00:00:00Z')).toThrow(InvalidTimestampError)
    expect(() => Timestamp.parse('2025-02-30T00:00:00Z')).toThrow(InvalidTimestampError) // a failed parse is not kept
  })
  it('parses Go\'s zero time to Timestamp.ZERO, between other texts too, and other near-zero texts to their own values', () => {
    Timestamp.parse('2026-01-01T00:00:00Z')
    const zero = Timestamp.parse('0001-01-01T00:00:00Z')
    expect(zero).toBe(Timestamp.ZERO)
    expect(zero.isZero()).toBe(true)
    expect(zero.toString()).toBe('0001-01-01T00:00:00Z')
    expect(JSON.stringify(zero)).toBe('"0001-01-01T00:00:00Z"')
    const offset = Timestamp.parse('0001-01-01T01:00:00+01:00')
    expect(offset.unixNanos).toBe(Timestamp.ZERO.unixNanos)
    expect(offset.toString()).toBe('0001-01-01T01:00:00+01:00')
    expect(Timestamp.parse('0001-01-01T00:00:00.5Z').isZero()).toBe(false)
  })
})

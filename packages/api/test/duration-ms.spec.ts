import { describe, expect, it } from 'vitest'
import { formatDurationMs, parseDurationMs } from '../src/index.ts'

describe('Go durations in milliseconds ', () => {
  it('parses Go duration strings into milliseconds', () => {
    expect(parseDurationMs('5m0s')).toBe(300_000)
    expect(parseDurationMs('1.5h')).toBe(5_400_000)
    expect(parseDurationMs('200ms')).toBe(200)
    expect(parseDurationMs('1h2m3.5s')).toBe(3_723_500)
    expect(parseDurationMs('0')).toBe(0)
    expect(parseDurationMs('-2s')).toBe(-2000)
    expect(parseDurationMs('1500us')).toBe(1.5)
    expect(() => parseDurationMs('10')).toThrow('time: missing unit in duration "10"')
    expect(() => parseDurationMs('abc')).toThrow('time: invalid duration "abc"')
    expect(() => parseDurationMs('')).toThrow('invalid duration')
    expect(() => parseDurationMs('1d')).toThrow()
  })

  it('formats milliseconds the way Go prints durations', () => {
    expect(formatDurationMs(0)).toBe('0s')
    expect(formatDurationMs(200)).toBe('200ms')
    expect(formatDurationMs(1.5)).toBe('1.5ms')
    expect(formatDurationMs(15_000)).toBe('15s')
    expect(formatDurationMs(120_000)).toBe('2m0s')
    expect(formatDurationMs(3_600_000)).toBe('1h0m0s')
    expect(formatDurationMs(86_400_000)).toBe('24h0m0s')
    expect(formatDurationMs(90_500)).toBe('1m30.5s')
  })
})

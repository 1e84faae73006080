import { describe, expect, it } from 'vitest'
import { systemClock, unixNanosOf } from '../src/index.ts'

describe('the shared clock', () => {
  it('reads any ClockLike as Unix nanoseconds: bigint nanoseconds, millisecond numbers (with fractions), Dates', () => {
    expect(unixNanosOf({ now: () => 1_700_000_000_123_456_789n })).toBe(1_700_000_000_123_456_789n)
    expect(unixNanosOf({ now: () => 1_700_000_000_123 })).toBe(1_700_000_000_123_000_000n)
    expect(unixNanosOf({ now: () => 1.5 })).toBe(1_500_000n)
    expect(unixNanosOf({ now: () => new Date(1_000) })).toBe(1_000_000_000n)
  })

  it('the system clock tells the time and runs unref\'d timers that can be cleared', async () => {
    const before = Date.now()
    expect(systemClock.now()).toBeGreaterThanOrEqual(before)
    const ns = unixNanosOf()
    expect(ns / 1_000_000n).toBeGreaterThanOrEqual(BigInt(before))
    let fired = 0
    const cleared = systemClock.setTimeout(() => { fired += 10 }, 5)
    systemClock.clearTimeout(cleared)
    await new Promise<void>(resolve => { systemClock.setTimeout(() => { fired += 1; resolve() }, 10) })
    expect(fired).toBe(1)
  })
})

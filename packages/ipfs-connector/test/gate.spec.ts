import { describe, expect, it } from 'vitest'
import { silentLogger, type Logger } from '@cluster/api'
import { RequestGate } from '../src/index.ts'
import { ManualClock, settle } from './helpers/manual-clock.ts'

function recorder (): { logger: Logger, lines: string[] } {
  const lines: string[] = []
  // The gate only warns and informs; the test reads those lines.
  return { logger: (level, m) => { if (level === 'warn' || level === 'info') lines.push(m) }, lines }
}

describe('RequestGate (failed-request back-off)', () => {
  it('lets requests straight through while there are at most 10 consecutive failures', async () => {
    const clock = new ManualClock()
    const gate = new RequestGate(clock, silentLogger)
    for (let i = 0; i < 10; i++) gate.failed()
    let passed = 0
    for (let i = 0; i < 5; i++) await gate.acquire().then(() => { passed++ })
    expect(passed).toBe(5)
    expect(clock.pending).toBe(0)
  })

  it('above 10 failures lets one request per second through, and lifts the limit on an answer', async () => {
    const clock = new ManualClock()
    const { logger, lines } = recorder()
    const gate = new RequestGate(clock, logger)
    for (let i = 0; i < 11; i++) gate.failed()
    expect(lines).toEqual(['Rate-limiting requests to 1req/s'])
    const released: number[] = []
    const waits = [0, 1, 2].map(async (i) => { await gate.acquire(); released.push(i) })
    await settle()
    expect(released).toEqual([0])
    await clock.advance(999)
    expect(released).toEqual([0])
    await clock.advance(1)
    expect(released).toEqual([0, 1])
    gate.succeeded()
    await Promise.all(waits)
    expect(released).toEqual([0, 1, 2])
    expect(lines).toEqual(['Rate-limiting requests to 1req/s', 'Lifting up rate limit'])
    expect(gate.failureCount).toBe(0)
  })

  it('a waiting request still honours its own cancellation', async () => {
    const clock = new ManualClock()
    const gate = new RequestGate(clock, silentLogger)
    for (let i = 0; i < 11; i++) gate.failed()
    await gate.acquire()
    const ac = new AbortController()
    const p = gate.acquire(ac.signal).then(() => 'passed', (e: unknown) => e)
    ac.abort(new Error('deadline'))
    expect(await p).toEqual(new Error('deadline'))
    // The cancelled waiter does not consume the next tick.
    const next = gate.acquire().then(() => 'next')
    await clock.advance(1000)
    expect(await next).toBe('next')
  })
})

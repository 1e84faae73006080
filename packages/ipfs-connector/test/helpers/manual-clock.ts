import type { Clock, TimerHandle } from '@cluster/api'

interface Timer { at: number, fn: () => void, id: number, ms: number }

/** A clock that only moves when told to: `advance(ms)` fires due timers in order. */
export class ManualClock implements Clock {
  private current: number
  private timers: Timer[] = []
  private nextId = 1

  constructor (start = 1_700_000_000_000) {
    this.current = start
  }

  now = (): number => this.current

  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const t = { at: this.current + Math.max(0, ms), fn, id: this.nextId++, ms }
    this.timers.push(t)
    return t.id
  }

  clearTimeout = (handle: TimerHandle): void => {
    this.timers = this.timers.filter(t => t.id !== handle)
  }

  /** Number of pending timers. */
  get pending (): number {
    return this.timers.length
  }

  /** Is a timer of exactly this delay pending (e.g. a pin's stall window)? */
  hasTimer (ms: number): boolean {
    return this.timers.some(t => t.ms === ms)
  }

  /** Move time forward, firing timers as they come due (and letting I/O callbacks run). */
  async advance (ms: number): Promise<void> {
    const target = this.current + ms
    while (true) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id)
      const next = this.timers[0]
      if (next === undefined || next.at > target) break
      this.timers.shift()
      this.current = next.at
      next.fn()
      await settle()
    }
    this.current = target
    await settle()
  }
}

/** Let pending promise callbacks and I/O events run. */
export async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>(resolve => setImmediate(resolve))
}

/** Poll a condition (bounded), for events driven by real I/O. */
export async function until (cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise<void>(resolve => setTimeout(resolve, 5))
  }
}

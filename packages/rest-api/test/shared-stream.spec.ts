/**
 * Shared streamed passes: requests joining together share one pass, each gets every chunk as it
 * is produced, the pass goes at its slowest reader's pace (one chunk held), a reader leaving does
 * not hold the others, and the producer is stopped once every reader has left.
 */
import { describe, expect, it } from 'vitest'
import { SharedStreams } from '../src/shared-stream.ts'

async function all (it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const c of it) out.push(c)
  return out
}

function counting (n: number, state: { produced: number, stopped: boolean, runs: number }, failAt = Infinity): (signal: AbortSignal) => AsyncIterable<string> {
  return async function * (signal) {
    state.runs++
    try {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new Error('producer failed')
        if (signal.aborted) return
        await new Promise(resolve => setImmediate(resolve))
        state.produced++
        yield `c${i}`
      }
    } finally {
      state.stopped = true
    }
  }
}

describe('SharedStreams', () => {
  it('readers joining together share one pass and each gets every chunk; a later one gets the next pass', async () => {
    const passes = new SharedStreams(10)
    const state = { produced: 0, stopped: false, runs: 0 }
    const never = new AbortController().signal
    const a = passes.join('k', never, counting(50, state))!
    const b = passes.join('k', never, counting(50, state))!
    const [ra, rb] = await Promise.all([all(a), all(b)])
    expect(ra).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`))
    expect(rb).toEqual(ra)
    expect(state.runs).toBe(1)
    expect(await all(passes.join('k', never, counting(3, state))!)).toEqual(['c0', 'c1', 'c2'])
    expect(state.runs).toBe(2)
    expect(passes.waiting).toBe(0)
  })

  it('goes at the slowest reader\'s pace: the producer is at most one chunk ahead of it', async () => {
    const passes = new SharedStreams(10)
    const state = { produced: 0, stopped: false, runs: 0 }
    const never = new AbortController().signal
    const fast = all(passes.join('k', never, counting(1000, state))!)
    const slow = passes.join('k', never, counting(1000, state))![Symbol.asyncIterator]()
    for (let i = 0; i < 10; i++) {
      expect((await slow.next()).value).toBe(`c${i}`)
      await new Promise(resolve => setTimeout(resolve, 5))
      expect(state.produced).toBeLessThanOrEqual(i + 2)
    }
    await slow.return?.(undefined)
    expect(await fast).toHaveLength(1000)
  })

  it('stops the producer once every reader has left; the failure comes after the chunks before it', async () => {
    const passes = new SharedStreams(10)
    const state = { produced: 0, stopped: false, runs: 0 }
    const ctl = new AbortController()
    const it = passes.join('k', ctl.signal, counting(1_000_000, state))![Symbol.asyncIterator]()
    await it.next()
    ctl.abort()
    expect((await it.next()).done).toBe(true)
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(state.stopped).toBe(true)
    expect(state.produced).toBeLessThan(10)

    const failing = { produced: 0, stopped: false, runs: 0 }
    const got: string[] = []
    await expect((async () => { for await (const c of passes.join('f', new AbortController().signal, counting(10, failing, 3))!) got.push(c) })()).rejects.toThrow('producer failed')
    expect(got).toEqual(['c0', 'c1', 'c2'])
  })

  it('refuses beyond its limit of readers', () => {
    const passes = new SharedStreams(1)
    const never = new AbortController().signal
    expect(passes.join('k', never, counting(1, { produced: 0, stopped: false, runs: 0 }))).toBeDefined()
    expect(passes.join('k', never, counting(1, { produced: 0, stopped: false, runs: 0 }))).toBeUndefined()
  })
})

// A pass over a big pinset lets the event loop serve others (timers, sockets, peer metrics).
import { describe, expect, it } from 'vitest'
import { cooperative } from '../src/cooperative.ts'
import { Cid1, Cid3, harness, makePin } from './helpers.ts'

function * numbers (n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i
}

describe('cooperative listing', () => {
  it('gives every item in order, with a turn of the event loop every `every` items', async () => {
    let servedAt: number | undefined
    let seen = 0
    setImmediate(() => { servedAt = seen })
    const out: number[] = []
    for await (const i of cooperative(numbers(1000), 100)) { out.push(i); seen++ }
    expect(out).toEqual([...numbers(1000)])
    expect(servedAt).toBe(100)
  })

  it('a for-await over a synchronous listing alone never lets the event loop turn (why it is needed)', async () => {
    let servedAt: number | undefined
    let seen = 0
    setImmediate(() => { servedAt = seen })
    for await (const _ of numbers(1000)) seen++
    expect(servedAt).toBeUndefined()
  })

  it('StatusAll over the pinset yields to the event loop while it lists', async () => {
    const pins = Array.from({ length: 600 }, () => makePin(Cid1))
    const h = harness([makePin(Cid3)])
    Object.assign(h.pinset, { list: function * () { yield * pins } })
    let servedAt: number | undefined
    let seen = 0
    setImmediate(() => { servedAt = seen })
    for await (const _ of h.tracker.statusAll()) seen++
    expect(seen).toBe(600)
    expect(servedAt).toBeLessThan(600)
    await h.tracker.close()
  })
})

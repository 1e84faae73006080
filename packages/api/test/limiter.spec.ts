import { describe, expect, it } from 'vitest'
import { ConcurrencyLimit, RequestLimiter, defaultRequestLimits } from '../src/index.ts'

describe('ConcurrencyLimit', () => {
  it('runs `active` at once, queues `queued` in order, refuses the rest', async () => {
    const limit = new ConcurrencyLimit({ active: 2, queued: 2 })
    const a = await limit.acquire()
    const b = await limit.acquire()
    const order: string[] = []
    const c = limit.acquire()?.then(release => { order.push('c'); return release })
    const d = limit.acquire()?.then(release => { order.push('d'); return release })
    expect(limit.acquire()).toBeUndefined()
    expect([limit.running, limit.waiting]).toEqual([2, 2])
    a?.()
    a?.() // a second release of the same turn does nothing
    const releaseC = await c
    expect(order).toEqual(['c'])
    expect([limit.running, limit.waiting]).toEqual([2, 1])
    b?.()
    const releaseD = await d
    expect(order).toEqual(['c', 'd'])
    releaseC?.()
    releaseD?.()
    expect([limit.running, limit.waiting]).toEqual([0, 0])
  })

  it('a waiter whose signal aborts leaves the queue', async () => {
    const limit = new ConcurrencyLimit({ active: 1, queued: 1 })
    const first = await limit.acquire()
    const controller = new AbortController()
    const waiting = limit.acquire(controller.signal)
    controller.abort(new Error('gone'))
    await expect(waiting).rejects.toThrow('gone')
    expect(limit.waiting).toBe(0)
    // Its place is free again.
    const next = limit.acquire()
    expect(next).toBeDefined()
    first?.()
    ;(await next)?.()
    expect(limit.running).toBe(0)
  })

  it('rejects nonsense sizes', () => {
    expect(() => new ConcurrencyLimit({ active: 0, queued: 1 })).toThrow(RangeError)
    expect(() => new ConcurrencyLimit({ active: 1, queued: -1 })).toThrow(RangeError)
  })
})

describe('RequestLimiter', () => {
  it('takes the defaults for the classes not given', () => {
    const l = new RequestLimiter({ list: { active: 1, queued: 0 } })
    const d = defaultRequestLimits()
    expect([l.list.active, l.list.queued]).toEqual([1, 0])
    expect([l.body.active, l.add.active, l.sharedListings, l.retryAfterSeconds]).toEqual([d.body.active, d.add.active, d.sharedListings, d.retryAfterSeconds])
  })
})

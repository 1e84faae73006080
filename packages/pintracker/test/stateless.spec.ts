// The stateless tracker scenarios of stateless_test.go (G-10 … G-18), with a fake IPFS whose slow
// calls are gated by hand instead of sleeping.
import { afterEach, describe, expect, it } from 'vitest'
import { SECOND } from '@cluster/api'
import type { PinInfo } from '@cluster/api'
import { Cid1, Cid2, Cid3, Cid4, ErrorCid, P2, SlowCid1, collect, harness, makePin, settle } from './helpers.ts'
import type { Harness } from './helpers.ts'

// concurrent_pins 1, priority_pin_max_age 10 s, priority_pin_max_retries 1. IPFS has Cid1 and Cid2;
// ErrorCid pin and unpin fail; pinning Cid3 or unpinning Cid2 must never happen.
function statelessSetup (state: Array<typeof Cid1> = []): Harness {
  const h = harness([], { concurrentPins: 1, priorityPinMaxAge: 10n * SECOND, priorityPinMaxRetries: 1 })
  for (const c of state) h.pinset.add(makePin(c, { timestamp: h.clock.timestamp() }))
  h.ipfs.pins.set(Cid1.toString(), 'recursive')
  h.ipfs.pins.set(Cid2.toString(), 'recursive')
  h.ipfs.failPin.add(ErrorCid.toString())
  h.ipfs.failUnpin.add(ErrorCid.toString())
  h.ipfs.forbidden.add(`pin ${Cid3.toString()}`)
  h.ipfs.forbidden.add(`unpin ${Cid2.toString()}`)
  return h
}

const fresh = (h: Harness, cid: typeof Cid1): ReturnType<typeof makePin> => makePin(cid, { timestamp: h.clock.timestamp() })

let current: Harness | undefined
afterEach(async () => {
  expect(current?.ipfs.violations ?? []).toEqual([])
  await current?.tracker.close()
  current = undefined
})

describe('stateless tracker (G-10 … G-18)', () => {
  it('G-10: new and shut down twice', async () => {
    const h = current = statelessSetup()
    await expect(h.tracker.close()).resolves.toBeUndefined()
    await expect(h.tracker.close()).resolves.toBeUndefined()
  })

  it('G-11: untrack after track', async () => {
    const h = current = statelessSetup()
    await h.tracker.track(fresh(h, Cid1))
    await h.tracker.drain()
    await h.tracker.untrack(Cid1)
    await h.tracker.drain()
    expect(h.ipfs.calls.map((c) => c.op)).toEqual(['pin', 'unpin'])
  })

  it('G-12: track → untrack cancels the running pin', async () => {
    const h = current = statelessSetup()
    h.ipfs.gated.add(SlowCid1.toString())
    await h.tracker.track(fresh(h, SlowCid1))
    await h.ipfs.started(SlowCid1)
    expect(h.tracker.operations.get(SlowCid1).status).toBe('pinning')
    const signal = h.tracker.operations.signal(SlowCid1)
    h.ipfs.gated.delete(SlowCid1.toString())
    await h.tracker.untrack(SlowCid1)
    expect(signal?.aborted).toBe(true)
    await settle()
    expect(h.ipfs.aborted).toContain(`pin ${SlowCid1.toString()}`)
  })

  it('G-13: track → untrack of a queued pin never reaches IPFS', async () => {
    const h = current = statelessSetup()
    h.ipfs.gated.add(SlowCid1.toString())
    await h.tracker.track(fresh(h, SlowCid1))
    await h.ipfs.started(SlowCid1)
    await h.tracker.track(fresh(h, Cid3))
    expect(h.tracker.operations.get(Cid3).status).toBe('pin_queued')
    await h.tracker.untrack(Cid3)
    const op = h.tracker.operations.operation(Cid3)
    expect(op?.type).toBe('unpin')
    h.ipfs.release(SlowCid1)
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', Cid3)).toBe(0)
    expect(h.ipfs.countCalls('unpin', Cid3)).toBe(1)
  })

  it('G-14: untrack → track cancels the running unpin', async () => {
    const h = current = statelessSetup()
    await h.tracker.track(fresh(h, SlowCid1))
    await h.tracker.drain()
    h.ipfs.gated.add(SlowCid1.toString())
    await h.tracker.untrack(SlowCid1)
    await h.ipfs.started(SlowCid1)
    expect(h.tracker.operations.get(SlowCid1).status).toBe('unpinning')
    const signal = h.tracker.operations.signal(SlowCid1)
    h.ipfs.gated.delete(SlowCid1.toString())
    await h.tracker.track(fresh(h, SlowCid1))
    expect(signal?.aborted).toBe(true)
    await h.tracker.drain()
    expect(h.ipfs.aborted).toEqual([`unpin ${SlowCid1.toString()}`])
    expect(h.ipfs.pins.has(SlowCid1.toString())).toBe(true)
  })

  it('G-15: untrack → track of a queued unpin never reaches IPFS', async () => {
    const h = current = statelessSetup()
    await h.tracker.track(fresh(h, SlowCid1))
    await h.tracker.drain()
    h.ipfs.gated.add(SlowCid1.toString())
    await h.tracker.untrack(SlowCid1)
    await h.ipfs.started(SlowCid1)
    await h.tracker.untrack(Cid2)
    expect(h.tracker.operations.get(Cid2).status).toBe('unpin_queued')
    await h.tracker.track(fresh(h, Cid2))
    h.ipfs.release(SlowCid1)
    await h.tracker.drain()
    expect(h.ipfs.countCalls('unpin', Cid2)).toBe(0)
    expect(h.ipfs.pins.has(Cid2.toString())).toBe(true)
  })

  it('G-16/G-17: StatusAll and Status mix state, IPFS and operations', async () => {
    const h = current = statelessSetup([Cid1, Cid4, SlowCid1])
    h.ipfs.gated.add(SlowCid1.toString())
    await h.tracker.track(fresh(h, SlowCid1))
    await h.ipfs.started(SlowCid1)
    const items = await collect(h.tracker.statusAll())
    expect(items).toHaveLength(3)
    const status = (list: PinInfo[], c: typeof Cid1): string | undefined => list.find((i) => i.cid.equals(c))?.status
    expect(status(items, Cid1)).toBe('pinned')
    expect(status(items, Cid4)).toBe('unexpectedly_unpinned')
    expect(status(items, SlowCid1)).toBe('pinning')
    for (const i of items) expect(i.ipfsPeerId).toBe(P2)
    expect((await h.tracker.status(Cid1)).status).toBe('pinned')
    expect((await h.tracker.status(Cid4)).status).toBe('unexpectedly_unpinned')
    const slow = await h.tracker.status(SlowCid1)
    expect(slow.status).toBe('pinning')
    expect(slow.ipfsPeerId).toBe(P2)
  })

  it('G-18 (the §7.2 example): attempt counts and priority', async () => {
    const h = current = statelessSetup([Cid1, Cid4, ErrorCid])
    expect((await h.tracker.status(Cid1)).attemptCount).toBe(0)

    await h.tracker.track(fresh(h, ErrorCid))
    await h.tracker.drain()
    let info = await h.tracker.status(ErrorCid)
    expect(info.status).toBe('pin_error')
    expect(info.attemptCount).toBe(1)
    expect(info.error).toContain('failed')

    await h.tracker.recover(ErrorCid)
    await h.tracker.drain()
    info = await h.tracker.status(ErrorCid)
    expect(info.attemptCount).toBe(2)
    expect(info.priorityPin).toBe(true)

    await h.tracker.recover(ErrorCid)
    await h.tracker.drain()
    info = await h.tracker.status(ErrorCid)
    expect(info.attemptCount).toBe(3)
    expect(info.priorityPin).toBe(false)

    await h.tracker.untrack(ErrorCid)
    await h.tracker.drain()
    info = await h.tracker.status(ErrorCid)
    expect(info.status).toBe('unpin_error')
    expect(info.attemptCount).toBe(1)

    await h.tracker.untrack(ErrorCid)
    await h.tracker.drain()
    expect((await h.tracker.status(ErrorCid)).attemptCount).toBe(2)
  })
})

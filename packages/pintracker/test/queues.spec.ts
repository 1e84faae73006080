// Queues and workers (cluster-behaviour.md §7.2): capacity, priority lane, concurrency, cancellation.
import { afterEach, describe, expect, it } from 'vitest'
import { SECOND, Timestamp } from '@cluster/api'
import { QueueFullError, StatelessTracker, TrackerClosedError } from '../src/index.ts'
import { Cid1, Cid2, Cid3, Cid4, FakeIpfs, MemoryPinset, P1, harness, makeCid, makePin, settle } from './helpers.ts'
import type { Harness } from './helpers.ts'

let current: Harness | undefined
afterEach(async () => { await current?.tracker.close(); current = undefined })

const OLD = Timestamp.fromUnixMillis(Date.UTC(2020, 0, 1)) // far older than priority_pin_max_age

describe('queue capacity', () => {
  it('a full pin queue fails the enqueue with Go’s text and leaves a pin_error operation', async () => {
    const h = current = harness([], { concurrentPins: 1, maxPinQueueSize: 2 })
    h.ipfs.gated.add(Cid1.toString())
    await h.tracker.track(makePin(Cid1))
    await h.ipfs.started(Cid1) // the worker holds Cid1: the queue is empty again
    await h.tracker.track(makePin(Cid2))
    await h.tracker.track(makePin(Cid3))
    const err = await h.tracker.track(makePin(Cid4)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(QueueFullError)
    expect(err).toMatchObject({
      code: 'ERR_QUEUE_FULL',
      message: 'pin/unpin operation queue is full. Try increasing max_pin_queue_size'
    })
    const info = await h.tracker.status(Cid4)
    expect(info.status).toBe('pin_error')
    expect(info.error).toBe('pin/unpin operation queue is full. Try increasing max_pin_queue_size')
    // The normal (non-priority) queue has its own capacity.
    await h.tracker.track(makePin(makeCid(50), { timestamp: OLD }))
    await h.tracker.track(makePin(makeCid(51), { timestamp: OLD }))
    await expect(h.tracker.track(makePin(makeCid(52), { timestamp: OLD }))).rejects.toBeInstanceOf(QueueFullError)
    expect(h.tracker.pinQueueSize()).toBe(4)
  })

  it('logs the queue-full error through a (level, message) logger function', async () => {
    const lines: string[] = []
    const tracker = new StatelessTracker({
      peerId: P1,
      peerName: 'p',
      ipfs: new FakeIpfs(),
      pinset: new MemoryPinset(),
      config: { concurrentPins: 1, maxPinQueueSize: 1 },
      logger: (level, message) => { lines.push(`${level}: ${message}`) }
    })
    const first = tracker.track(makePin(Cid1)) // enqueued synchronously; a worker takes it in a microtask
    await expect(tracker.track(makePin(Cid2))).rejects.toBeInstanceOf(QueueFullError)
    await first
    expect(lines).toEqual(['error: pintracker: pin/unpin operation queue is full. Try increasing max_pin_queue_size'])
    await tracker.close()
  })

  it('a full unpin queue gives unpin_error', async () => {
    const h = current = harness([], { maxPinQueueSize: 1 })
    h.ipfs.gated.add(Cid1.toString())
    await h.tracker.untrack(Cid1)
    await h.ipfs.started(Cid1)
    await h.tracker.untrack(Cid2)
    await expect(h.tracker.untrack(Cid3)).rejects.toBeInstanceOf(QueueFullError)
    expect((await h.tracker.status(Cid3)).status).toBe('unpin_error')
    expect(h.tracker.pinQueueSize()).toBe(0) // unpins are not counted
  })

  it('manual Recover of a queue-full failure carries the status', async () => {
    const h = current = harness([], { concurrentPins: 1, maxPinQueueSize: 1 })
    h.pinset.add(makePin(Cid3))
    h.ipfs.gated.add(Cid1.toString())
    await h.tracker.track(makePin(Cid1))
    await h.ipfs.started(Cid1)
    await h.tracker.track(makePin(Cid2))
    await expect(h.tracker.track(makePin(Cid3))).rejects.toBeInstanceOf(QueueFullError)
    const err = await h.tracker.recover(Cid3).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(QueueFullError)
    expect((err as QueueFullError).info?.status).toBe('pin_error')
  })
})

describe('priority lane', () => {
  it('fresh pins go first; old ones and ones retried too often wait in the normal queue', async () => {
    const h = current = harness([], { concurrentPins: 1, priorityPinMaxRetries: 1 })
    const blocker = makeCid(100)
    h.ipfs.gated.add(blocker.toString())
    await h.tracker.track(makePin(blocker, { timestamp: h.clock.timestamp() }))
    await h.ipfs.started(blocker)
    const a = makeCid(101)
    const b = makeCid(102)
    const c = makeCid(103)
    await h.tracker.track(makePin(a, { timestamp: OLD }))
    await h.tracker.track(makePin(b, { timestamp: OLD }))
    await h.tracker.track(makePin(c, { timestamp: h.clock.timestamp() }))
    expect(h.tracker.operations.operation(a)?.priority).toBe(false)
    expect(h.tracker.operations.operation(c)?.priority).toBe(true)
    expect(h.tracker.stats().queued).toEqual({ priority: 1, pin: 2, unpin: 0 })
    h.ipfs.release(blocker)
    await h.tracker.drain()
    expect(h.ipfs.calls.map((x) => x.cid)).toEqual([blocker, c, a, b].map(String))
  })

  it('priority ⇔ now < timestamp + max age and attempts ≤ max retries', () => {
    const h = current = harness([], { priorityPinMaxAge: 10n * SECOND, priorityPinMaxRetries: 2 })
    const pin = makePin(Cid1, { timestamp: h.clock.timestamp() })
    expect(h.tracker.isPriority(pin, 0)).toBe(true)
    expect(h.tracker.isPriority(pin, 2)).toBe(true)
    expect(h.tracker.isPriority(pin, 3)).toBe(false)
    h.clock.advance(9_999)
    expect(h.tracker.isPriority(pin, 0)).toBe(true)
    h.clock.advance(1)
    expect(h.tracker.isPriority(pin, 0)).toBe(false)
  })
})

describe('workers', () => {
  it('runs at most concurrent_pins pins and one unpin at a time', async () => {
    const h = current = harness([], { concurrentPins: 3 })
    const cids = Array.from({ length: 10 }, (_, i) => makeCid(200 + i))
    const unpins = Array.from({ length: 4 }, (_, i) => makeCid(300 + i))
    for (const c of [...cids, ...unpins]) h.ipfs.gated.add(c.toString())
    for (const c of cids) await h.tracker.track(makePin(c))
    for (const c of unpins) await h.tracker.untrack(c)
    await settle()
    expect(h.tracker.stats().running).toEqual({ pins: 3, unpins: 1 })
    expect(h.ipfs.inFlight).toBe(4)
    expect(h.tracker.pinQueueSize()).toBe(7)
    for (const c of [...cids, ...unpins]) { // bounded: one release per gated call
      h.ipfs.release(c)
      await settle(3)
      expect(h.tracker.stats().running.pins).toBeLessThanOrEqual(3)
      expect(h.tracker.stats().running.unpins).toBeLessThanOrEqual(1)
    }
    await h.tracker.drain()
    expect(h.ipfs.maxInFlight).toBe(4)
    expect(h.ipfs.calls).toHaveLength(14)
    expect(h.tracker.pinQueueSize()).toBe(0)
    expect(h.tracker.operations.size).toBe(0)
  })

  it('a pin aborts a running unpin of the same CID (the IPFS call sees the abort)', async () => {
    const h = current = harness()
    h.ipfs.gated.add(Cid1.toString())
    await h.tracker.untrack(Cid1)
    await h.ipfs.started(Cid1)
    expect((await h.tracker.status(Cid1)).status).toBe('unpinning')
    h.ipfs.gated.delete(Cid1.toString())
    await h.tracker.track(makePin(Cid1))
    await h.tracker.drain()
    expect(h.ipfs.aborted).toEqual([`unpin ${Cid1.toString()}`])
    expect(h.ipfs.pins.get(Cid1.toString())).toBe('recursive')
    expect(h.tracker.operations.operation(Cid1)).toBeUndefined()
  })

  it('close aborts running operations, drops the queues, is idempotent and refuses new work', async () => {
    const h = harness([], { concurrentPins: 1 })
    h.ipfs.gated.add(Cid1.toString())
    await h.tracker.track(makePin(Cid1))
    await h.tracker.track(makePin(Cid2))
    await h.ipfs.started(Cid1)
    await h.tracker.close()
    await h.tracker.close()
    expect(h.ipfs.aborted).toEqual([`pin ${Cid1.toString()}`])
    expect(h.ipfs.countCalls('pin', Cid2)).toBe(0)
    await expect(h.tracker.track(makePin(Cid3))).rejects.toBeInstanceOf(TrackerClosedError)
    await expect(h.tracker.untrack(Cid3)).rejects.toMatchObject({ code: 'ERR_TRACKER_CLOSED' })
    await expect(h.tracker.drain()).resolves.toBeUndefined()
  })
})

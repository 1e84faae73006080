// Recover, RecoverAll and the retry cap (cluster-behaviour.md §7.6; max_retries is not in Go).
import { afterEach, describe, expect, it } from 'vitest'
import type { PinInfo } from '@cluster/api'
import { QueueFullError } from '../src/index.ts'
import { Cid1, Cid2, Cid3, Cid4, Cid5, ErrorCid, P2, collect, harness, makeCid, makePin } from './helpers.ts'
import type { Harness } from './helpers.ts'

let current: Harness | undefined
afterEach(async () => { await current?.tracker.close(); current = undefined })

const cids = (items: PinInfo[]): string[] => items.map((i) => i.cid.toString()).sort()

describe('Recover', () => {
  it('re-reads the pin from the state before re-queuing it', async () => {
    const h = current = harness([makePin(Cid1, { name: 'old' })])
    h.pinset.add(makePin(Cid1, { name: 'new name' }))
    const info = await h.tracker.recover(Cid1) // unexpectedly unpinned → queued
    expect(info.name).toBe('new name')
    expect(['pin_queued', 'pinning']).toContain(info.status)
    await h.tracker.drain()
    expect((await h.tracker.status(Cid1)).status).toBe('pinned')
  })

  it('returns the current status when there is nothing to recover', async () => {
    const h = current = harness([makePin(Cid2, { rf: [1, 1], allocations: [P2] })])
    expect((await h.tracker.recover(Cid2)).status).toBe('remote')
    expect((await h.tracker.recover(Cid5)).status).toBe('unpinned')
    expect(h.ipfs.calls).toEqual([])
  })

  it('a pin_error whose pin left the state returns its status without re-queuing', async () => {
    const h = current = harness([makePin(ErrorCid)])
    h.ipfs.failPin.add(ErrorCid.toString())
    await h.tracker.track(makePin(ErrorCid))
    await h.tracker.drain()
    h.pinset.remove(ErrorCid)
    const info = await h.tracker.recover(ErrorCid)
    expect(info.status).toBe('pin_error')
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', ErrorCid)).toBe(1)
  })

  it('unpin_error re-queues an unpin', async () => {
    const h = current = harness()
    h.ipfs.pins.set(Cid3.toString(), 'recursive')
    h.ipfs.failUnpin.add(Cid3.toString())
    await h.tracker.untrack(Cid3)
    await h.tracker.drain()
    expect((await h.tracker.status(Cid3)).status).toBe('unpin_error')
    h.ipfs.failUnpin.delete(Cid3.toString())
    await h.tracker.recover(Cid3)
    await h.tracker.drain()
    expect(h.ipfs.pins.has(Cid3.toString())).toBe(false)
    expect((await h.tracker.status(Cid3)).status).toBe('unpinned')
  })
})

describe('RecoverAll', () => {
  it('re-queues only pin_error, unexpectedly_unpinned and unpin_error items', async () => {
    const h = current = harness([
      makePin(Cid1), // pinned
      makePin(Cid2, { rf: [1, 1], allocations: [P2] }), // remote
      makePin(Cid3, { type: 'meta-pin' }), // sharded
      makePin(Cid4), // unexpectedly unpinned
      makePin(ErrorCid), // pin_error
      makePin(Cid5) // unpin_error (an unpin op although still in the state)
    ])
    h.ipfs.pins.set(Cid1.toString(), 'recursive')
    h.ipfs.pins.set(Cid5.toString(), 'recursive')
    h.ipfs.failPin.add(ErrorCid.toString())
    h.ipfs.failUnpin.add(Cid5.toString())
    const queuedCid = makeCid(900)
    h.pinset.add(makePin(queuedCid))
    h.ipfs.gated.add(queuedCid.toString())
    await h.tracker.track(makePin(ErrorCid))
    await h.tracker.untrack(Cid5)
    await h.tracker.drain()
    expect(h.tracker.operations.get(Cid5).status).toBe('unpin_error')
    await h.tracker.track(makePin(queuedCid)) // pinning: left alone
    await h.ipfs.started(queuedCid)
    const recovered = await collect(h.tracker.recoverAll())
    expect(cids(recovered)).toEqual([Cid4, ErrorCid, Cid5].map(String).sort())
    h.ipfs.release(queuedCid)
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', Cid4)).toBe(1)
    expect(h.ipfs.countCalls('pin', ErrorCid)).toBe(2)
    expect(h.ipfs.countCalls('unpin', Cid5)).toBe(2)
    expect(h.ipfs.countCalls('pin', queuedCid)).toBe(1)
  })

  it('stops with the error of the first failed enqueue, after streaming what it re-queued', async () => {
    const blocker = makeCid(950)
    const h = current = harness([makePin(Cid1), makePin(Cid2)], { concurrentPins: 1, maxPinQueueSize: 1 })
    h.ipfs.gated.add(blocker.toString())
    await h.tracker.track(makePin(blocker))
    await h.ipfs.started(blocker)
    const it = h.tracker.recoverAll()
    const first = await it.next()
    expect(first.done).toBe(false)
    await expect(it.next()).rejects.toBeInstanceOf(QueueFullError)
    h.ipfs.release(blocker)
  })

  it('without max_retries (default 0, as Go) failing pins are retried forever', async () => {
    const h = current = harness([makePin(ErrorCid)])
    h.ipfs.failPin.add(ErrorCid.toString())
    await h.tracker.track(makePin(ErrorCid))
    await h.tracker.drain()
    for (let round = 0; round < 5; round++) {
      expect(await collect(h.tracker.recoverAll())).toHaveLength(1)
      await h.tracker.drain()
    }
    expect((await h.tracker.status(ErrorCid)).attemptCount).toBe(6)
  })

  it('max_retries caps automatic retries; a manual Recover of a pin past the cap retries it with its count started afresh', async () => {
    const h = current = harness([makePin(ErrorCid), makePin(Cid4)], { maxRetries: 2 })
    h.ipfs.failPin.add(ErrorCid.toString())
    await h.tracker.track(makePin(ErrorCid))
    await h.tracker.drain()
    expect((await h.tracker.status(ErrorCid)).attemptCount).toBe(1)
    expect(cids(await collect(h.tracker.recoverAll()))).toHaveLength(2) // ErrorCid and Cid4
    await h.tracker.drain()
    expect(cids(await collect(h.tracker.recoverAll()))).toEqual([ErrorCid.toString()])
    await h.tracker.drain()
    expect((await h.tracker.status(ErrorCid)).attemptCount).toBe(3)
    expect(await collect(h.tracker.recoverAll())).toEqual([]) // 3 attempts > 2 retries: left alone
    const info = await h.tracker.status(ErrorCid)
    expect(info.status).toBe('pin_error')
    expect(info.error).toContain('failed')

    // A manual recover that fails again: attempt 1 of a fresh count, so automatic retries resume.
    await h.tracker.recover(ErrorCid)
    await h.tracker.drain()
    expect((await h.tracker.status(ErrorCid)).attemptCount).toBe(1)
    expect(cids(await collect(h.tracker.recoverAll()))).toEqual([ErrorCid.toString()])
    await h.tracker.drain()
    expect((await h.tracker.status(ErrorCid)).attemptCount).toBe(2)

    h.ipfs.failPin.delete(ErrorCid.toString())
    await h.tracker.recover(ErrorCid)
    await h.tracker.drain()
    expect((await h.tracker.status(ErrorCid)).status).toBe('pinned')
    expect(h.ipfs.countCalls('pin', ErrorCid)).toBe(6)
  })
})

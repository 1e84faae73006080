// Generic tracker behaviour (cluster-behaviour.md §7.2–7.5; scenarios G-1 … G-9).
import { afterEach, describe, expect, it } from 'vitest'
import { parseTrackerStatusFilter } from '@cluster/api'
import type { CID, PinInfo } from '@cluster/api'
import { Cid1, Cid2, Cid3, Cid4, Cid5, P1, P2, SlowCid1, collect, harness, makeCid, makePeer, makePin, settle } from './helpers.ts'
import type { Harness } from './helpers.ts'

// State of pintracker_test.go: Cid1 everywhere, Cid2 a bare pin (remote for everyone), Cid3 rf 1/1
// on P2, Cid4 everywhere. IPFS has Cid1 and Cid3 pinned recursively.
function genericSetup (): Harness {
  const h = harness([
    makePin(Cid1),
    makePin(Cid2, { rf: [0, 0] }),
    makePin(Cid3, { rf: [1, 1], allocations: [P2] }),
    makePin(Cid4)
  ])
  h.ipfs.pins.set(Cid1.toString(), 'recursive')
  h.ipfs.pins.set(Cid3.toString(), 'recursive')
  return h
}

const byCid = (items: PinInfo[]): Record<string, string> =>
  Object.fromEntries(items.map((i) => [i.cid.toString(), i.status]))

let current: Harness | undefined
afterEach(async () => { await current?.tracker.close(); current = undefined })

describe('generic tracker (G-1 … G-9)', () => {
  it('G-1/G-2/G-7: track and untrack succeed; the pin reaches IPFS, then the unpin', async () => {
    const h = current = genericSetup()
    await h.tracker.track(makePin(Cid1))
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', Cid1)).toBe(1)
    expect(h.tracker.operations.operation(Cid1)).toBeUndefined() // done → cleaned
    await h.tracker.untrack(Cid1)
    await h.tracker.drain()
    expect(h.ipfs.countCalls('unpin', Cid1)).toBe(1)
    expect(h.ipfs.pins.has(Cid1.toString())).toBe(false)
    expect(h.tracker.operations.size).toBe(0)
  })

  it('G-3: StatusAll(all) merges state, IPFS and operations', async () => {
    const h = current = genericSetup()
    await h.tracker.track(makePin(Cid1))
    await h.tracker.drain()
    const items = await collect(h.tracker.statusAll())
    expect(items).toHaveLength(4)
    expect(byCid(items)).toEqual({
      [Cid1.toString()]: 'pinned',
      [Cid2.toString()]: 'remote',
      [Cid3.toString()]: 'remote',
      [Cid4.toString()]: 'unexpectedly_unpinned'
    })
    const cid4 = items.find((i) => i.cid.equals(Cid4))
    expect(cid4?.error).toBe('the item should be pinned but it is not')
    for (const i of items) {
      expect(i.peer).toBe(P1)
      expect(i.peername).toBe('peer_1')
      expect(i.ipfsPeerId).toBe(P2)
    }
  })

  it('G-4: Status of a pinned CID and of a CID not in the state', async () => {
    const h = current = genericSetup()
    const s1 = await h.tracker.status(Cid1)
    expect(s1.status).toBe('pinned')
    expect(s1.cid.equals(Cid1)).toBe(true)
    expect(s1.created.equals(makePin(Cid1).timestamp)).toBe(true)
    const s5 = await h.tracker.status(Cid5)
    expect(s5.status).toBe('unpinned')
    expect(s5.cid.equals(Cid5)).toBe(true)
    expect(s5.timestamp.unixMillis()).toBe(h.clock.ms)
  })

  it('G-5: RecoverAll re-queues exactly the unexpectedly unpinned Cid4', async () => {
    const h = current = genericSetup()
    const recovered = await collect(h.tracker.recoverAll())
    expect(recovered.map((i) => i.cid.toString())).toEqual([Cid4.toString()])
    expect(['pin_queued', 'pinning', 'pinned']).toContain(recovered[0]?.status)
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', Cid4)).toBe(1)
    expect((await h.tracker.status(Cid4)).status).toBe('pinned')
    expect(await collect(h.tracker.recoverAll())).toEqual([])
  })

  it('G-6: Recover(Cid1) → no error, the requested CID', async () => {
    const h = current = genericSetup()
    const info = await h.tracker.recover(Cid1)
    expect(info.cid.equals(Cid1)).toBe(true)
    expect(info.status).toBe('pinned')
    expect(h.ipfs.calls).toHaveLength(0) // nothing to recover
  })

  it('G-8: Untrack cancels a running pin: its IPFS request sees the abort', async () => {
    const h = current = genericSetup()
    h.ipfs.gated.add(SlowCid1.toString())
    h.pinset.add(makePin(SlowCid1))
    await h.tracker.track(makePin(SlowCid1))
    await h.ipfs.started(SlowCid1)
    h.ipfs.gated.delete(SlowCid1.toString()) // the unpin goes through at once
    const signal = h.tracker.operations.signal(SlowCid1)
    expect((await h.tracker.status(SlowCid1)).status).toBe('pinning')
    await h.tracker.untrack(SlowCid1)
    expect(signal?.aborted).toBe(true)
    await h.tracker.drain()
    expect(h.ipfs.aborted).toEqual([`pin ${SlowCid1.toString()}`])
    expect(h.ipfs.countCalls('unpin', SlowCid1)).toBe(1)
    expect(h.tracker.operations.operation(SlowCid1)).toBeUndefined()
  })

  it('G-9: a remote pin is unpinned synchronously and shows remote without error', async () => {
    const h = current = genericSetup()
    await h.tracker.track(makePin(Cid3, { rf: [1, 1], allocations: [P2] }))
    expect(h.ipfs.countCalls('unpin', Cid3)).toBe(1)
    expect(h.ipfs.pins.has(Cid3.toString())).toBe(false)
    const info = await h.tracker.status(Cid3)
    expect(info.status).toBe('remote')
    expect(info.error).toBe('')
    expect(h.tracker.operations.operation(Cid3)).toBeUndefined()
  })

  it('a remote pin that was not pinned here before (a new CID, or allocated elsewhere already) makes no IPFS call', async () => {
    const h = current = genericSetup()
    const remote = makePin(Cid3, { rf: [1, 1], allocations: [P2] })
    await h.tracker.track(remote, null)
    await h.tracker.track(remote, makePin(Cid3, { rf: [1, 1], allocations: [P2], name: 'renamed' }))
    expect(h.ipfs.calls).toEqual([])
    expect((await h.tracker.status(Cid3)).status).toBe('remote')
    // Moved away from this peer, or from everywhere: unpinned here, as Go does for every remote pin.
    await h.tracker.track(remote, makePin(Cid3, { rf: [1, 1], allocations: [P1] }))
    await h.tracker.track(remote, makePin(Cid3))
    expect(h.ipfs.countCalls('unpin', Cid3)).toBe(2)
  })

  it('unpins of many pins moved away from this peer run concurrent_pins at a time, not all at once', async () => {
    const cids = Array.from({ length: 40 }, (_, i) => makeCid(1000 + i))
    const h = current = harness(cids.map(cid => makePin(cid, { rf: [1, 1], allocations: [P2] })), { concurrentPins: 3 })
    for (const cid of cids) { h.ipfs.pins.set(cid.toString(), 'recursive'); h.ipfs.gated.add(cid.toString()) }
    // Each was allocated here and is now allocated to P2 only (what a peer catching up applies).
    const tracked = cids.map(cid => h.tracker.track(makePin(cid, { rf: [1, 1], allocations: [P2] }), makePin(cid, { rf: [1, 1], allocations: [P1] })))
    await settle()
    expect(h.ipfs.inFlight).toBe(3)
    expect(h.ipfs.calls.length).toBe(3)
    for (const cid of cids) h.ipfs.release(cid)
    await Promise.all(tracked)
    expect(h.ipfs.maxInFlight).toBe(3)
    expect(h.ipfs.calls.length).toBe(40)
    expect(h.ipfs.pins.size).toBe(0)
    for (const cid of cids) expect((await h.tracker.status(cid)).status).toBe('remote')
    expect(h.tracker.operations.size).toBe(0)
  })

  it('a remote unpin still waiting for its turn is dropped when the CID is allocated here again', async () => {
    const first = makeCid(2000)
    const moved = makeCid(2001)
    // The pinset as it ends: `first` allocated elsewhere, `moved` back here.
    const h = current = harness([makePin(first, { rf: [1, 1], allocations: [P2] }), makePin(moved, { rf: [1, 1], allocations: [P1] })], { concurrentPins: 1 })
    h.ipfs.gated.add(first.toString())
    const away = (cid: CID): Promise<void> => h.tracker.track(makePin(cid, { rf: [1, 1], allocations: [P2] }), makePin(cid, { rf: [1, 1], allocations: [P1] }))
    const running = away(first)
    const waiting = away(moved)
    await settle()
    expect(h.ipfs.calls.map(c => c.cid)).toEqual([first.toString()])
    // Allocated here again before its unpin ran: pinned, and never unpinned.
    h.ipfs.forbidden.add(`unpin ${moved.toString()}`)
    await h.tracker.track(makePin(moved, { rf: [1, 1], allocations: [P1] }))
    await waiting
    h.ipfs.release(first)
    await running
    await h.tracker.drain()
    expect(h.ipfs.violations).toEqual([])
    expect(h.ipfs.pins.has(moved.toString())).toBe(true)
    expect((await h.tracker.status(moved)).status).toBe('pinned')
  })

  it('a pin whose other allocations moved (repin, rebalance) stays pinned here: no new IPFS call, no pin_queued', async () => {
    const h = current = genericSetup()
    const before = makePin(Cid1, { rf: [2, 2], allocations: [P1, P2] })
    const P3 = makePeer(3)
    // P2 leaves, P3 joins; this peer (P1) keeps its allocation, and Kubo already has the pin.
    await h.tracker.track(makePin(Cid1, { rf: [2, 2], allocations: [P3, P1] }), before)
    expect((await h.tracker.status(Cid1)).status).toBe('pinned')
    await h.tracker.drain()
    expect(h.ipfs.calls).toEqual([])
    // The same allocations committed again (a user re-pinning): queued as Go does.
    await h.tracker.track(makePin(Cid1, { rf: [2, 2], allocations: [P1, P3], name: 'again' }), makePin(Cid1, { rf: [2, 2], allocations: [P3, P1] }))
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', Cid1)).toBe(1)
    // A new depth, or a last pin operation that failed, is queued too.
    await h.tracker.track(makePin(Cid1, { rf: [2, 2], allocations: [P1, P2], maxDepth: 0 }), makePin(Cid1, { rf: [2, 2], allocations: [P1, P3] }))
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', Cid1)).toBe(2)
    h.tracker.operations.trackNew(makePin(Cid1), 'pin', 'error')
    await h.tracker.track(makePin(Cid1, { rf: [2, 2], allocations: [P1, P3] }), makePin(Cid1, { rf: [2, 2], allocations: [P1, P2] }))
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', Cid1)).toBe(3)
  })

  it('a failing remote unpin is recorded on a remote operation, never thrown', async () => {
    const h = current = genericSetup()
    h.ipfs.failUnpin.add(Cid3.toString())
    await expect(h.tracker.track(makePin(Cid3, { rf: [1, 1], allocations: [P2] }))).resolves.toBeUndefined()
    const info = await h.tracker.status(Cid3)
    expect(info.status).toBe('remote')
    expect(info.error).toContain('unpin of')
    const all = await collect(h.tracker.statusAll(parseTrackerStatusFilter('remote')))
    expect(all.find((i) => i.cid.equals(Cid3))?.error).toContain('unpin of')
  })

  it('meta pins are never pinned; Status says sharded', async () => {
    const h = current = genericSetup()
    const meta = makePin(Cid5, { type: 'meta-pin' })
    h.pinset.add(meta)
    await h.tracker.track(meta)
    await h.tracker.drain()
    expect(h.ipfs.calls).toHaveLength(0)
    expect((await h.tracker.status(Cid5)).status).toBe('sharded')
  })

  it('passes mode, max depth and origins of the pin to IPFS', async () => {
    const h = current = genericSetup()
    await h.tracker.track(makePin(Cid5, { maxDepth: 0 }))
    await h.tracker.drain()
    const call = h.ipfs.calls.find((c) => c.op === 'pin')
    expect(call?.options?.mode).toBe('direct')
    expect(call?.options?.maxDepth).toBe(0)
    expect(call?.options?.origins).toEqual([])
    expect(call?.options?.pinUpdate).toBeUndefined()
  })

  it('passes the pin being updated (pin update), so the connector can use Kubo\'s pin/update', async () => {
    const h = current = genericSetup()
    await h.tracker.track({ ...makePin(Cid5), pinUpdate: Cid4 })
    await h.tracker.drain()
    const call = h.ipfs.calls.find((c) => c.op === 'pin')
    expect(call?.options?.pinUpdate?.equals(Cid4)).toBe(true)
  })
})

describe('Status of every kind (§7.4)', () => {
  it('unexpectedly_unpinned, sharded, remote, cluster_error (state and IPFS failures)', async () => {
    const h = current = genericSetup()
    h.pinset.add(makePin(Cid5, { type: 'meta-pin' }))
    const s4 = await h.tracker.status(Cid4)
    expect(s4.status).toBe('unexpectedly_unpinned')
    expect(s4.error).toBe('the item should be pinned but it is not')
    expect((await h.tracker.status(Cid5)).status).toBe('sharded')
    const s2 = await h.tracker.status(Cid2)
    expect(s2.status).toBe('remote')
    expect(s2.error).toBe('')

    h.ipfs.failPinLsCid = new Error('ipfs is down')
    const s1 = await h.tracker.status(Cid1)
    expect(s1.status).toBe('cluster_error')
    expect(s1.error).toBe('ipfs is down')
    expect(s1.created.equals(makePin(Cid1).timestamp)).toBe(true)

    h.pinset.failGet = new Error('state unreadable')
    const s = await h.tracker.status(Cid1)
    expect(s.status).toBe('cluster_error')
    expect(s.error).toBe('state unreadable')
  })

  it('Status of a direct pin asks IPFS with type direct (pinned)', async () => {
    const h = current = genericSetup()
    h.pinset.add(makePin(Cid5, { maxDepth: 0 }))
    h.ipfs.pins.set(Cid5.toString(), 'direct')
    expect((await h.tracker.status(Cid5)).status).toBe('pinned')
  })

  it('an operation wins over the state: pin_queued, then pinning', async () => {
    const h = current = genericSetup()
    h.ipfs.gated.add(Cid4.toString())
    const tracked = h.tracker.track(makePin(Cid4))
    expect(h.tracker.operations.get(Cid4).status).toBe('pin_queued') // workers start in a microtask
    await tracked
    await h.ipfs.started(Cid4)
    const info = await h.tracker.status(Cid4)
    expect(info.status).toBe('pinning')
    expect(info.attemptCount).toBe(1)
    expect(info.priorityPin).toBe(true)
    h.ipfs.release(Cid4)
    await h.tracker.drain()
    expect((await h.tracker.status(Cid4)).status).toBe('pinned')
  })
})

describe('StatusAll filters (§7.5)', () => {
  it('filters on state-derived statuses', async () => {
    const h = current = genericSetup()
    const f = async (text: string): Promise<Record<string, string>> => byCid(await collect(h.tracker.statusAll(parseTrackerStatusFilter(text))))
    expect(await f('pinned')).toEqual({ [Cid1.toString()]: 'pinned' })
    expect(await f('remote')).toEqual({ [Cid2.toString()]: 'remote', [Cid3.toString()]: 'remote' })
    expect(await f('unexpectedly_unpinned')).toEqual({ [Cid4.toString()]: 'unexpectedly_unpinned' })
    expect(await f('pinned,unexpectedly_unpinned')).toEqual({ [Cid1.toString()]: 'pinned', [Cid4.toString()]: 'unexpectedly_unpinned' })
    expect(await f('sharded')).toEqual({})
  })

  it('lists direct pins as pinned (Go lists only recursive ones)', async () => {
    const h = current = genericSetup()
    h.pinset.add(makePin(Cid5, { maxDepth: 0 }))
    h.ipfs.pins.set(Cid5.toString(), 'direct')
    const items = byCid(await collect(h.tracker.statusAll(parseTrackerStatusFilter('pinned'))))
    expect(items[Cid5.toString()]).toBe('pinned')
  })

  it('does not ask IPFS when only sharded/remote are wanted, and operations-only filters list operations', async () => {
    const h = current = genericSetup()
    h.ipfs.failPinLs = new Error('no listing')
    expect(await collect(h.tracker.statusAll(parseTrackerStatusFilter('remote')))).toHaveLength(2)
    h.ipfs.gated.add(Cid4.toString())
    h.ipfs.gated.add(Cid5.toString())
    await h.tracker.track(makePin(Cid4))
    await h.tracker.track(makePin(Cid5)) // not in the state: still listed by an operations-only filter
    await h.ipfs.started(Cid4)
    const queued = await collect(h.tracker.statusAll(parseTrackerStatusFilter('pinning,queued')))
    expect(byCid(queued)).toEqual({ [Cid4.toString()]: 'pinning', [Cid5.toString()]: 'pinning' })
    await expect(collect(h.tracker.statusAll(parseTrackerStatusFilter('error')))).resolves.toEqual([])
  })

  it('fails with Go’s text when IPFS cannot be listed', async () => {
    const h = current = genericSetup()
    h.ipfs.failPinLs = new Error('connection refused')
    await expect(collect(h.tracker.statusAll())).rejects.toMatchObject({
      name: 'IpfsPinsetError',
      code: 'ERR_IPFS_PINSET',
      message: 'could not get pinset from IPFS: connection refused'
    })
  })

  it('with the all filter, operations of CIDs outside the state are not listed; an op that does not match falls back to the state', async () => {
    const h = current = genericSetup()
    h.ipfs.failUnpin.add(Cid5.toString())
    await h.tracker.untrack(Cid5)
    await h.tracker.drain()
    expect((await h.tracker.status(Cid5)).status).toBe('unpin_error')
    expect(byCid(await collect(h.tracker.statusAll()))[Cid5.toString()]).toBeUndefined()

    h.ipfs.gated.add(Cid1.toString())
    await h.tracker.track(makePin(Cid1)) // re-pin of a pinned CID: operation is pinning
    await h.ipfs.started(Cid1)
    expect(byCid(await collect(h.tracker.statusAll()))[Cid1.toString()]).toBe('pinning')
    expect(byCid(await collect(h.tracker.statusAll(parseTrackerStatusFilter('pinned'))))[Cid1.toString()]).toBe('pinned')
    h.ipfs.release(Cid1)
    await settle()
  })
})

describe('StatusAll within listed CIDs (a search page)', () => {
  it('gives what StatusAll gives for those CIDs, in their order, without an IPFS listing', async () => {
    const h = current = genericSetup()
    h.ipfs.failPinLs = new Error('no listing: each CID is looked up alone')
    const keys = [Cid4, Cid3, Cid1, Cid2].map(c => c.toString())
    const items = await collect(h.tracker.statusWithin(0, keys))
    expect(items.map(i => [i.cid.toString(), i.status])).toEqual([
      [Cid4.toString(), 'unexpectedly_unpinned'],
      [Cid3.toString(), 'remote'],
      [Cid1.toString(), 'pinned'],
      [Cid2.toString(), 'remote']
    ])
    expect(byCid(await collect(h.tracker.statusWithin(parseTrackerStatusFilter('pinned'), keys)))).toEqual({ [Cid1.toString()]: 'pinned' })
  })

  it('leaves out a CID not in the pinset; a failing IPFS look-up is that pin’s cluster_error; operations come first', async () => {
    const h = current = genericSetup()
    const gone = await collect(h.tracker.statusWithin(0, [Cid5.toString()]))
    expect(gone).toEqual([])
    h.ipfs.failPinLsCid = new Error('connection refused')
    const [failed, remote] = await collect(h.tracker.statusWithin(0, [Cid1.toString(), Cid3.toString()]))
    expect(failed).toMatchObject({ status: 'cluster_error', error: 'connection refused' })
    expect(remote?.status).toBe('remote') // no IPFS call for a pin allocated elsewhere
    h.ipfs.failPinLsCid = undefined
    h.ipfs.gated.add(Cid4.toString())
    await h.tracker.track(makePin(Cid4))
    await h.ipfs.started(Cid4)
    expect(byCid(await collect(h.tracker.statusWithin(0, [Cid4.toString()])))).toEqual({ [Cid4.toString()]: 'pinning' })
    expect(byCid(await collect(h.tracker.statusWithin(parseTrackerStatusFilter('pinning'), [Cid4.toString(), Cid1.toString()])))).toEqual({ [Cid4.toString()]: 'pinning' })
    h.ipfs.release(Cid4)
    await settle()
  })
})

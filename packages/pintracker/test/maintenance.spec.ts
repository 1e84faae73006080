// The expire_at sweep decision and the recover / state-sync loop (cluster-behaviour.md §7.7, §8),
// driven by a hand-fired timer API and a fake clock.
import { describe, expect, it } from 'vitest'
import { Timestamp } from '@cluster/api'
import type { CID } from '@cluster/api'
import { MaintenanceLoop, expiredPinsToUnpin, isExpiredAt, sweepExpiredPins } from '../src/index.ts'
import type { TimerApi } from '../src/index.ts'
import { Cid1, Cid2, Cid3, Cid4, Cid5, ErrorCid, MemoryPinset, collect, harness, makePin, settle } from './helpers.ts'

const at = (iso: string): Timestamp => Timestamp.parse(iso)

describe('expire_at', () => {
  it('ExpiredAt: set (not zero, not epoch) and strictly before t', () => {
    const now = at('2025-06-01T00:00:00Z')
    expect(isExpiredAt(makePin(Cid1, { expireAt: at('2025-05-31T23:59:59Z') }), now)).toBe(true)
    expect(isExpiredAt(makePin(Cid1, { expireAt: now }), now)).toBe(false)
    expect(isExpiredAt(makePin(Cid1, { expireAt: at('2025-06-01T00:00:01Z') }), now)).toBe(false)
    expect(isExpiredAt(makePin(Cid1), now)).toBe(false) // zero time
    expect(isExpiredAt(makePin(Cid1, { expireAt: Timestamp.fromUnixNanos(0n) }), now)).toBe(false) // epoch = unset
  })

  it('the sweep unpins expired pins this peer is responsible for, and goes on after a failure', async () => {
    const past = at('2025-01-01T00:00:00Z')
    const pinset = new MemoryPinset([
      makePin(Cid1, { expireAt: past }),
      makePin(Cid2, { expireAt: past }), // another peer is closer
      makePin(Cid3, { expireAt: at('2030-01-01T00:00:00Z') }), // not yet
      makePin(Cid4), // never
      makePin(ErrorCid, { expireAt: past }) // unpin fails
    ])
    const now = at('2025-06-01T00:00:00Z')
    const isResponsible = (cid: CID): boolean => !cid.equals(Cid2)
    const decided = await expiredPinsToUnpin({ pinset, now, isResponsible })
    expect(decided.map(String)).toEqual([Cid1, ErrorCid].map(String))

    const unpinned: string[] = []
    const result = await sweepExpiredPins({
      pinset,
      now,
      isResponsible,
      unpin: async (cid) => {
        if (cid.equals(ErrorCid)) throw new Error('not leader')
        unpinned.push(cid.toString())
        pinset.remove(cid) // committing modifies the state: safe, the list was collected first
      }
    })
    expect(unpinned).toEqual([Cid1.toString()])
    expect(result.unpinned.map(String)).toEqual([Cid1.toString()])
    expect(result.failed).toEqual([{ cid: ErrorCid, error: 'not leader' }])
  })
})

/** Timers fired by hand. */
class ManualTimers implements TimerApi {
  readonly pending = new Map<number, { fn: () => void, ms: number }>()
  #next = 1
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.#next++
    this.pending.set(id, { fn, ms })
    return id
  }

  clearTimeout = (handle: unknown): void => { this.pending.delete(handle as number) }

  /** Fires every pending timer whose delay is `ms`; returns how many fired. */
  fire (ms: number): number {
    const due = [...this.pending].filter(([, t]) => t.ms === ms)
    for (const [id, t] of due) {
      this.pending.delete(id)
      t.fn()
    }
    return due.length
  }

  delays (): number[] { return [...this.pending.values()].map((t) => t.ms).sort((a, b) => a - b) }
}

describe('MaintenanceLoop', () => {
  it('recovers at start and then every interval; state sync only after its interval', async () => {
    const h = harness([makePin(Cid1), makePin(Cid5)])
    const timers = new ManualTimers()
    let syncs = 0
    const loop = new MaintenanceLoop({
      recoverAll: () => h.tracker.recoverAll(),
      stateSync: async () => { syncs++ },
      recoverIntervalMs: 720_000,
      stateSyncIntervalMs: 300_000,
      timers
    })
    loop.start()
    loop.start() // idempotent
    expect(timers.delays()).toEqual([0, 300_000])
    expect(timers.fire(0)).toBe(1)
    await settle()
    await h.tracker.drain()
    expect(h.ipfs.countCalls('pin', Cid1)).toBe(1)
    expect(h.ipfs.countCalls('pin', Cid5)).toBe(1)
    expect(timers.delays()).toEqual([300_000, 720_000]) // re-armed after the run
    expect(syncs).toBe(0)
    timers.fire(300_000)
    await settle()
    expect(syncs).toBe(1)
    expect(timers.delays()).toEqual([300_000, 720_000])
    await loop.stop()
    expect(timers.pending.size).toBe(0)
    await h.tracker.close()
  })

  it('runs by hand, never overlaps, and keeps going after a failure', async () => {
    const events: string[] = []
    let release: () => void = () => {}
    let failNext = true
    const loop = new MaintenanceLoop({
      recoverAll: async function * () {
        events.push('recover:start')
        if (failNext) {
          failNext = false
          throw new Error('ipfs down')
        }
        yield 1
        yield 2
        events.push('recover:end')
      },
      stateSync: async () => {
        events.push('sync:start')
        await new Promise<void>((resolve) => { release = resolve })
        events.push('sync:end')
      },
      recoverIntervalMs: 1000,
      timers: new ManualTimers()
    })
    const errors: string[] = []
    const failing = loop.runRecoverAll().catch((err: Error) => { errors.push(err.message) })
    const sync = loop.runStateSync()
    const recover = loop.runRecoverAll()
    await failing
    await settle()
    expect(events).toEqual(['recover:start', 'sync:start']) // the second recover waits for the sync
    release()
    await sync
    expect(await recover).toBe(2)
    expect(events).toEqual(['recover:start', 'sync:start', 'sync:end', 'recover:start', 'recover:end'])
    expect(errors).toEqual(['ipfs down'])
    await loop.stop()
  })

  it('RecoverAllLocal after a failed pin re-queues exactly that item (A-15)', async () => {
    const h = harness([makePin(ErrorCid), makePin(Cid1)])
    h.ipfs.pins.set(Cid1.toString(), 'recursive')
    h.ipfs.failPin.add(ErrorCid.toString())
    await h.tracker.track(makePin(ErrorCid))
    await h.tracker.drain()
    const loop = new MaintenanceLoop({ recoverAll: () => h.tracker.recoverAll(), recoverIntervalMs: 1000, timers: new ManualTimers() })
    expect(await loop.runRecoverAll()).toBe(1)
    await h.tracker.drain()
    expect((await collect(h.tracker.statusAll())).filter((i) => i.status === 'pin_error')).toHaveLength(1)
    await loop.stop()
    await h.tracker.close()
  })
})

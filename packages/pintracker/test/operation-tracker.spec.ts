// The operation tracker (cluster-behaviour.md §7.1; scenarios G-19 … G-30).
import { describe, expect, it } from 'vitest'
import { Timestamp } from '@cluster/api'
import { Operation, OperationTracker, barePin, operationStatus } from '../src/index.ts'
import { Cid1, Cid2, Cid3, FakeClock, P1, makePin } from './helpers.ts'

function setup (): { clock: FakeClock, opt: OperationTracker } {
  const clock = new FakeClock()
  const opt = new OperationTracker({ peerId: P1, peerName: 'peer_1', clock })
  return { clock, opt }
}

describe('Operation', () => {
  it('G-30: error text kept, phase and timestamp updated, cancel, status', () => {
    const clock = new FakeClock()
    const op = new Operation(barePin(Cid1, clock.timestamp()), 'unpin', 'queued', clock.timestamp())
    expect(op.cid.equals(Cid1)).toBe(true)
    expect(op.phase).toBe('queued')
    expect(op.error).toBe('')
    op.setError('fake error', clock.timestamp())
    expect(op.error).toBe('fake error')
    expect(op.phase).toBe('error')
    clock.advance(5000)
    op.setPhase('in_progress', clock.timestamp())
    expect(op.phase).toBe('in_progress')
    expect(op.error).toBe('fake error')
    expect(op.timestamp.equals(clock.timestamp())).toBe(true)
    expect(op.phaseTime('error')?.unixMillis()).toBe(clock.ms - 5000)
    expect(op.cancelled).toBe(false)
    op.cancel()
    expect(op.cancelled).toBe(true)
    expect(op.signal.aborted).toBe(true)
    expect(op.status).toBe('unpinning')
  })

  it('maps every type and phase to the §7.1 status', () => {
    expect(operationStatus('pin', 'queued')).toBe('pin_queued')
    expect(operationStatus('pin', 'in_progress')).toBe('pinning')
    expect(operationStatus('pin', 'done')).toBe('pinned')
    expect(operationStatus('pin', 'error')).toBe('pin_error')
    expect(operationStatus('unpin', 'queued')).toBe('unpin_queued')
    expect(operationStatus('unpin', 'in_progress')).toBe('unpinning')
    expect(operationStatus('unpin', 'done')).toBe('unpinned')
    expect(operationStatus('unpin', 'error')).toBe('unpin_error')
    for (const phase of ['queued', 'in_progress', 'done', 'error'] as const) {
      expect(operationStatus('remote', phase)).toBe('remote')
    }
  })
})

describe('OperationTracker', () => {
  it('G-19: a new pin operation in phase queued is pin_queued and not cancelled', () => {
    const { opt } = setup()
    const op = opt.trackNew(makePin(Cid1), 'pin', 'queued')
    expect(op).toBeDefined()
    expect(op?.status).toBe('pin_queued')
    expect(op?.cancelled).toBe(false)
    expect(opt.get(Cid1).status).toBe('pin_queued')
  })

  it('G-20: same type while queued or in progress → no new operation, the Pin is replaced', () => {
    const { opt } = setup()
    const first = opt.trackNew(makePin(Cid1, { name: 'a' }), 'pin', 'queued')
    expect(opt.trackNew(makePin(Cid1, { name: 'b' }), 'pin', 'in_progress')).toBeUndefined()
    expect(opt.operation(Cid1)).toBe(first)
    expect(first?.pin.name).toBe('b')
    first?.setPhase('in_progress', Timestamp.ZERO)
    expect(opt.trackNew(makePin(Cid1, { name: 'c' }), 'pin', 'queued')).toBeUndefined()
    expect(first?.pin.name).toBe('c')
    expect(first?.cancelled).toBe(false)
  })

  it('G-21: a different type replaces the operation and cancels the old one', () => {
    const { opt } = setup()
    const pin = opt.trackNew(makePin(Cid1), 'pin', 'in_progress')
    const unpin = opt.trackNew(barePin(Cid1, Timestamp.ZERO), 'unpin', 'queued')
    expect(unpin).toBeDefined()
    expect(unpin).not.toBe(pin)
    expect(pin?.cancelled).toBe(true)
    expect(opt.get(Cid1).status).toBe('unpin_queued')
    expect(unpin?.attempts).toBe(0)
  })

  it('G-22: same type after done or error → new operation, attempts inherited', () => {
    const { opt, clock } = setup()
    const first = opt.trackNew(makePin(Cid1), 'pin', 'queued')
    first?.incAttempts()
    first?.setPhase('done', clock.timestamp())
    const second = opt.trackNew(makePin(Cid1), 'pin', 'queued')
    expect(second).toBeDefined()
    expect(second).not.toBe(first)
    expect(second?.attempts).toBe(1)
    expect(first?.cancelled).toBe(true)

    const u1 = opt.trackNew(barePin(Cid2, Timestamp.ZERO), 'unpin', 'queued')
    u1?.incAttempts()
    u1?.incAttempts()
    u1?.setError('boom', clock.timestamp())
    const u2 = opt.trackNew(barePin(Cid2, Timestamp.ZERO), 'unpin', 'queued')
    expect(u2).not.toBe(u1)
    expect(u2?.attempts).toBe(2)
    expect(u2?.error).toBe('')
  })

  it('G-23: clean removes only the current operation', () => {
    const { opt } = setup()
    const pin = opt.trackNew(makePin(Cid1), 'pin', 'queued')
    const unpin = opt.trackNew(barePin(Cid1, Timestamp.ZERO), 'unpin', 'queued')
    if (pin === undefined || unpin === undefined) throw new Error('expected operations')
    opt.clean(pin)
    expect(opt.get(Cid1).status).toBe('unpin_queued')
    opt.clean(unpin)
    expect(opt.operation(Cid1)).toBeUndefined()
    expect(opt.get(Cid1).status).toBe('unpinned')
  })

  it('G-24: a remote operation in phase done reports remote', () => {
    const { opt } = setup()
    opt.trackNew(makePin(Cid1), 'remote', 'done')
    expect(opt.get(Cid1).status).toBe('remote')
  })

  it('G-25: setError applies to done/error operations, not queued ones nor remote', () => {
    const { opt } = setup()
    const op = opt.trackNew(makePin(Cid1), 'pin', 'done')
    opt.setError(Cid1, 'fake error')
    expect(opt.get(Cid1).status).toBe('pin_error')
    expect(opt.get(Cid1).error).toBe('fake error')
    expect(op?.phase).toBe('error')

    opt.trackNew(barePin(Cid2, Timestamp.ZERO), 'unpin', 'queued')
    opt.setError(Cid2, 'fake error')
    expect(opt.get(Cid2).status).toBe('unpin_queued')
    expect(opt.get(Cid2).error).toBe('')

    opt.trackNew(makePin(Cid3), 'remote', 'done')
    opt.setError(Cid3, 'fake error')
    expect(opt.get(Cid3).error).toBe('')
  })

  it('G-26: get fills status, CID and peer; missing → unpinned for the requested CID', () => {
    const { opt, clock } = setup()
    opt.trackNew(makePin(Cid1, { name: 'n1' }), 'pin', 'queued')
    const info = opt.get(Cid1)
    expect(info.status).toBe('pin_queued')
    expect(info.cid.equals(Cid1)).toBe(true)
    expect(info.peer).toBe(P1)
    expect(info.peername).toBe('peer_1')
    expect(info.name).toBe('n1')
    const missing = opt.get(Cid2)
    expect(missing.status).toBe('unpinned')
    expect(missing.cid.equals(Cid2)).toBe(true)
    expect(missing.peer).toBe(P1)
    expect(missing.timestamp.unixMillis()).toBe(clock.ms)
    expect(opt.getExists(Cid2)).toBeUndefined()
  })

  it('G-27: getAll of one in-progress pin → one pinning item; filtered by status', () => {
    const { opt } = setup()
    opt.trackNew(makePin(Cid1), 'pin', 'in_progress')
    const all = opt.getAll()
    expect(all).toHaveLength(1)
    expect(all[0]?.status).toBe('pinning')
    expect(opt.getAll(1 << 9)).toHaveLength(0) // pin_queued
  })

  it('G-28: signal is the operation’s own cancellation signal', () => {
    const { opt } = setup()
    const op = opt.trackNew(makePin(Cid1), 'pin', 'queued')
    const signal = opt.signal(Cid1)
    expect(signal).toBe(op?.signal)
    expect(signal?.aborted).toBe(false)
    opt.trackNew(barePin(Cid1, Timestamp.ZERO), 'unpin', 'queued')
    expect(signal?.aborted).toBe(true)
    expect(opt.signal(Cid2)).toBeUndefined()
  })

  it('G-29: filter by type, by phase, by both', () => {
    const { opt } = setup()
    opt.trackNew(makePin(Cid1), 'pin', 'in_progress')
    opt.trackNew(makePin(Cid2), 'pin', 'queued')
    opt.trackNew(barePin(Cid3, Timestamp.ZERO), 'unpin', 'in_progress')
    expect(opt.filter({ type: 'pin' })).toHaveLength(2)
    expect(opt.filter({ phase: 'in_progress' })).toHaveLength(2)
    const both = opt.filter({ type: 'pin', phase: 'queued' })
    expect(both).toHaveLength(1)
    expect(both[0]?.cid.equals(Cid2)).toBe(true)
  })

  it('counts queued pin operations across phase changes, replacement and clean', () => {
    const { opt, clock } = setup()
    const a = opt.trackNew(makePin(Cid1), 'pin', 'queued')
    opt.trackNew(makePin(Cid2), 'pin', 'queued')
    opt.trackNew(barePin(Cid3, Timestamp.ZERO), 'unpin', 'queued')
    expect(opt.queuedPins).toBe(2)
    a?.setPhase('in_progress', clock.timestamp())
    expect(opt.queuedPins).toBe(1)
    opt.trackNew(barePin(Cid2, Timestamp.ZERO), 'unpin', 'queued') // replaces the queued pin
    expect(opt.queuedPins).toBe(0)
    a?.setPhase('done', clock.timestamp())
    opt.cleanAllDone()
    expect(opt.operation(Cid1)).toBeUndefined()
    expect(opt.size).toBe(2)
  })

  it('pin operations are counted per phase as they move (what the metrics gauges read)', () => {
    const { clock, opt } = setup()
    const a = opt.trackNew(makePin(Cid1), 'pin', 'queued')
    const b = opt.trackNew(makePin(Cid2), 'pin', 'queued')
    opt.trackNew(barePin(Cid3, Timestamp.ZERO), 'unpin', 'queued')
    expect(opt.pinPhaseCounts()).toEqual({ queued: 2, in_progress: 0, error: 0, done: 0 })
    a?.setPhase('in_progress', clock.timestamp())
    b?.setPhase('in_progress', clock.timestamp())
    b?.setError('boom', clock.timestamp())
    expect(opt.pinPhaseCounts()).toEqual({ queued: 0, in_progress: 1, error: 1, done: 0 })
    a?.setPhase('done', clock.timestamp())
    opt.cleanAllDone()
    // A new pin operation replaces the failed one: the error no longer counts.
    opt.trackNew(makePin(Cid2), 'pin', 'queued')
    expect(opt.pinPhaseCounts()).toEqual({ queued: 1, in_progress: 0, error: 0, done: 0 })
  })
})

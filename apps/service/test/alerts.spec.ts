/**
 * What a peer does when a member's ping expires, without daemons: its pins move away once it no
 * longer answers, a sweep that could not finish is tried again one check interval later (not a
 * dozen checks later, when the monitor alerts again), and pins a closer member should have moved
 * are taken over when it does not.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CID, Timestamp, defaultPinOptions, type Metric, type PeerId, type Pin } from '@cluster/api'
import type { RpcClient } from '@cluster/rpc'
import { isClosestPeer } from '@cluster/monitor'
import { AlertLog } from '../src/cluster/alerts.ts'
import { GIVE_UP_AFTER_FAILURES } from '../src/cluster/repin.ts'

const PEERS = ['12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', '12D3KooWCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'] as PeerId[]
const [SELF, OTHER, DOWN] = PEERS as [PeerId, PeerId, PeerId]
const CHECK_MS = 1_000

function pinOf (i: number): Pin {
  const bytes = new TextEncoder().encode(`pin ${i}`)
  const cid = CID.decode(Uint8Array.from([0x01, 0x55, 0x00, bytes.length, ...bytes]))
  return { ...defaultPinOptions(), cid, type: 'pin', allocations: [SELF, DOWN], maxDepth: -1, reference: undefined, timestamp: Timestamp.ZERO, replicationFactorMin: 2, replicationFactorMax: 2 }
}

function pingAlert (peer: PeerId): { metric: Metric, triggeredAt: bigint } {
  return { metric: { name: 'ping', peer, value: '', expire: 0n, valid: true, weight: 0, partitionable: false, receivedAt: 0n }, triggeredAt: 1n }
}

interface World {
  log: AlertLog
  /** Pins still allocated to DOWN. */
  pins: Map<string, Pin>
  answers: { value: boolean }
  repinFails: { value: boolean }
  commitFails: { value: boolean }
  /** Re-pins that can be prepared before every further one fails. */
  preparable: { value: number }
  /** Sizes of the commits made: one per page of re-pins, not one per pin. */
  commits: number[]
  down: { value: boolean }
  /** Re-pins tried. */
  attempts: { value: number }
  messages: string[]
}

function world (pins: Pin[]): World {
  const w = {
    pins: new Map(pins.map(p => [p.cid.toString(), p])),
    answers: { value: false },
    repinFails: { value: false },
    commitFails: { value: false },
    preparable: { value: Infinity },
    commits: [] as number[],
    down: { value: true },
    attempts: { value: 0 },
    messages: [] as string[]
  }
  const rpc = { call: async () => { if (w.answers.value) return {}; throw new Error('dial refused') } } as unknown as RpcClient
  const log = new AlertLog({
    options: { followerMode: false, disableRepinning: false, checkIntervalMs: CHECK_MS },
    rpc,
    repinContext: () => ({
      self: SELF,
      peerset: () => [SELF, OTHER],
      allocatedTo: () => [[...w.pins.values()]],
      prepare: async (pin, blacklist) => {
        expect(blacklist).toEqual([DOWN])
        w.attempts.value++
        if (w.repinFails.value || w.attempts.value > w.preparable.value) throw new Error('not enough peers to allocate')
        return pin
      },
      commit: async function * (ready) {
        w.commits.push(ready.length)
        if (w.commitFails.value) {
          yield { pins: ready, error: new Error('no leader') }
          return
        }
        for (const pin of ready) w.pins.delete(pin.cid.toString())
        yield { pins: ready }
      }
    }),
    stillDown: () => w.down.value,
    log: (_level, m) => { w.messages.push(m) }
  })
  return { ...w, log }
}

describe('AlertLog: moving the pins of a peer whose ping expired', () => {
  // setImmediate stays real: a sweep takes a turn of the event loop between pages.
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }) })
  afterEach(() => { vi.useRealTimers() })

  it('moves the pins of a peer that does not answer, and records the alert', async () => {
    const pins = Array.from({ length: 40 }, (_, i) => pinOf(i)).filter(p => isClosestPeer(SELF, p.cid, [SELF, OTHER], DOWN))
    expect(pins.length).toBeGreaterThan(0)
    const w = world(pins)
    await w.log.handle(pingAlert(DOWN))
    expect(w.pins.size).toBe(0)
    expect(w.log.all().map(a => a.peer)).toEqual([DOWN])
    expect(w.messages.join('\n')).toContain(`peer ${DOWN} is down: re-pinned ${pins.length} of its pins`)
    // The page's re-pins went to consensus together.
    expect(w.commits).toEqual([pins.length])
  })

  it('a commit that fails counts each of its pins as failed, and the sweep is tried again', async () => {
    const pins = Array.from({ length: 40 }, (_, i) => pinOf(i)).filter(p => isClosestPeer(SELF, p.cid, [SELF, OTHER], DOWN))
    const w = world(pins)
    w.commitFails.value = true
    await w.log.handle(pingAlert(DOWN))
    expect(w.pins.size).toBe(pins.length)
    expect(w.messages.join('\n')).toContain(`re-pinned 0 of its pins elsewhere, ${pins.length} failed (first: no leader); trying again`)
    w.commitFails.value = false
    await vi.advanceTimersByTimeAsync(CHECK_MS)
    expect(w.pins.size).toBe(0)
  })

  it('a peer that still answered is swept again one check later, without a new alert', async () => {
    const w = world([pinOf(1)].filter(p => isClosestPeer(SELF, p.cid, [SELF, OTHER], DOWN)).concat(pinOf(2), pinOf(3)))
    w.answers.value = true
    await w.log.handle(pingAlert(DOWN))
    const before = w.pins.size
    expect(w.messages[0]).toContain('expired but it answers')
    w.answers.value = false
    await vi.advanceTimersByTimeAsync(CHECK_MS)
    expect(w.pins.size).toBeLessThan(before)
  })

  it('a sweep whose pins could not be re-allocated is tried again while the peer stays down', async () => {
    const w = world(Array.from({ length: 40 }, (_, i) => pinOf(i)))
    w.repinFails.value = true
    await w.log.handle(pingAlert(DOWN))
    expect(w.messages.join('\n')).toContain('failed (first: not enough peers to allocate); trying again')
    w.repinFails.value = false
    await vi.advanceTimersByTimeAsync(CHECK_MS)
    // The pins this peer is closest to have moved; the others wait for OTHER, then are taken over.
    expect([...w.pins.values()].every(p => !isClosestPeer(SELF, p.cid, [SELF, OTHER], DOWN))).toBe(true)
    expect(w.pins.size).toBeGreaterThan(0)
    await vi.advanceTimersByTimeAsync(10 * CHECK_MS)
    expect(w.pins.size).toBe(0)
  })

  it('a sweep whose re-pins keep failing stops early (a million pins are not each tried in vain), and tries again later', async () => {
    const w = world(Array.from({ length: 400 }, (_, i) => pinOf(i)))
    w.repinFails.value = true
    await w.log.handle(pingAlert(DOWN))
    expect(w.attempts.value).toBe(GIVE_UP_AFTER_FAILURES)
    expect(w.messages.join('\n')).toContain(`${GIVE_UP_AFTER_FAILURES} failed (first: not enough peers to allocate), the others not tried; trying again`)
    w.repinFails.value = false
    await vi.advanceTimersByTimeAsync(CHECK_MS)
    expect([...w.pins.values()].every(p => !isClosestPeer(SELF, p.cid, [SELF, OTHER], DOWN))).toBe(true)
  })

  it('a sweep that gives up still commits what it prepared first', async () => {
    const pins = Array.from({ length: 200 }, (_, i) => pinOf(i)).filter(p => isClosestPeer(SELF, p.cid, [SELF, OTHER], DOWN))
    expect(pins.length).toBeGreaterThan(GIVE_UP_AFTER_FAILURES + 5)
    const w = world(pins)
    w.preparable.value = 5
    await w.log.handle(pingAlert(DOWN))
    expect(w.attempts.value).toBe(5 + GIVE_UP_AFTER_FAILURES)
    expect(w.commits).toEqual([5])
    expect(w.pins.size).toBe(pins.length - 5)
    expect(w.messages.join('\n')).toContain(`re-pinned 5 of its pins elsewhere, ${GIVE_UP_AFTER_FAILURES} failed (first: not enough peers to allocate), the others not tried; trying again`)
  })

  it('stops sweeping when the peer is back, and when the log is stopped', async () => {
    const w = world(Array.from({ length: 40 }, (_, i) => pinOf(i)))
    w.repinFails.value = true
    await w.log.handle(pingAlert(DOWN))
    w.down.value = false
    w.repinFails.value = false
    await vi.advanceTimersByTimeAsync(20 * CHECK_MS)
    expect(w.pins.size).toBe(40)

    w.down.value = true
    w.repinFails.value = true
    await w.log.handle(pingAlert(DOWN))
    w.log.stop()
    w.repinFails.value = false
    await vi.advanceTimersByTimeAsync(20 * CHECK_MS)
    expect(w.pins.size).toBe(40)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('in follower mode or with repinning disabled nothing moves', async () => {
    for (const options of [{ followerMode: true, disableRepinning: false }, { followerMode: false, disableRepinning: true }]) {
      const pins = [pinOf(1), pinOf(2)]
      let repins = 0
      const log = new AlertLog({
        options: { ...options, checkIntervalMs: CHECK_MS },
        rpc: { call: async () => { throw new Error('dial refused') } } as unknown as RpcClient,
        repinContext: () => ({ self: SELF, peerset: () => [SELF], allocatedTo: () => [pins], prepare: async (pin) => { repins++; return pin }, commit: async function * (ready) { repins += ready.length; yield { pins: ready } } }),
        stillDown: () => true,
        log: () => {}
      })
      await log.handle(pingAlert(DOWN))
      await vi.advanceTimersByTimeAsync(20 * CHECK_MS)
      expect(repins).toBe(0)
    }
  })
})

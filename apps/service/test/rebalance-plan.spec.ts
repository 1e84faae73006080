/**
 * The rebalance plan, steps and persisted progress, without daemons: the plan balances and then
 * stays put, a step adds before it removes and gives a move up when its new peers do not pin,
 * and the progress file reads back what was written.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CID, Timestamp, defaultPinOptions, type Metric, type PeerId, type Pin, type RebalanceMove } from '@cluster/api'
import { planPin, type PlanContext, type PlannedLoad } from '../src/cluster/rebalance/plan.ts'
import { runStep, type StepHost } from '../src/cluster/rebalance/steps.ts'
import { RebalanceStore } from '../src/cluster/rebalance/store.ts'

const PEERS = ['12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', '12D3KooWCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'] as PeerId[]
const [A, B, C] = PEERS as [PeerId, PeerId, PeerId]
const MB = 1_000_000n

function cidOf (i: number): CID {
  const bytes = new TextEncoder().encode(`pin ${i}`)
  return CID.decode(Uint8Array.from([0x01, 0x55, 0x00, bytes.length, ...bytes]))
}

function pinOf (i: number, allocations: PeerId[], rf = 2): Pin {
  return { ...defaultPinOptions(), cid: cidOf(i), type: 'pin', allocations, maxDepth: -1, reference: undefined, timestamp: Timestamp.ZERO, replicationFactorMin: rf, replicationFactorMax: rf }
}

function freespace (peer: PeerId, free: bigint): Metric {
  return { name: 'freespace', peer, value: free.toString(), expire: 0n, valid: true, weight: Number(free), partitionable: false, receivedAt: 0n }
}

/** Free space of each peer when it holds `counts[peer]` pins of `size` bytes. */
function contextFor (counts: Record<string, number>, size: bigint, peers: PeerId[] = PEERS): PlanContext {
  const total = 10_000n * MB
  return { allocateBy: ['freespace'], metrics: new Map([['freespace', peers.map(p => freespace(p, total - BigInt(counts[p] ?? 0) * size))]]), pinBytes: size }
}

function countsOf (pins: Pin[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const pin of pins) for (const p of pin.allocations ?? []) counts[p] = (counts[p] ?? 0) + 1
  return counts
}

/** Plans every pin and applies the moves; returns how many moved. */
function rebalanceAll (pins: Pin[], ctx: PlanContext): number {
  const load: PlannedLoad = new Map()
  let moves = 0
  for (const [i, pin] of pins.entries()) {
    const to = planPin(ctx, load, pin)
    if (to === undefined) continue
    moves++
    pins[i] = { ...pin, allocations: to }
  }
  return moves
}

describe('rebalance plan', () => {
  it('spreads pins held by 2 of 3 peers over all 3, then plans nothing more', () => {
    const pins = Array.from({ length: 12 }, (_, i) => pinOf(i, [A, B]))
    const moves = rebalanceAll(pins, contextFor(countsOf(pins), MB))
    expect(moves).toBe(8)
    expect(countsOf(pins)).toEqual({ [A]: 8, [B]: 8, [C]: 8 })
    expect(pins.every(p => p.allocations?.length === 2)).toBe(true)
    // The metrics now show the balanced cluster: a second rebalance moves nothing.
    expect(rebalanceAll(pins, contextFor(countsOf(pins), MB))).toBe(0)
  })

  it('moves pins away from a peer with too little free space', () => {
    const pins = Array.from({ length: 6 }, (_, i) => pinOf(i, i % 2 === 0 ? [A, B] : [A, C]))
    const ctx = contextFor(countsOf(pins), MB)
    // A's repository also holds 3 MB of other data: with 2 pins it has as much free as B and
    // C with 5 each.
    const metrics = ctx.metrics.get('freespace') as Metric[]
    const crowded = metrics.map(m => m.peer === A ? freespace(A, BigInt(m.weight) - 3n * MB) : m)
    const moves = rebalanceAll(pins, { ...ctx, metrics: new Map([['freespace', crowded]]) })
    expect(moves).toBe(4)
    expect(countsOf(pins)).toEqual({ [A]: 2, [B]: 5, [C]: 5 })
    expect(pins.every(p => p.allocations?.length === 2)).toBe(true)
  })

  it('moves the pins of a peer without metrics (gone) and keeps pins that are fine', () => {
    const pins = [pinOf(0, [A, C]), pinOf(1, [A, B])]
    const ctx = contextFor({ [A]: 2, [B]: 1 }, MB, [A, B])
    const load: PlannedLoad = new Map()
    expect(planPin(ctx, load, pins[0] as Pin)?.sort()).toEqual([A, B].sort())
    expect(planPin(ctx, load, pins[1] as Pin)).toBeUndefined()
  })

  it('refuses a pin that cannot get enough peers (the allocator error)', () => {
    const ctx = contextFor({}, MB, [A])
    expect(() => planPin(ctx, new Map(), pinOf(0, [A, B]))).toThrow(/not enough peers/)
  })
})

/** A pinset in memory whose peers pin a CID `delay` polls after it is allocated to them. */
function fakeStepHost (pins: Pin[], pinsOn: (peer: PeerId) => boolean): StepHost & { history: Array<Array<PeerId[]>> } {
  const state = new Map(pins.map(p => [p.cid.toString(), p]))
  const history: Array<Array<PeerId[]>> = []
  return {
    history,
    get: cid => state.get(cid.toString()),
    commit: async batch => {
      history.push(batch.map(p => p.allocations ?? []))
      for (const pin of batch) state.set(pin.cid.toString(), pin)
    },
    statuses: async cid => Object.fromEntries((state.get(cid.toString())?.allocations ?? []).map(p => [p, pinsOn(p) ? 'pinned' : 'pinning'])),
    moveTimeoutMs: 300,
    pollMs: 20
  }
}

describe('rebalance step', () => {
  it('adds the new peers first, removes the old ones once they pinned', async () => {
    const pins = [pinOf(1, [A, B]), pinOf(2, [A, B])]
    const host = fakeStepHost(pins, () => true)
    const moves: RebalanceMove[] = pins.map(p => ({ cid: p.cid, name: '', from: [A, B], to: [A, C] }))
    const outcomes = await runStep(host, moves)
    expect(outcomes.map(o => o.result)).toEqual(['moved', 'moved'])
    expect(host.history).toEqual([[[A, C, B], [A, C, B]], [[A, C], [A, C]]])
  })

  it('goes back to the old allocation when the new peer does not pin in time, and skips changed pins', async () => {
    const pins = [pinOf(1, [A, B]), pinOf(2, [B, C])]
    const host = fakeStepHost(pins, p => p !== C)
    const outcomes = await runStep(host, [
      { cid: cidOf(1), name: '', from: [A, B], to: [A, C] },
      { cid: cidOf(2), name: '', from: [A, B], to: [A, C] }
    ])
    expect(outcomes.map(o => o.result)).toEqual(['failed', 'skipped'])
    expect(outcomes[0]?.error).toMatch(/did not pin it/)
    expect(host.history).toEqual([[[A, C, B]], [[A, B]]])
  })

  it('continues a step interrupted after its first commit (resumed after a restart)', async () => {
    const host = fakeStepHost([pinOf(1, [A, C, B]), pinOf(2, [A, C])], () => true)
    const moves = [1, 2].map(i => ({ cid: cidOf(i), name: '', from: [A, B], to: [A, C] }))
    expect((await runStep(host, moves)).map(o => o.result)).toEqual(['moved', 'moved'])
    expect(host.history).toEqual([[[A, C]]])
  })
})

describe('rebalance progress file', () => {
  let dir: string | undefined
  afterEach(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('reads back the request, the count done and the step in progress', () => {
    dir = mkdtempSync(join(tmpdir(), 'rebalance-store-'))
    const store = new RebalanceStore(dir)
    expect(store.load()).toBeUndefined()
    const after = Timestamp.parse('2024-05-01T00:00:00.123456789Z')
    store.save({
      request: { search: { name: { match: 'prefix', value: 'x' }, allocations: [A], after, metadata: [['k', 'v']] }, limit: 5, dryRun: false },
      done: 3,
      inFlight: [{ cid: cidOf(1), name: 'one', from: [A, B], to: [A, C] }]
    })
    const back = store.load()
    expect(back?.done).toBe(3)
    expect(back?.request.limit).toBe(5)
    expect(back?.request.search.name).toEqual({ match: 'prefix', value: 'x' })
    expect(back?.request.search.after?.unixNanos).toBe(after.unixNanos)
    expect(back?.request.search.allocations).toEqual([A])
    expect(back?.inFlight[0]?.cid.equals(cidOf(1))).toBe(true)
    expect(back?.inFlight[0]?.to).toEqual([A, C])
    store.clear()
    expect(store.load()).toBeUndefined()
  })
})

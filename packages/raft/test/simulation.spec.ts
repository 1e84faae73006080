import { describe, expect, it } from 'vitest'
import { checkLinearizable } from './sim/linearizability.ts'
import type { HistoryOp } from './sim/linearizability.ts'
import { runSimulation } from './sim/simulator.ts'
import type { SimResult } from './sim/simulator.ts'

const STEPS = 3000
const SEEDS_PER_SIZE = 20

function explain (r: SimResult): string {
  return [
    `seed ${r.seed} (${r.nodes} nodes) failed: ${r.violation ?? ''}`,
    `replay: node --conditions=source packages/raft/scripts/sim-campaign.ts --seed ${r.seed} --nodes ${r.nodes} --steps ${STEPS} --verbose`,
    ...r.trace.slice(-80)
  ].join('\n')
}

const put = (id: string, value: string, invoke: number, response: number): HistoryOp => ({ id, key: 'k', kind: 'put', value, invoke, response })
const get = (id: string, value: string | null, invoke: number, response: number): HistoryOp => ({ id, key: 'k', kind: 'get', value, invoke, response })

describe('linearizability checker', () => {
  it('accepts a sequential history and concurrent overlaps in either order', () => {
    expect(checkLinearizable([put('w1', 'a', 1, 2), get('r1', 'a', 3, 4)]).ok).toBe(true)
    expect(checkLinearizable([put('w1', 'a', 1, 4), get('r1', 'a', 2, 3), get('r2', null, 2.5, 3.5)]).ok).toBe(true)
  })

  it('rejects a stale read after a completed write', () => {
    const r = checkLinearizable([put('w1', 'a', 1, 2), put('w2', 'b', 3, 4), get('r1', 'a', 5, 6)])
    expect(r.ok).toBe(false)
  })

  it('rejects reads that go back in time', () => {
    const r = checkLinearizable([put('w1', 'a', 1, 10), get('r1', 'a', 2, 3), get('r2', null, 4, 5)])
    expect(r.ok).toBe(false)
  })

  it('lets an unfinished write take effect late, or never', () => {
    expect(checkLinearizable([put('w1', 'a', 1, Infinity), get('r1', null, 2, 3), get('r2', 'a', 4, 5)]).ok).toBe(true)
    expect(checkLinearizable([put('w1', 'a', 1, Infinity), get('r1', null, 2, 3)]).ok).toBe(true)
    // but not before it was invoked
    expect(checkLinearizable([get('r1', 'a', 1, 2), put('w1', 'a', 3, Infinity)]).ok).toBe(false)
  })

  it('checks keys independently', () => {
    const other: HistoryOp = { id: 'x', key: 'other', kind: 'get', value: 'zzz', invoke: 1, response: 2 }
    expect(checkLinearizable([put('w1', 'a', 1, 2), other]).ok).toBe(false)
  })
})

describe('deterministic simulation', () => {
  it('is reproducible from the seed', () => {
    const a = runSimulation({ seed: 4242, nodes: 3, steps: 800 })
    const b = runSimulation({ seed: 4242, nodes: 3, steps: 800 })
    expect(b.trace).toEqual(a.trace)
    expect(b.stats).toEqual(a.stats)
  })

  for (const nodes of [3, 5]) {
    it(`${SEEDS_PER_SIZE} seeds x ${STEPS} ticks with ${nodes} nodes keep every safety property and stay live`, () => {
      const totals: Record<string, number> = {}
      for (let i = 0; i < SEEDS_PER_SIZE; i++) {
        const seed = nodes * 1000 + i
        const r = runSimulation({ seed, nodes, steps: STEPS })
        if (!r.ok) expect.fail(explain(r))
        expect(r.linearizability, `seed ${seed}`).not.toBe('failed')
        for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + v
      }
      // the runs really exercised the faults and the clients
      expect(totals.crashes).toBeGreaterThan(0)
      expect(totals.crashesLosingWrites).toBeGreaterThan(0)
      expect(totals.partitions).toBeGreaterThan(0)
      expect(totals.snapshotsDelivered).toBeGreaterThan(0)
      expect(totals.confChangesApplied).toBeGreaterThan(0)
      expect(totals.transfers).toBeGreaterThan(0)
      expect(totals.completed).toBeGreaterThan(100)
    }, 240_000)
  }
})

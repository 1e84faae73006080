// PinsetState.applyGroup: the entries Raft commits together are applied in one transaction; the
// tracker hears of them only once that transaction has committed, and a failure in the middle
// leaves none of them applied.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { cidToString, defaultPinOptions, Timestamp, type Pin } from '@cluster/api'
import { syntheticCid } from '@cluster/test-utils'
import { encodeOp, PinsetState } from '@cluster/consensus'
import { tempDir } from './helpers.ts'

function pin (i: number): Pin {
  return {
    ...defaultPinOptions(), name: `p-${i}`, replicationFactorMin: -1, replicationFactorMax: -1,
    cid: syntheticCid(i), type: 'pin', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.fromUnixMillis(1_750_000_000_000)
  }
}

/** What another connection (a snapshot copy, an offline reader) sees of the file. */
function committed (path: string): { pins: number, applied: number } {
  const db = new Database(path, { readonly: true })
  try {
    const pins = (db.prepare('SELECT count(*) AS n FROM pins').get() as { n: number }).n
    const applied = (db.prepare("SELECT value FROM state_meta WHERE key = 'applied'").get() as { value: number } | undefined)?.value ?? 0
    return { pins, applied }
  } finally { db.close() }
}

describe('PinsetState.applyGroup', () => {
  it('applies a group in one transaction and calls the hooks once it has committed, in order', () => {
    const path = join(tempDir(), 'pinset.sqlite')
    const heard: Array<{ cid: string, seen: { pins: number, applied: number } }> = []
    const s = new PinsetState(path, {
      onPin: (p) => { heard.push({ cid: cidToString(p.cid), seen: committed(path) }) },
      onUnpin: (p) => { heard.push({ cid: `-${cidToString(p.cid)}`, seen: committed(path) }) }
    })
    s.apply(encodeOp({ type: 'pin', pin: pin(0) }), 1)
    const inside: Array<{ pins: number, applied: number }> = []
    s.applyGroup(() => {
      s.apply(encodeOp({ type: 'pin', pin: pin(1) }), 2, 'a')
      s.apply(encodeOp({ type: 'unpin', pin: pin(0) }), 3, 'b')
      s.apply(encodeOp({ type: 'pin', pin: pin(2) }), 4, 'c')
      inside.push(committed(path))
    })
    // Nothing of the group was visible to another connection before the end; all of it after.
    expect(inside).toEqual([{ pins: 1, applied: 1 }])
    expect(committed(path)).toEqual({ pins: 2, applied: 4 })
    expect(heard.map(h => h.cid)).toEqual([cidToString(syntheticCid(0)), cidToString(syntheticCid(1)), `-${cidToString(syntheticCid(0))}`, cidToString(syntheticCid(2))])
    for (const h of heard.slice(1)) expect(h.seen).toEqual({ pins: 2, applied: 4 })
    expect(s.count()).toBe(2)
    // A proposal of the group seen again (re-sent to a new leader) is skipped as before.
    s.apply(encodeOp({ type: 'pin', pin: pin(9) }), 5, 'c')
    expect(s.has(syntheticCid(9))).toBe(false)
    s.close()
  })

  it('a failure inside the group rolls every entry of it back and calls no hook', () => {
    const path = join(tempDir(), 'pinset.sqlite')
    const heard: string[] = []
    const s = new PinsetState(path, { onPin: (p) => { heard.push(cidToString(p.cid)) } })
    s.apply(encodeOp({ type: 'pin', pin: pin(0) }), 1)
    expect(s.count()).toBe(1)
    heard.length = 0
    const failure = new Error('disk full')
    expect(() => {
      s.applyGroup(() => {
        s.apply(encodeOp({ type: 'pin', pin: pin(1) }), 2)
        s.apply(encodeOp({ type: 'pin', pin: pin(2) }), 3)
        throw failure
      })
    }).toThrow(failure)
    expect(heard).toEqual([])
    expect(s.appliedIndex()).toBe(1)
    expect(s.has(syntheticCid(1))).toBe(false)
    expect(s.count()).toBe(1)
    // Applied again after the failure (as Raft replays after a restart), they land once.
    s.applyGroup(() => {
      s.apply(encodeOp({ type: 'pin', pin: pin(1) }), 2)
      s.apply(encodeOp({ type: 'pin', pin: pin(2) }), 3)
    })
    expect(heard).toEqual([cidToString(syntheticCid(1)), cidToString(syntheticCid(2))])
    expect(s.count()).toBe(3)
    s.close()
  })
})

// PinsetState.count(): counted once, then kept as entries apply (what the metrics read at every
// scrape), always equal to a real count of the table.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { defaultPinOptions, Timestamp, type Pin } from '@cluster/api'
import { syntheticCid } from '@cluster/test-utils'
import { encodeBatches, encodeOp, PinsetState } from '@cluster/consensus'
import { tempDir } from './helpers.ts'

function pin (i: number, name = `p-${i}`): Pin {
  return {
    ...defaultPinOptions(), name, replicationFactorMin: -1, replicationFactorMax: -1,
    cid: syntheticCid(i), type: 'pin', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.fromUnixMillis(1_750_000_000_000)
  }
}

function tableCount (path: string): number {
  const db = new Database(path, { readonly: true })
  try { return (db.prepare('SELECT count(*) AS n FROM pins').get() as { n: number }).n } finally { db.close() }
}

describe('PinsetState.count', () => {
  it('follows new pins, replaced pins, unpins of present and absent pins, batches and a full replacement', () => {
    const path = join(tempDir(), 'pinset.sqlite')
    const s = new PinsetState(path)
    let index = 0
    const apply = (payload: Uint8Array): void => { s.apply(payload, ++index) }
    for (let i = 0; i < 5; i++) apply(encodeOp({ type: 'pin', pin: pin(i) }))
    expect(s.count()).toBe(5)
    apply(encodeOp({ type: 'pin', pin: pin(2, 'renamed') })) // a replacement is not a new pin
    apply(encodeOp({ type: 'unpin', pin: pin(3) }))
    apply(encodeOp({ type: 'unpin', pin: pin(99) })) // absent: nothing removed
    expect(s.count()).toBe(4)
    for (const { payload } of encodeBatches([{ type: 'pin', pin: pin(10) }, { type: 'pin', pin: pin(0) }, { type: 'unpin', pin: pin(1) }, { type: 'pin', pin: pin(11) }])) apply(payload)
    expect(s.count()).toBe(5)
    expect(s.count()).toBe(tableCount(path))
    s.replaceAll([pin(20), pin(21)], ++index)
    expect(s.count()).toBe(2)
    apply(encodeOp({ type: 'pin', pin: pin(22) }))
    expect(s.count()).toBe(3)
    expect(s.count()).toBe(tableCount(path))
    s.close()
  })
})

import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultPinOptions, Timestamp, type Pin } from '@cluster/api'
import { MemoryNetwork } from '@cluster/raft/node'
import { syntheticCid } from '@cluster/test-utils'
import { BATCH_ENTRY_BYTES, decodeOp, encodeBatches, encodeOp, RaftConsensus, type LogOp } from '@cluster/consensus'
import { tempDir, track } from './helpers.ts'

const P1 = '12D3KooWNq9R2NvdUKS2UinbUnRcQwmmj9k8ZDEXKsjg9JGkCPyR'
const P2 = '12D3KooWJ7JLjFub4u2vrx8asEMz5gnbA2U5199GcXMfWaStDbAV'
const P3 = '12D3KooWJVyhPXhspHCmP1qkstWB5HJ19j3REsBmBBpUEUEaiqzM'

function pin (i: number): Pin {
  return {
    ...defaultPinOptions(), name: `batch-${i}`, metadata: { n: String(i) }, replicationFactorMin: 1, replicationFactorMax: 1,
    cid: syntheticCid(i), type: 'pin', allocations: [P1], maxDepth: -1, reference: undefined, timestamp: Timestamp.fromUnixMillis(1_750_000_000_000 + i)
  }
}

describe('batch log entries', () => {
  it('split at about 512 KiB, decode back to the same operations, beside the single-operation entries', () => {
    const ops: LogOp[] = Array.from({ length: 3000 }, (_, i) => ({ type: i % 3 === 2 ? 'unpin' : 'pin', pin: pin(i) }))
    const entries = encodeBatches(ops)
    expect(entries.length).toBeGreaterThan(1)
    for (const e of entries) expect(e.payload.length).toBeLessThanOrEqual(BATCH_ENTRY_BYTES + 1)
    const decoded = entries.flatMap(e => { const d = decodeOp(e.payload); return d.type === 'batch' ? d.ops : [] })
    expect(decoded.map(o => [o.type, o.pin.cid.toString(), o.pin.name])).toEqual(ops.map(o => [o.type, o.pin.cid.toString(), o.pin.name]))
    // Entries written before batches existed read as they always did.
    expect(decodeOp(encodeOp({ type: 'pin', pin: pin(1) }))).toMatchObject({ type: 'pin', pin: { name: 'batch-1' } })
    const bad = new Uint8Array([3, ...new TextEncoder().encode('[{"type":"move","pin":{}}]')])
    expect(() => decodeOp(bad)).toThrow(/unknown batch item type "move"/)
  })

  it('commit through Raft to every peer\'s pinset in few entries, and tell the tracker of each pin', async () => {
    const dir = tempDir()
    const net = new MemoryNetwork()
    const ids = [P1, P2, P3]
    const tracked: string[] = []
    const peers = ids.map(id => track(new RaftConsensus({
      id, dataDir: join(dir, id), transport: net.transport(id),
      config: { heartbeatTimeoutMs: 100, waitForLeaderTimeoutMs: 10_000, commitRetries: 3, commitRetryDelayMs: 20, initPeerset: ids },
      hooks: id === P3 ? { onPin: p => tracked.push(`+${p.name}`), onUnpin: p => tracked.push(`-${p.name}`) } : {}
    })))
    await peers[0]?.waitForLeader()
    const follower = peers.find(p => !p.isLeader()) as RaftConsensus
    const before = follower.state.appliedIndex()
    const ops: LogOp[] = Array.from({ length: 2000 }, (_, i) => ({ type: 'pin', pin: pin(i) }))
    const groups = []
    for await (const g of follower.logBatch(ops)) groups.push(g)
    expect(groups.every(g => g.error === undefined)).toBe(true)
    expect(groups.flatMap(g => g.ops)).toHaveLength(2000)
    // Few entries (a batch is about 512 KiB), not 2,000: one per group, plus the empty entry
    // each new leader appends (elections happen when a loaded machine delays heartbeats).
    expect(groups.length).toBeLessThan(10)
    expect(follower.state.appliedIndex() - before).toBeLessThan(groups.length + 20)

    const unpins: LogOp[] = [0, 5, 9].map(i => ({ type: 'unpin', pin: pin(i) }))
    for await (const g of follower.logBatch(unpins)) expect(g.error).toBeUndefined()
    for (const p of peers) await p.readBarrier()
    for (const p of peers) {
      expect(p.state.count()).toBe(1997)
      expect([...p.state.searchCids({ metadata: [['n', '7']] })].flat()).toEqual([pin(7).cid.toString()])
    }
    expect(tracked.filter(t => t.startsWith('+'))).toHaveLength(2000)
    expect(tracked.slice(-3)).toEqual(['-batch-0', '-batch-5', '-batch-9'])
  })
})

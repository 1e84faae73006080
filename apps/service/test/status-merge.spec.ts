/**
 * The global status stream (Go's globalPinInfoStream) as a k-way merge of the members' streams,
 * each in CID-string order: one entry per CID with every member's status, failed members'
 * `cluster_error` on the CIDs they did not cover, back-pressure (a member is read only as far as
 * the output needs), and the members' streams closed when the consumer stops.
 */
import { describe, expect, it } from 'vitest'
import { RpcError } from '@cluster/rpc'
import { defaultPinOptions, Timestamp, TRACKER_STATUS_BITS, type CID, type GlobalPinInfo, type Pin, type PinInfo, type TrackerStatus } from '@cluster/api'
import { syntheticCid } from '@cluster/test-utils'
import { globalInfo, globalStream, type FanoutContext } from '../src/cluster/fanout.ts'
import { syntheticInfo } from '../src/cluster/aggregate.ts'

const MEMBERS = ['peerA', 'peerB', 'peerC']
const card = (peer: string): { peername: string, ipfsAddresses: string[] } => ({ peername: `name-${peer}`, ipfsAddresses: [] })
const ctx: FanoutContext = { rpc: undefined as never, peerset: () => MEMBERS, card, state: { get: () => undefined } }

/** `n` CIDs sorted by their string, as a pinset lists them. */
function sortedCids (n: number): CID[] {
  return Array.from({ length: n }, (_, i) => syntheticCid(i)).sort((a, b) => a.toString() < b.toString() ? -1 : 1)
}

function info (cid: CID, peer: string, status: TrackerStatus = 'pinned'): PinInfo {
  return syntheticInfo(cid, peer, card(peer), status, Timestamp.now())
}

interface Source { pulled: number, closed: boolean }

/** A member's stream of `cids`, failing with `failWith` after `failAfter` items; counts pulls. */
function member (peer: string, cids: CID[], src: Source, failAfter = Infinity, failWith: Error = new RpcError('transport', `${peer} gone`)): AsyncIterable<PinInfo> {
  return (async function * () {
    try {
      for (const [i, cid] of cids.entries()) {
        if (i >= failAfter) throw failWith
        await Promise.resolve()
        src.pulled++
        yield info(cid, peer, peer === 'peerC' ? 'remote' : 'pinned')
      }
    } finally {
      src.closed = true
    }
  })()
}

async function collect (it: AsyncIterable<GlobalPinInfo>): Promise<GlobalPinInfo[]> {
  const out: GlobalPinInfo[] = []
  for await (const g of it) out.push(g)
  return out
}

describe('globalStream: k-way merge by CID', () => {
  it('one entry per CID, in CID order, with every member\'s status; CIDs only some members have are merged in place', async () => {
    const cids = sortedCids(500)
    const sources = new Map(MEMBERS.map(m => [m, { pulled: 0, closed: false }]))
    const only = new Set([cids[3]!.toString(), cids[400]!.toString()])
    const out = await collect(globalStream(ctx, peer => member(peer, peer === 'peerB' ? cids : cids.filter(c => !only.has(c.toString())), sources.get(peer)!), 0))
    expect(out.map(g => g.cid.toString())).toEqual(cids.map(c => c.toString()))
    for (const g of out) {
      const peers = Object.keys(g.peerMap ?? {}).sort()
      expect(peers).toEqual(only.has(g.cid.toString()) ? ['peerB'] : MEMBERS)
    }
    expect(out[0]!.peerMap?.peerC?.status).toBe('remote')
  })

  it('a member failing mid-stream keeps its entries before and gets cluster_error on every later CID', async () => {
    const cids = sortedCids(300)
    const src = (): Source => ({ pulled: 0, closed: false })
    const out = await collect(globalStream(ctx, peer => member(peer, cids, src(), peer === 'peerB' ? 100 : Infinity), 0))
    expect(out).toHaveLength(300)
    out.forEach((g, i) => {
      expect(Object.keys(g.peerMap ?? {}).sort()).toEqual(MEMBERS)
      const b = g.peerMap?.peerB
      if (i < 100) expect(b?.status).toBe('pinned')
      else {
        expect(b?.status).toBe('cluster_error')
        expect(b?.error).toBe('peerB gone')
        expect(b?.peername).toBe('name-peerB')
      }
      expect(g.peerMap?.peerA?.status).toBe('pinned')
    })
  })

  it('a member failing at once: an error entry on every CID; an authorization refusal adds none', async () => {
    const cids = sortedCids(50)
    const src = (): Source => ({ pulled: 0, closed: false })
    const out = await collect(globalStream(ctx, peer => peer === 'peerA' ? member(peer, cids, src(), 0) : member(peer, cids, src(), peer === 'peerC' ? 0 : Infinity, new RpcError('authorization', 'no')), 0))
    expect(out).toHaveLength(50)
    for (const g of out) {
      expect(Object.keys(g.peerMap ?? {}).sort()).toEqual(['peerA', 'peerB'])
      expect(g.peerMap?.peerA?.status).toBe('cluster_error')
    }
  })

  it('filters on the merged entry (any member matching)', async () => {
    const cids = sortedCids(20)
    const src = (): Source => ({ pulled: 0, closed: false })
    const out = await collect(globalStream(ctx, peer => member(peer, cids, src()), TRACKER_STATUS_BITS.remote))
    expect(out).toHaveLength(20)
    const none = await collect(globalStream(ctx, peer => member(peer, cids, src()), TRACKER_STATUS_BITS.pin_error))
    expect(none).toHaveLength(0)
  })

  it('reads each member only as far as the output goes, and closes every member stream when the consumer stops', async () => {
    const cids = sortedCids(10_000)
    const sources = new Map(MEMBERS.map(m => [m, { pulled: 0, closed: false }]))
    const signals: AbortSignal[] = []
    let n = 0
    for await (const g of globalStream(ctx, (peer, signal) => { signals.push(signal); return member(peer, cids, sources.get(peer)!) }, 0)) {
      expect(g.cid.toString()).toBe(cids[n]!.toString())
      if (++n === 1000) break
    }
    for (const s of sources.values()) {
      expect(s.pulled).toBeLessThanOrEqual(1002)
      expect(s.closed).toBe(true)
    }
    expect(signals.every(s => s.aborted)).toBe(true)
  })

  it('an item a member yields out of order after its CID went out comes as an entry of its own', async () => {
    const cids = sortedCids(10)
    const src = (): Source => ({ pulled: 0, closed: false })
    const shuffled = [...cids.slice(0, 5), cids[1]!, ...cids.slice(5)]
    const out = await collect(globalStream(ctx, peer => member(peer, peer === 'peerA' ? shuffled : cids, src()), 0))
    expect(out).toHaveLength(11)
    const lone = out.filter(g => Object.keys(g.peerMap ?? {}).length === 1)
    expect(lone.map(g => [g.cid.toString(), Object.keys(g.peerMap ?? {})])).toEqual([[cids[1]!.toString(), ['peerA']]])
  })
})

describe('globalInfo: the status of one CID', () => {
  it('takes the pin fields from this peer\'s state, not from a member that has not merged the pin yet', async () => {
    const cid = syntheticCid(7)
    const pin: Pin = { ...defaultPinOptions(), cid, type: 'data', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.ZERO, name: 'just pinned', metadata: { k: 'v' } }
    // peerA and peerB have the pin (their trackers' infos carry its fields); peerC, answering
    // last, has not merged it yet: `unpinned` with blank fields, as a tracker answers then.
    const rpc = {
      call: async (peer: string) => peer === 'peerC' ? info(cid, peer, 'unpinned') : syntheticInfo(cid, peer, card(peer), 'pinning', Timestamp.now(), pin)
    } as unknown as FanoutContext['rpc']
    const global = await globalInfo({ ...ctx, rpc, state: { get: () => pin } }, cid, 'status')
    expect(Object.fromEntries(Object.entries(global.peerMap ?? {}).map(([p, e]) => [p, e.status]))).toEqual({ peerA: 'pinning', peerB: 'pinning', peerC: 'unpinned' })
    expect([global.name, global.allocations, global.metadata]).toEqual(['just pinned', [], { k: 'v' }])
  })
})

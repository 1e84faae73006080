/**
 * `GET /pins`'s fan-out over the wire: members of this version send their statuses on the lean
 * stream (PinTracker.StatusAllLean: the peer's fields sent once, no pin fields), a member of an
 * earlier version (no such method) is asked PinTracker.StatusAll, and both come out as the same
 * entries, whose pin fields are the asking peer's own.
 */
import type { Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPinOptions, parseMultiaddr, Timestamp, toStatusItems, type CID, type GlobalPinInfo, type Pin, type PinInfo } from '@cluster/api'
import { RpcClient, RpcServer } from '@cluster/rpc'
import { loopbackNode, syntheticCid } from '@cluster/test-utils'
import { syntheticInfo } from '../src/cluster/aggregate.ts'
import { Rpc } from '../src/cluster/rpc-methods.ts'
import { clusterStatusAll, type StatusContext } from '../src/cluster/statuses.ts'

const CIDS: CID[] = Array.from({ length: 600 }, (_, i) => syntheticCid(i)).sort((a, b) => a.toString() < b.toString() ? -1 : 1)
const card = (peer: string): { peername: string, ipfsAddresses: string[] } => ({ peername: `name-${peer.slice(-4)}`, ipfsAddresses: [`/ip4/127.0.0.1/tcp/${4000 + peer.length}`] })

/** The pin of CID i as `who` holds it (only the name differs, to see whose fields an entry shows). */
const pinOf = (cid: CID, who: string): Pin => ({ ...defaultPinOptions(), cid, type: 'data', allocations: [], maxDepth: -1, reference: undefined, timestamp: Timestamp.ZERO, name: `pin of ${who}`, metadata: { holder: who } })

function statuses (peer: string, cids = CIDS): PinInfo[] {
  return cids.map((cid) => ({ ...syntheticInfo(cid, peer, card(peer), CIDS.indexOf(cid) % 3 === 0 ? 'remote' : 'pinned', Timestamp.now(), pinOf(cid, peer)), ipfsPeerAddresses: [parseMultiaddr(card(peer).ipfsAddresses[0]!)] }))
}

describe('status fan-out over the wire', () => {
  let caller: Libp2p, current: Libp2p, earlier: Libp2p
  const asked: string[] = []

  beforeAll(async () => {
    [caller, current, earlier] = await Promise.all([loopbackNode(), loopbackNode(), loopbackNode()])
    for (const n of [current, earlier]) await caller.peerStore.merge(n.peerId, { multiaddrs: n.getMultiaddrs() })
    const currentId = current.peerId.toString()
    const earlierId = earlier.peerId.toString()
    const ofCurrent = new RpcServer({ self: currentId })
      .implement(Rpc.trackerStatusAll, async function * () { asked.push('current: StatusAll'); yield * statuses(currentId) })
      .implement(Rpc.trackerStatusAllLean, async function * () {
        asked.push('current: StatusAllLean')
        yield * toStatusItems((async function * () { yield * statuses(currentId) })())
      })
    await ofCurrent.listen(current)
    // A peer of an earlier version: StatusAll only.
    const ofEarlier = new RpcServer({ self: earlierId })
      .implement(Rpc.trackerStatusAll, async function * () { asked.push('earlier: StatusAll'); yield * statuses(earlierId) })
    await ofEarlier.listen(earlier)
  })

  afterAll(async () => { await Promise.all([caller?.stop(), current?.stop(), earlier?.stop()]) })

  it('merges the lean stream of a current peer and the full one of an earlier peer into the same entries, with this peer\'s pin fields', async () => {
    const callerId = caller.peerId.toString()
    // This peer's own statuses lack the last 10 CIDs; its state has the last 5 of them.
    const self = new RpcServer({ self: callerId })
      .implement(Rpc.trackerStatusAll, async function * () { yield * statuses(callerId, CIDS.slice(0, -10)) })
    const members = [current.peerId.toString(), earlier.peerId.toString(), callerId]
    const inState = new Set(CIDS.slice(-5).map(c => c.toString()))
    const state = { get: (cid: CID) => inState.has(cid.toString()) ? pinOf(cid, 'state') : undefined }
    const ctx: StatusContext = { rpc: new RpcClient(caller, self), peerset: () => members, card, state, tracker: undefined as never }
    const out: GlobalPinInfo[] = []
    for await (const g of clusterStatusAll(ctx, 0)) out.push(g)
    expect(asked.sort()).toEqual(['current: StatusAllLean', 'earlier: StatusAll'])
    expect(out.map(g => g.cid.toString())).toEqual(CIDS.map(c => c.toString()))
    // Pin fields: this peer's own info, else its state's pin, else blanks; never a member's.
    expect(out.slice(0, -10).every(g => g.name === `pin of ${callerId}` && g.metadata?.holder === callerId)).toBe(true)
    expect(out.slice(-10, -5).every(g => g.name === '' && g.metadata === null)).toBe(true)
    expect(out.slice(-5).every(g => g.name === 'pin of state' && g.metadata?.holder === 'state')).toBe(true)
    out.forEach((g, i) => {
      expect(g.peerMap?.[callerId] === undefined).toBe(i >= CIDS.length - 10)
      for (const m of members.slice(0, 2)) {
        const entry = g.peerMap?.[m]
        expect(entry).toMatchObject({ peername: card(m).peername, ipfsPeerAddresses: card(m).ipfsAddresses, status: i % 3 === 0 ? 'remote' : 'pinned', error: '' })
      }
    })
  }, 30_000)
})

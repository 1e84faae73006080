/**
 * `GET /pins`'s fan-out over the wire: members of this version send their statuses on the compact
 * stream (PinTracker.StatusAllCompact, the peer's fields sent once), a member of an earlier version
 * (no such method) is asked PinTracker.StatusAll, and both come out as the same entries.
 */
import type { Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseMultiaddr, Timestamp, toStatusItems, type CID, type GlobalPinInfo, type PinInfo } from '@cluster/api'
import { RpcClient, RpcServer } from '@cluster/rpc'
import { loopbackNode, syntheticCid } from '@cluster/test-utils'
import { syntheticInfo } from '../src/cluster/aggregate.ts'
import { Rpc } from '../src/cluster/rpc-methods.ts'
import { clusterStatusAll, type StatusContext } from '../src/cluster/statuses.ts'

const CIDS: CID[] = Array.from({ length: 600 }, (_, i) => syntheticCid(i)).sort((a, b) => a.toString() < b.toString() ? -1 : 1)
const card = (peer: string): { peername: string, ipfsAddresses: string[] } => ({ peername: `name-${peer.slice(-4)}`, ipfsAddresses: [`/ip4/127.0.0.1/tcp/${4000 + peer.length}`] })

function statuses (peer: string): PinInfo[] {
  return CIDS.map((cid, i) => ({ ...syntheticInfo(cid, peer, card(peer), i % 3 === 0 ? 'remote' : 'pinned', Timestamp.now()), ipfsPeerAddresses: [parseMultiaddr(card(peer).ipfsAddresses[0]!)] }))
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
      .implement(Rpc.trackerStatusAllCompact, async function * () {
        asked.push('current: StatusAllCompact')
        yield * toStatusItems((async function * () { yield * statuses(currentId) })())
      })
    await ofCurrent.listen(current)
    // A peer of an earlier version: StatusAll only.
    const ofEarlier = new RpcServer({ self: earlierId })
      .implement(Rpc.trackerStatusAll, async function * () { asked.push('earlier: StatusAll'); yield * statuses(earlierId) })
    await ofEarlier.listen(earlier)
  })

  afterAll(async () => { await Promise.all([caller?.stop(), current?.stop(), earlier?.stop()]) })

  it('merges the compact stream of a current peer and the full one of an earlier peer into the same entries', async () => {
    const self = new RpcServer({ self: caller.peerId.toString() })
    const members = [current.peerId.toString(), earlier.peerId.toString()]
    const ctx: StatusContext = { rpc: new RpcClient(caller, self), peerset: () => members, card, state: { get: () => undefined }, tracker: undefined as never }
    const out: GlobalPinInfo[] = []
    for await (const g of clusterStatusAll(ctx, 0)) out.push(g)
    expect(asked.sort()).toEqual(['current: StatusAllCompact', 'earlier: StatusAll'])
    expect(out.map(g => g.cid.toString())).toEqual(CIDS.map(c => c.toString()))
    out.forEach((g, i) => {
      for (const m of members) {
        const entry = g.peerMap?.[m]
        expect(entry).toMatchObject({ peername: card(m).peername, ipfsPeerAddresses: card(m).ipfsAddresses, status: i % 3 === 0 ? 'remote' : 'pinned', error: '' })
      }
    })
  }, 30_000)
})

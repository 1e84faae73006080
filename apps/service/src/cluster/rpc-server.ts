import { parseCid, toStatusItems, type PeerId } from '@cluster/api'
import type { RpcServer } from '@cluster/rpc'
import type { ClusterPeer } from './peer.ts'
import { Rpc } from './rpc-methods.ts'

/** What the RPC server uses of the peer: its identity, membership, Kubo connector and tracker. */
export interface RpcPeer {
  readonly peerId: ClusterPeer['peerId']
  readonly options: Pick<ClusterPeer['options'], 'peername'>
  readonly host: Pick<ClusterPeer['host'], 'getPeers'>
  readonly connector: Pick<ClusterPeer['connector'], 'repoGc' | 'swarmPeers' | 'repoStat' | 'blockStream'>
  readonly tracker: Pick<ClusterPeer['tracker'], 'recoverAll' | 'status' | 'statusAll' | 'statusWithin' | 'recover'>
  identity: ClusterPeer['identity']
  peerAdd: ClusterPeer['peerAdd']
}

/** Serves this peer's side of every fan-out (see rpc-methods.ts). */
export function serveRpc (peer: RpcPeer, server: RpcServer): void {
  server
    .implement(Rpc.id, async () => await peer.identity())
    .implement(Rpc.peerAdd, async (id) => await peer.peerAdd(id as PeerId))
    .implement(Rpc.connectedPeers, async () => peer.host.getPeers().map(p => p.toString()))
    .implement(Rpc.repoGcLocal, async () => {
      const result = await peer.connector.repoGc()
      return {
        peer: peer.peerId,
        peername: peer.options.peername,
        keys: result.keys.map(k => ({ key: k.key ?? undefined, error: k.error ?? '' })),
        error: result.error ?? ''
      }
    })
    .implement(Rpc.recoverAllLocal, async function * () { yield * peer.tracker.recoverAll() })
    // The caller's budget (the fan-out timeout) bounds the Kubo call: a hung Kubo gives an error entry.
    .implement(Rpc.trackerStatus, async (cid, ctx) => await peer.tracker.status(parseCid(cid), { signal: ctx.signal }))
    .implement(Rpc.trackerStatusAll, async function * (filter) { yield * peer.tracker.statusAll(filter) })
    .implement(Rpc.trackerStatusAllLean, async function * (filter) { yield * toStatusItems(peer.tracker.statusAll(filter)) })
    .implement(Rpc.trackerStatusWithin, async function * (arg, ctx) { yield * peer.tracker.statusWithin(arg.filter, arg.cids, { signal: ctx.signal }) })
    .implement(Rpc.trackerRecover, async (cid, ctx) => await peer.tracker.recover(parseCid(cid), { signal: ctx.signal }))
    .implement(Rpc.ipfsSwarmPeers, async () => (await peer.connector.swarmPeers()).map(p => p.toString()))
    .implement(Rpc.ipfsRepoStat, async () => {
      const stat = await peer.connector.repoStat()
      return [stat.repoSize.toString(), stat.storageMax.toString()]
    })
    .implement(Rpc.ipfsBlockPut, async (blocks, ctx) => { await peer.connector.blockStream(blocks, { signal: ctx.signal }); return undefined })
    .implement(Rpc.sendInformersMetrics, async () => undefined)
}

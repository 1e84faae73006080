import { codecs, type Codec } from '@cluster/api'
import { listOf, none, streaming, text, unary } from '@cluster/rpc'

const filter: Codec<number> = {
  encode: v => v,
  decode: v => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError('filter must be an integer')
    return v
  }
}

/**
 * The peer-to-peer methods of a cluster peer (cluster-behaviour.md §14.2; the subset this
 * implementation fans out). Names follow Go's `<Service>.<Method>`.
 */
export const Rpc = {
  id: unary('Cluster.ID', 'open', none, codecs.id),
  peerAdd: unary('Cluster.PeerAdd', 'open', text, codecs.id),
  connectedPeers: unary('Cluster.ConnectedPeers', 'trusted', none, listOf(text)),
  repoGcLocal: unary('Cluster.RepoGCLocal', 'trusted', none, codecs.repoGc),
  recoverAllLocal: streaming('Cluster.RecoverAllLocal', 'trusted', none, codecs.pinInfo),
  trackerStatus: unary('PinTracker.Status', 'trusted', text, codecs.pinInfo),
  trackerStatusAll: streaming('PinTracker.StatusAll', 'trusted', filter, codecs.pinInfo),
  trackerRecover: unary('PinTracker.Recover', 'trusted', text, codecs.pinInfo),
  ipfsSwarmPeers: unary('IPFSConnector.SwarmPeers', 'trusted', none, listOf(text)),
  /** Repo size and StorageMax of the peer's Kubo, as decimal strings (they exceed 2^53). */
  ipfsRepoStat: unary('IPFSConnector.RepoStat', 'trusted', none, listOf(text)),
  sendInformersMetrics: unary('Cluster.SendInformersMetrics', 'closed', none, none)
} as const

/**
 * The methods of Go IPFS Cluster v1.1.6's peer RPC (`rpc_api.go`) that one peer calls on another,
 * with their Go argument and result types. `DefaultRPCPolicy` (`rpc_policy.go`) makes the rest
 * closed to remote callers.
 */
import type { CID } from '@cluster/api'
import type { GoMethod } from './wire.ts'
import { cid, empty, id, nodeWithMeta, peerId, peerIds, pinInfo, repoGc, repoStat, statusFilter, version } from './types.ts'

const unary = <A, R>(name: string, arg: GoMethod<A, R>['arg'], result: GoMethod<A, R>['result']): GoMethod<A, R> => ({ name, stream: false, arg, result })
const streaming = <A, R>(name: string, arg: GoMethod<A, R>['arg'], result: GoMethod<A, R>['result']): GoMethod<A, R> => ({ name, stream: true, arg, result })

export const goMethods = {
  /** open: `peers ls` of older peers, Join's call back. */
  id: unary('Cluster.ID', empty, id),
  /** open: `peers ls` (Go's Peers fans it out to the whole peerset). */
  idStream: streaming('Cluster.IDStream', empty, id),
  /** open. */
  version: unary('Cluster.Version', empty, version),
  /** trusted: every peer's ID as this peer sees them (what Go's `health graph` asks each peer). */
  peers: streaming('Cluster.Peers', empty, id),
  /** open: a joining peer asks the peer it bootstraps to for this. */
  peerAdd: unary('Cluster.PeerAdd', peerId, id),
  /** trusted: `ipfs-cluster-ctl ipfs gc`. */
  repoGcLocal: unary('Cluster.RepoGCLocal', empty, repoGc),
  /** trusted: `recover` of every pin. */
  recoverAllLocal: streaming('Cluster.RecoverAllLocal', empty, pinInfo),
  /** trusted: `status <cid>`. */
  trackerStatus: unary('PinTracker.Status', cid, pinInfo),
  /** trusted: `status` (one TrackerStatus filter as the streamed argument). */
  trackerStatusAll: streaming('PinTracker.StatusAll', statusFilter, pinInfo),
  /** trusted: `recover <cid>`. */
  trackerRecover: unary('PinTracker.Recover', cid, pinInfo),
  /** trusted: `peers ls`'s connection graph (`health graph`). */
  ipfsSwarmPeers: unary('IPFSConnector.SwarmPeers', empty, peerIds),
  /** trusted: an add's blocks, streamed to each allocated peer (no answer items; the end is the answer). */
  blockStream: { name: 'IPFSConnector.BlockStream', stream: true, streamArgs: true, arg: nodeWithMeta, result: empty } as GoMethod<{ cid: CID, bytes: Uint8Array }, undefined>,
  /** trusted: the proxy's `repo/stat`, summed over peers. */
  ipfsRepoStat: unary('IPFSConnector.RepoStat', empty, repoStat)
} as const

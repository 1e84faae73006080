import type { CID, PeerId } from '@cluster/api'
import { GoRpcServer, goMethods } from '@cluster/gorpc'
import type { RpcServer } from '@cluster/rpc'
import { Rpc } from './rpc-methods.ts'
import { VERSION } from './version.ts'

/**
 * Answers Go IPFS Cluster peers of a mixed CRDT cluster on Go's RPC protocol: each Go method runs
 * the handler our own peers reach (rpc-server.ts), under the same policy, so Go's `peers ls`,
 * `status`, `recover`, `ipfs gc` and `health graph` see this peer as they see a Go one.
 */
export function goRpcServer (rpc: RpcServer): GoRpcServer {
  const cidText = (c: CID): string => c.toString()
  return new GoRpcServer(rpc)
    .bridge(goMethods.id, Rpc.id.name)
    .bridge(goMethods.idStream, Rpc.id.name)
    .bridge(goMethods.peerAdd, Rpc.peerAdd.name)
    .bridge(goMethods.repoGcLocal, Rpc.repoGcLocal.name)
    .bridge(goMethods.recoverAllLocal, Rpc.recoverAllLocal.name)
    .bridge(goMethods.trackerStatus, Rpc.trackerStatus.name, { arg: cidText })
    .bridge(goMethods.trackerStatusAll, Rpc.trackerStatusAll.name)
    .bridge(goMethods.trackerRecover, Rpc.trackerRecover.name, { arg: cidText })
    .bridge(goMethods.ipfsSwarmPeers, Rpc.ipfsSwarmPeers.name, { result: ids => ids as PeerId[] })
    .bridge(goMethods.ipfsRepoStat, Rpc.ipfsRepoStat.name, {
      result: stat => {
        const [repoSize, storageMax] = stat as [string, string]
        return { repoSize: BigInt(repoSize), storageMax: BigInt(storageMax) }
      }
    })
    .implement(goMethods.version, async () => VERSION)
}

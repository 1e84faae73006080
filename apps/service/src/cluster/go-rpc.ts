import { cidToString, parseCid, toStatusItems, type CID, type Id, type PeerId, type PinInfo } from '@cluster/api'
import { GO_RPC_PROTOCOL, GoRpcServer, callGo, goMethods, type GoMethod } from '@cluster/gorpc'
import type { AlternateWire, RpcServer } from '@cluster/rpc'
import type { IpfsConnector } from '@cluster/ipfs-connector'
import type { Libp2p } from '@libp2p/interface'
import { Rpc } from './rpc-methods.ts'
import { VERSION } from './version.ts'

/**
 * Go IPFS Cluster's RPC in a mixed CRDT cluster: which of Go's methods each of ours is, and how
 * the argument and result convert. Go peers calling us run our handlers (goRpcServer); our
 * fan-outs reach Go peers through the same table (goRpcWire).
 */
interface Bridge {
  go: GoMethod<unknown, unknown>
  argToGo?: (ours: unknown) => unknown
  argToOurs?: (go: unknown) => unknown
  resultToGo?: (ours: unknown) => unknown
  resultToOurs?: (go: unknown) => unknown
  /**
   * Where the two methods differ in shape (a Go stream for our single answer, Go's arguments for
   * our one): our call made of Go calls (`call` runs the Go method with those arguments). Such a
   * method of Go's is served on its own (goRpcServer), not from this table.
   */
  run?: (call: (args: unknown[]) => AsyncIterable<unknown>, arg: unknown, peer: string) => AsyncIterable<unknown>
}

const cidArg = { argToGo: (c: unknown) => parseCid(c as string), argToOurs: (c: unknown) => (c as CID).toString() }

const repoStat = {
  resultToGo: (stat: unknown) => {
    const [repoSize, storageMax] = stat as [string, string]
    return { repoSize: BigInt(repoSize), storageMax: BigInt(storageMax) }
  },
  resultToOurs: (stat: unknown) => {
    const s = stat as { repoSize: bigint, storageMax: bigint }
    return [s.repoSize.toString(), s.storageMax.toString()]
  }
}

// The table mixes methods of every type; the conversions above keep each call's types consistent.
const asGo = <A, R>(m: GoMethod<A, R>): GoMethod<unknown, unknown> => m as unknown as GoMethod<unknown, unknown>

/** Our method name → its Go counterpart. Ours without one fail on a Go peer with an error saying so. */
const BRIDGES = new Map<string, Bridge>([
  [Rpc.id.name, { go: asGo(goMethods.id) }],
  [Rpc.peerAdd.name, { go: asGo(goMethods.peerAdd) }],
  [Rpc.repoGcLocal.name, { go: asGo(goMethods.repoGcLocal) }],
  [Rpc.recoverAllLocal.name, { go: asGo(goMethods.recoverAllLocal) }],
  [Rpc.trackerStatus.name, { go: asGo(goMethods.trackerStatus), ...cidArg }],
  [Rpc.trackerStatusAll.name, { go: asGo(goMethods.trackerStatusAll) }],
  // Our lean status stream is Go's StatusAll, its items made lean here.
  [Rpc.trackerStatusAllLean.name, {
    go: asGo(goMethods.trackerStatusAll),
    run: (call, filter) => toStatusItems(call([filter]) as AsyncIterable<PinInfo>)
  }],
  [Rpc.trackerRecover.name, { go: asGo(goMethods.trackerRecover), ...cidArg }],
  [Rpc.ipfsSwarmPeers.name, { go: asGo(goMethods.ipfsSwarmPeers) }],
  [Rpc.ipfsRepoStat.name, { go: asGo(goMethods.ipfsRepoStat), ...repoStat }],
  // Our batch of an add's blocks is one BlockStream call of Go's, one streamed argument per block.
  [Rpc.ipfsBlockPut.name, {
    go: asGo(goMethods.blockStream),
    run: async function * (call, blocks) {
      for await (const _ of call(blocks as unknown[])) { /* Go answers nothing but the end */ }
      yield undefined
    }
  }],
  // The connection graph: a Go peer's cluster links are the peers its Cluster.Peers reached.
  [Rpc.connectedPeers.name, {
    go: asGo(goMethods.peers),
    run: async function * (call, _arg, peer) {
      const linked: string[] = []
      for await (const id of call([]) as AsyncIterable<Id>) if (id.error === '' && id.id !== peer) linked.push(id.id)
      yield linked
    }
  }],
  // A search page's statuses (ours only): Go's StatusAll with the filter, kept to the page's CIDs
  // and put in the page's order (at most STATUS_WITHIN_MAX entries are held).
  [Rpc.trackerStatusWithin.name, {
    go: asGo(goMethods.trackerStatusAll),
    run: async function * (call, arg) {
      const { filter, cids } = arg as { filter: number, cids: string[] }
      const slot = new Map(cids.map((cid, i) => [cid, i]))
      const found = new Array<PinInfo | undefined>(cids.length)
      for await (const info of call([filter]) as AsyncIterable<PinInfo>) {
        const i = slot.get(cidToString(info.cid))
        if (i !== undefined) found[i] = info
      }
      for (const info of found) if (info !== undefined) yield info
    }
  }]
])

/** What Go peers ask of this peer beyond our own methods. */
export interface GoRpcPeer {
  readonly connector: Pick<IpfsConnector, 'blockStream'>
  peers: () => AsyncIterable<Id>
}

/** Answers Go peers with our handlers, under the same access policy. */
export function goRpcServer (rpc: RpcServer, peer: GoRpcPeer): GoRpcServer {
  const server = new GoRpcServer(rpc)
  for (const [ours, b] of BRIDGES) {
    // Served below: the two sides' methods differ in shape.
    if (b.run !== undefined) continue
    server.bridge(b.go, ours, { ...(b.argToOurs === undefined ? {} : { arg: b.argToOurs }), ...(b.resultToGo === undefined ? {} : { result: b.resultToGo }) })
  }
  // Go's `peers ls` asks for the ID as a stream.
  return server
    .bridge(asGo(goMethods.idStream), Rpc.id.name)
    .implement(goMethods.version, 'open', async () => VERSION)
    .implement(goMethods.peers, 'trusted', () => peer.peers())
    // Go's adder streams every block of an add in one call: they go to Kubo as they arrive.
    .implement(goMethods.blockStream, 'trusted', async function * (blocks, _caller, signal) {
      // A method with streamed arguments gets them all as one AsyncIterable (GoRpcServer.implement).
      await peer.connector.blockStream(blocks as unknown as AsyncIterable<{ cid: CID, bytes: Uint8Array }>, { signal })
    })
}

/** Our calls to Go peers (RpcClient's alternate wire). */
export function goRpcWire (node: Libp2p): AlternateWire {
  return {
    protocol: GO_RPC_PROTOCOL,
    call: (peer, method, arg, waitSignal) => {
      const b = BRIDGES.get(method)
      if (b === undefined) return undefined
      const toGo = b.argToGo ?? (a => a)
      const toOurs = b.resultToOurs ?? (r => r)
      const call = (args: unknown[]): AsyncIterable<unknown> => callGo(node, peer as PeerId, b.go, args, waitSignal)
      if (b.run !== undefined) return b.run(call, arg, peer)
      // Go's streaming methods without an argument get none (an empty stream of struct{}).
      const args = b.go.stream && arg === undefined ? [] : [toGo(arg)]
      return (async function * () {
        for await (const item of call(args)) yield toOurs(item)
      })()
    }
  }
}

import { Timestamp, trackerStatusMatches, type CID, type ConnectGraph, type GlobalPinInfo, type GlobalRepoGc, type RepoGc, type Id, type PeerId, type Pin, type PinInfo, type TrackerStatusFilter } from '@cluster/api'
import { RpcError, type RpcClient, type UnaryMethod } from '@cluster/rpc'
import { addInfo, emptyGlobal, syntheticInfo, type PeerCard } from './aggregate.ts'
import { Rpc } from './rpc-methods.ts'

/** Status fan-outs give each peer this long to answer (Go: 15 s). */
export const FANOUT_TIMEOUT_MS = 15_000

/** What the fan-outs read from the local peer. */
export interface FanoutContext {
  rpc: RpcClient
  peerset: () => string[]
  /** This peer's ID when it is in follower mode: status and recover then only involve it. */
  followerOf?: string
  card: (peer: string) => PeerCard
  state: { get: (cid: CID) => Pin | undefined }
}

/** Go's globalPinInfo fan-out (§9.1). */
export async function globalInfo (ctx: FanoutContext, cid: CID, what: 'status' | 'recover'): Promise<GlobalPinInfo> {
  const now = Timestamp.now()
  const members = ctx.followerOf !== undefined ? [ctx.followerOf] : ctx.peerset()
  const pin = ctx.state.get(cid)
  const global = emptyGlobal(cid)
  if (pin === undefined) {
    for (const m of members) addInfo(global, syntheticInfo(cid, m, ctx.card(m), 'unpinned', now))
    return global
  }
  const everywhere = (pin.allocations ?? []).length === 0
  const dests = everywhere || ctx.followerOf !== undefined ? members : [...(pin.allocations ?? [])]
  for (const m of members) if (!dests.includes(m)) addInfo(global, syntheticInfo(cid, m, ctx.card(m), 'remote', now, pin))
  const method = what === 'status' ? Rpc.trackerStatus : Rpc.trackerRecover
  const results = await callBounded(ctx.rpc, dests, method, cid.toString(), FANOUT_TIMEOUT_MS)
  for (const dest of dests) {
    const r = results.get(dest)
    if (r instanceof RpcError) {
      if (r.type !== 'authorization') addInfo(global, syntheticInfo(cid, dest, ctx.card(dest), 'cluster_error', Timestamp.now(), undefined, r.message))
    } else if (r !== undefined) addInfo(global, r)
  }
  return global
}

/**
 * The same call on every peer, each answer bounded by `timeoutMs` even when the handler does not
 * honour the call's signal (this peer's own part runs in-process, not over a stream that the
 * timeout closes). The handler gets a moment past the budget to answer with its own error.
 */
async function callBounded<A, R> (rpc: RpcClient, peers: readonly string[], method: UnaryMethod<A, R>, arg: A, timeoutMs: number): Promise<Map<string, R | RpcError>> {
  const settled = await Promise.all(peers.map(async (peer): Promise<[string, R | RpcError]> => {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<RpcError>(resolve => {
      timer = setTimeout(() => { resolve(new RpcError('transport', `${method.name} to ${peer}: no answer within ${timeoutMs} ms`)) }, timeoutMs + 500)
    })
    const call = rpc.call(peer, method, arg, { timeoutMs }).catch((err: Error) => err instanceof RpcError ? err : new RpcError('server', err.message))
    try {
      return [peer, await Promise.race([call, late])]
    } finally {
      clearTimeout(timer)
    }
  }))
  return new Map(settled)
}

/** Go's globalPinInfoStream (§9.2): merge every member's stream by CID. */
export async function * globalStream (ctx: FanoutContext, open: (peer: string) => AsyncIterable<PinInfo>, filter: TrackerStatusFilter): AsyncIterable<GlobalPinInfo> {
  const members = ctx.followerOf !== undefined ? [ctx.followerOf] : ctx.peerset()
  const byCid = new Map<string, GlobalPinInfo>()
  const failed = new Map<string, string>()
  await Promise.all(members.map(async member => {
    try {
      for await (const info of open(member)) {
        const key = info.cid.toString()
        let g = byCid.get(key)
        if (g === undefined) byCid.set(key, g = emptyGlobal(info.cid))
        addInfo(g, info)
      }
    } catch (err) {
      if (!(err instanceof RpcError && err.type === 'authorization')) failed.set(member, (err as Error).message)
    }
  }))
  const now = Timestamp.now()
  for (const g of byCid.values()) {
    for (const [member, error] of failed) addInfo(g, syntheticInfo(g.cid, member, ctx.card(member), 'cluster_error', now, undefined, error))
    if (matchesFilter(g, filter)) yield g
  }
}

export function unreachableId (peer: string, error: string): Id {
  return { id: peer as PeerId, addresses: null, clusterPeers: null, clusterPeersAddresses: null, version: '', commit: '', rpcProtocolVersion: '', error, ipfs: { id: undefined, addresses: null, error: '' }, peername: '' }
}

export function matchesFilter (g: GlobalPinInfo, filter: TrackerStatusFilter): boolean {
  if (filter === 0) return true
  return Object.values(g.peerMap ?? {}).some(s => trackerStatusMatches(s.status, filter))
}

/** RepoGC (§10): each member's `repo gc`, one after the other; failures become entries. */
export async function repoGcAll (ctx: FanoutContext, members: string[]): Promise<GlobalRepoGc> {
  const peerMap: Record<string, RepoGc> = {}
  for (const member of members) {
    try {
      peerMap[member] = await ctx.rpc.call(member, Rpc.repoGcLocal, undefined)
    } catch (err) {
      peerMap[member] = { peer: member as PeerId, peername: ctx.card(member).peername, keys: [], error: (err as Error).message }
    }
  }
  return { peerMap }
}

/** ConnectGraph (§10): who each member sees, and its Kubo's swarm peers. */
export async function connectGraphOf (ctx: FanoutContext, self: PeerId): Promise<ConnectGraph> {
  const members = ctx.peerset()
  const idToPeername: Record<string, string> = {}
  const ipfsLinks: Record<string, PeerId[]> = {}
  const clusterLinks: Record<string, PeerId[]> = {}
  const clusterTrustLinks: Record<string, boolean> = {}
  const clusterToIpfs: Record<string, PeerId> = {}
  await Promise.all(members.map(async member => {
    clusterTrustLinks[member] = true
    idToPeername[member] = ctx.card(member).peername
    try {
      const seen = await ctx.rpc.call(member, Rpc.connectedPeers, undefined, { timeoutMs: FANOUT_TIMEOUT_MS })
      clusterLinks[member] = seen.filter(p => p !== member && members.includes(p)) as PeerId[]
    } catch {
      clusterLinks[member] = []
    }
    const ipfsId = ctx.card(member).ipfsPeerId
    if (ipfsId === undefined) return
    clusterToIpfs[member] = ipfsId as PeerId
    try {
      ipfsLinks[ipfsId] = await ctx.rpc.call(member, Rpc.ipfsSwarmPeers, undefined, { timeoutMs: FANOUT_TIMEOUT_MS }) as PeerId[]
    } catch {
      ipfsLinks[ipfsId] = []
    }
  }))
  return { clusterId: self, idToPeername, ipfsLinks, clusterLinks, clusterTrustLinks, clusterToIpfs }
}

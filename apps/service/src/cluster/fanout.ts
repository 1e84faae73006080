import { cidToString, Timestamp, trackerStatusMatches, type CID, type ConnectGraph, type GlobalPinInfo, type GlobalRepoGc, type RepoGc, type Id, type PeerId, type Pin, type PinInfo, type TrackerStatusFilter } from '@cluster/api'
import { RpcError, type RpcClient, type UnaryMethod } from '@cluster/rpc'
import { addInfo, emptyGlobal, setPinFields, syntheticInfo, type PeerCard } from './aggregate.ts'
import { Rpc } from './rpc-methods.ts'

/** Status fan-outs give each peer this long to answer (Go: 15 s). */
export const FANOUT_TIMEOUT_MS = 15_000

/**
 * A member's status stream may go this long without sending anything (a whole-call budget would
 * cut the status of a big pinset; the stream waits on its consumer between reads).
 */
export const STREAM_IDLE_MS = 120_000

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
  // The pin as this peer holds it (Go lets the last member's answer set these fields: a member
  // that has not merged the pin yet answered `unpinned` and blanked the name and allocations
  // of a pin just acknowledged). The same rule as the listings (globalStream).
  setPinFields(global, pin)
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

/** One member's status stream in the merge: its next item (`head`) and how it ended. */
interface MemberStream {
  member: string
  /** Whether the member is this peer (its infos carry the pin fields with `pinFieldsFromSelf`). */
  self: boolean
  it: AsyncIterator<PinInfo>
  head?: { key: string, info: PinInfo }
  /** Greatest key taken from it (its items must come in CID-string order). */
  last: string
  /** Its next item, being read. */
  pending?: Promise<void>
  /** Set when it failed: the error every later CID gets as this member's `cluster_error`. */
  error?: string
  done: boolean
}

/**
 * Go's globalPinInfoStream (§9.2): every member's stream merged by CID, with bounded memory. Each
 * member yields its statuses in CID-string order (the pinset's order, `PinsetState.list`), so this
 * is a k-way merge holding one item per member: an item is out as soon as every member has
 * answered for its CID or moved past it, and a member is read again only when its item was used
 * (back-pressure through the RPC stream). A member that fails (unreachable, stream broken) gets a
 * `cluster_error` entry on every CID not covered before it failed, as Go gives one on every CID;
 * authorization errors are dropped. An item a member yields out of order (a peer listing in
 * another order) after its CID went out is sent as an entry of its own. `open`'s streams are
 * stopped through its signal when the consumer stops early.
 *
 * With `pinFieldsFromSelf` the other members' infos are statuses only (lean items, blank pin
 * fields): an entry's pin fields (name, allocations, origins, created, metadata) are this peer's
 * own info's for the CID, else its state's pin. With one pinset everywhere that is what Go
 * shows (the last member's); a CID this peer does not hold yet (its state behind a member's)
 * gets the members' statuses and blank pin fields.
 */
export async function * globalStream (ctx: FanoutContext, open: (peer: string, signal: AbortSignal) => AsyncIterable<PinInfo>, filter: TrackerStatusFilter, signal?: AbortSignal, opts: { pinFieldsFromSelf?: boolean } = {}): AsyncIterable<GlobalPinInfo> {
  const fromSelf = opts.pinFieldsFromSelf === true
  const members = ctx.followerOf !== undefined ? [ctx.followerOf] : ctx.peerset()
  const stop = new AbortController()
  const onAbort = (): void => { stop.abort(signal?.reason) }
  signal?.addEventListener('abort', onAbort, { once: true })
  if (signal?.aborted === true) onAbort()
  const streams: MemberStream[] = []
  const failedAt = new Map<string, Timestamp>()
  const fail = (s: MemberStream, err: unknown): void => {
    s.done = true
    s.head = undefined
    if (err instanceof RpcError && err.type === 'authorization') return
    s.error = (err as Error).message ?? String(err)
    failedAt.set(s.member, Timestamp.now())
  }
  const advance = (s: MemberStream): void => {
    s.pending = (async () => {
      try {
        const r = await s.it.next()
        if (r.done === true) {
          s.done = true
          s.head = undefined
        } else s.head = { key: cidToString(r.value.cid), info: r.value }
      } catch (err) {
        fail(s, err)
      }
      s.pending = undefined
    })()
  }
  try {
    for (const member of members) {
      const s: MemberStream = { member, self: fromSelf && ctx.rpc.isSelf(member), it: undefined as unknown as AsyncIterator<PinInfo>, last: '', done: false }
      streams.push(s)
      try {
        s.it = open(member, stop.signal)[Symbol.asyncIterator]()
        advance(s)
      } catch (err) {
        fail(s, err)
      }
    }
    let lastOut = ''
    let started = false
    while (true) {
      await Promise.all(streams.map(async s => { await s.pending }))
      let min: string | undefined
      for (const s of streams) if (s.head !== undefined && (min === undefined || s.head.key < min)) min = s.head.key
      if (min === undefined) return
      const late = started && min <= lastOut
      let g: GlobalPinInfo | undefined
      let pinFields = false
      for (const s of streams) {
        const head = s.head
        if (head === undefined || head.key !== min) continue
        if (g === undefined) g = emptyGlobal(head.info.cid)
        const full = !fromSelf || s.self
        addInfo(g, head.info, full)
        pinFields ||= full
        if (head.key > s.last) s.last = head.key
        s.head = undefined
        advance(s)
        if (late) break // an out-of-order item: alone, once
      }
      if (g === undefined) continue
      lastOut = started && min < lastOut ? lastOut : min
      started = true
      for (const s of streams) {
        // A failed member that had not reached this CID: Go's error entry for it.
        if (s.error !== undefined && s.last < min) addInfo(g, syntheticInfo(g.cid, s.member, ctx.card(s.member), 'cluster_error', failedAt.get(s.member) ?? Timestamp.now(), undefined, s.error), !fromSelf)
      }
      if (!pinFields) {
        const pin = ctx.state.get(g.cid)
        if (pin !== undefined) setPinFields(g, pin)
      }
      if (matchesFilter(g, filter)) yield g
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    stop.abort(new Error('status stream closed'))
    await Promise.all(streams.map(async s => {
      await s.pending
      if (!s.done && s.it !== undefined) await s.it.return?.(undefined).catch(() => {})
    }))
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

/**
 * Keeps a peer connected to every other member of its cluster. Raft alone only links the leader
 * to each follower, and gossipsub and the fan-outs only use connections that exist, so without
 * this the peers form a star around the leader and losing it isolates the others. Go dials its
 * peerstore at start, re-bootstraps every 30 s and finds members through its DHT; we dial the
 * members directly and learn unknown addresses from a connected member's ID.
 */
import { KEEP_ALIVE } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from '@cluster/api'
import type { RpcClient } from '@cluster/rpc'
import { rememberPeer, type ClusterHost } from './host.ts'
import { Rpc } from './rpc-methods.ts'

/** A tag starting with `keep-alive`: libp2p never prunes the connection and redials it when it drops. */
const MEMBER_TAG = `${KEEP_ALIVE}-cluster-member`
const MEMBER_TAG_VALUE = 100
/** How often the peerset and the connections are checked. */
export const MESH_CHECK_MS = 2_000
/** Go's `dial_peer_timeout` default. */
const DIAL_TIMEOUT_MS = 3_000
/** A member that keeps failing is tried at most this rarely (Go's re-bootstrap period). */
const MAX_BACKOFF_MS = 30_000

/** The parts of a peer the mesh keeper uses. */
export interface MeshPeer {
  host: ClusterHost
  peerId: string
  rpc: RpcClient
  peerset: () => string[]
  log: Logger
}

export interface MeshOptions {
  checkMs?: number
  dialTimeoutMs?: number
}

/** Starts keeping `peer` connected to every member; returns the stop function. */
export function keepMeshed (peer: MeshPeer, opts: MeshOptions = {}): () => void {
  const checkMs = opts.checkMs ?? MESH_CHECK_MS
  const dialTimeoutMs = opts.dialTimeoutMs ?? DIAL_TIMEOUT_MS
  const tagged = new Set<string>()
  const dialling = new Set<string>()
  const failures = new Map<string, { count: number, next: number }>()
  let lastBootstrap = 0
  let stopped = false
  let running = false

  const members = (): string[] => peer.peerset().filter(p => p !== peer.peerId)
  const connected = (p: string): boolean => peer.host.getConnections(peerIdFromString(p)).length > 0
  const known = async (p: string): Promise<boolean> => {
    const info = await peer.host.peerStore.get(peerIdFromString(p)).catch(() => undefined)
    return (info?.addresses.length ?? 0) > 0
  }
  const setTag = async (p: string, on: boolean): Promise<void> => {
    await peer.host.peerStore.merge(peerIdFromString(p), { tags: { [MEMBER_TAG]: on ? { value: MEMBER_TAG_VALUE } : undefined } }).catch(() => {})
  }

  /** Asks connected members for the addresses they know until every member in `wanted` has one. */
  const learn = async (wanted: Set<string>): Promise<void> => {
    for (const source of members().filter(connected)) {
      if (wanted.size === 0) return
      const id = await peer.rpc.call(source, Rpc.id, undefined, { timeoutMs: 5_000 }).catch(() => undefined)
      for (const addr of id?.clusterPeersAddresses ?? []) {
        const target = addr.split('/p2p/').pop() ?? ''
        if (!wanted.has(target)) continue
        await rememberPeer(peer.host, addr).catch(() => {})
      }
      for (const p of [...wanted]) if (await known(p)) wanted.delete(p)
    }
  }

  const dial = async (p: string): Promise<void> => {
    dialling.add(p)
    try {
      await peer.host.dial(peerIdFromString(p), { signal: AbortSignal.timeout(dialTimeoutMs) })
      failures.delete(p)
    } catch (err) {
      const count = (failures.get(p)?.count ?? 0) + 1
      failures.set(p, { count, next: Date.now() + Math.min(MAX_BACKOFF_MS, checkMs * 2 ** (count - 1)) })
      if (count === 1) peer.log('debug', `cannot connect to cluster peer ${p}: ${(err as Error).message}`)
    } finally {
      dialling.delete(p)
    }
  }

  const check = async (): Promise<void> => {
    const current = new Set(members())
    for (const p of tagged) {
      if (current.has(p)) continue
      tagged.delete(p)
      failures.delete(p)
      await setTag(p, false)
    }
    // Every member is tagged again each round: libp2p drops the tag after its own redials fail.
    for (const p of current) {
      if (!connected(p) || !tagged.has(p)) await setTag(p, true)
      tagged.add(p)
    }
    const targets = new Set(current)
    const now = Date.now()
    if (now - lastBootstrap >= MAX_BACKOFF_MS) {
      // At start and every 30 s, as Go's bootstrap: also every peer of the peerstore (peerstore
      // file, peer_addresses), so peers that were down at start join the mesh (with CRDT,
      // membership comes from metrics, which need a connection first).
      for (const info of await peer.host.peerStore.all()) {
        const id = info.id.toString()
        if (id !== peer.peerId && info.addresses.length > 0) targets.add(id)
      }
      lastBootstrap = now
    }
    const due = [...targets].filter(p => !connected(p) && !dialling.has(p) && (failures.get(p)?.next ?? 0) <= now)
    const unknown = new Set<string>()
    for (const p of due) if (!(await known(p))) unknown.add(p)
    if (unknown.size > 0) await learn(unknown)
    await Promise.all(due.filter(p => !unknown.has(p)).map(dial))
  }

  const tick = (): void => {
    if (running || stopped) return
    running = true
    check().catch((err: Error) => { peer.log('debug', `mesh: ${err.message}`) }).finally(() => { running = false })
  }
  const timer = setInterval(tick, checkMs)
  timer.unref()
  tick()
  return () => { stopped = true; clearInterval(timer) }
}

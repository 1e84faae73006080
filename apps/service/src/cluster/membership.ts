/**
 * Who is in the cluster (cluster-behaviour.md §10–11): the peerset as consensus knows it, each
 * member's ID object and card, joining a cluster, adding and removing members. Raft keeps the
 * members in its log; CRDT derives them from the peerset metric (consensus-setup.ts).
 */
import type { Id, LogLevel, Metric, PeerId } from '@cluster/api'
import { CrdtConsensus, type ClusterConsensus } from '@cluster/consensus'
import type { PubsubMonitor } from '@cluster/monitor'
import { RpcError, type RpcClient } from '@cluster/rpc'
import type { PeerCard } from './aggregate.ts'
import { FANOUT_TIMEOUT_MS, unreachableId } from './fanout.ts'
import { rememberPeer, type ClusterHost } from './host.ts'
import { identityOf, memberAddresses } from './identity.ts'
import { joinError } from './join-error.ts'
import type { IpfsIdentity } from './ping.ts'
import { readPingValue } from './metrics.ts'
import type { ClusterPeerOptions, PEER_DEFAULTS } from './options.ts'
import { repinFrom, type RepinContext } from './repin.ts'
import { Rpc } from './rpc-methods.ts'
import { VERSION } from './version.ts'

const RPC_PROTOCOL_VERSION = '/ipfscluster/1.0/rpc'

/** The parts of a peer its membership uses. */
export interface MembershipPeer {
  readonly peerId: PeerId
  readonly host: ClusterHost
  readonly consensus: ClusterConsensus
  readonly rpc: RpcClient
  readonly monitor: PubsubMonitor<Metric>
  readonly options: ClusterPeerOptions & typeof PEER_DEFAULTS
  /** What this peer last learned of its Kubo. */
  readonly ipfs: IpfsIdentity
  assertRunning: () => void
  repinContext: () => RepinContext
  recoverAllLocal: () => Promise<void>
  log: (level: LogLevel, message: string) => void
}

export class Membership {
  private readonly peer: MembershipPeer

  constructor (peer: MembershipPeer) {
    this.peer = peer
  }

  /** The members' peer IDs (just this peer while consensus cannot tell). */
  peerset (): string[] {
    try {
      return this.peer.consensus.peers()
    } catch {
      return [this.peer.peerId]
    }
  }

  /** This peer's ID object (cluster-behaviour.md §10). */
  async identity (): Promise<Id> {
    const { host, peerId, options, ipfs } = this.peer
    return await identityOf(host, peerId, this.peerset(), { version: VERSION, rpcProtocolVersion: RPC_PROTOCOL_VERSION, peername: options.peername, ipfs })
  }

  /** Peername and IPFS identity of a peer from its last ping metric (ourselves: live values). */
  card (peer: string): PeerCard {
    const { peerId, options, ipfs, monitor } = this.peer
    if (peer === peerId) return { peername: options.peername, ...(ipfs.id === undefined ? {} : { ipfsPeerId: ipfs.id }), ipfsAddresses: ipfs.published }
    const ping = readPingValue(monitor.store.latestForPeer('ping', peer))
    return { peername: ping.peername, ...(ping.ipfsId === undefined ? {} : { ipfsPeerId: ping.ipfsId }), ipfsAddresses: ping.ipfsAddresses }
  }

  /** Every member's ID object; an unreachable one with its error, one refusing us left out. */
  async * peers (): AsyncIterable<Id> {
    const members = this.peerset()
    const results = await this.peer.rpc.callMany(members, Rpc.id, undefined, { timeoutMs: FANOUT_TIMEOUT_MS })
    for (const member of members) {
      const r = results.get(member)
      if (r instanceof RpcError) {
        if (r.type === 'authorization') continue
        yield unreachableId(member, r.message)
      } else if (r !== undefined) yield r
    }
  }

  /** Known addresses of the other members (`/…/p2p/<id>`), for the peerstore file. */
  async peerAddresses (): Promise<string[]> {
    return await memberAddresses(this.peer.host, this.peerset().filter(p => p !== this.peer.peerId))
  }

  /**
   * Join (cluster-behaviour.md §11.2): asks the peer at `addr` to add us, waits for a leader
   * (Raft), then re-checks every pin (what pins the existing pinset here). With CRDT the peer
   * joined is trusted (Go's bootstrap peers, unless --no-trust) and the pinset comes from its heads.
   */
  async join (addr: string): Promise<void> {
    const { host, peerId, consensus, rpc } = this.peer
    const remote = await rememberPeer(host, addr)
    if (remote === peerId) return
    if (consensus instanceof CrdtConsensus) consensus.trust(remote)
    await rpc.call(remote, Rpc.peerAdd, peerId, { timeoutMs: 15_000 }).catch((err: unknown) => { throw joinError(addr, err) })
    if (consensus.kind === 'raft') await consensus.waitForLeader()
    void this.peer.recoverAllLocal()
  }

  /** PeerAdd: `peer` becomes a member; its ID object (or why it cannot be reached). */
  async peerAdd (peer: PeerId): Promise<Id> {
    this.peer.assertRunning()
    await this.peer.consensus.addPeer(peer)
    try {
      return await this.peer.rpc.call(peer, Rpc.id, undefined, { timeoutMs: FANOUT_TIMEOUT_MS })
    } catch (err) {
      return unreachableId(peer, (err as Error).message)
    }
  }

  /** PeerRemove: its pins move to other peers first (unless repinning is off), then it leaves. */
  async peerRemove (peer: PeerId): Promise<void> {
    this.peer.assertRunning()
    if (!this.peer.options.disableRepinning) {
      // As Go's vacatePeer: pins that cannot move are logged; the removal goes on.
      const report = await repinFrom(this.peer.repinContext(), peer, false)
      if (report.failed > 0) {
        this.peer.log('error', `could not move ${report.failed} pins away from ${peer} (first: ${report.firstError?.cid ?? ''}: ${report.firstError?.error ?? ''})` +
          (report.stopped ? '; the others were not tried' : ''))
      }
    }
    await this.peer.consensus.rmPeer(peer)
  }
}

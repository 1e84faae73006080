/**
 * The consensus a peer runs — Raft or CRDT, chosen by `options.consensus` — and how committed
 * pins reach the tracker. The step "committed pin → tracker → Kubo" lives here, once for both.
 */
import { CrdtConsensus, RaftConsensus, type ApplyHooks, type ClusterConsensus } from '@cluster/consensus'
import type { LogLevel, Metric } from '@cluster/api'
import type { PubsubMonitor } from '@cluster/monitor'
import type { StatelessTracker } from '@cluster/pintracker'
import type { Libp2pTransport } from '@cluster/raft/libp2p'
import { peerIdFromString } from '@libp2p/peer-id'
import type { ClusterHost } from './host.ts'
import type { ClusterPeerOptions, PEER_DEFAULTS } from './options.ts'

/** The parts of a peer its consensus uses. */
export interface ConsensusPeer {
  peerId: string
  host: ClusterHost
  options: ClusterPeerOptions & typeof PEER_DEFAULTS
  tracker: StatelessTracker
  monitor: PubsubMonitor<Metric>
  /** Tells the peer its whole pinset changed (a snapshot restored): it checks every pin again. */
  pinsetRestored: () => void
  stop: () => Promise<void>
  log: (level: LogLevel, message: string, facility?: string) => void
}

/** Raft over `transport`, or CRDT when there is none (options.consensus === 'crdt'). */
export function createConsensus (peer: ConsensusPeer, transport: Libp2pTransport | undefined): ClusterConsensus {
  return transport === undefined ? crdtConsensus(peer) : raftConsensus(peer, transport)
}

function raftConsensus (peer: ConsensusPeer, transport: Libp2pTransport): RaftConsensus {
  const { options } = peer
  return new RaftConsensus({
    id: peer.peerId,
    dataDir: options.dataDir,
    transport,
    config: options.raft,
    joining: (options.bootstrap ?? []).length > 0,
    hooks: trackerHooks(peer),
    log: (level, message) => { peer.log(level, message, 'raft') },
    reachable: id => peer.host.getConnections(peerIdFromString(id)).length > 0,
    onFatal: err => { peer.log('error', `consensus stopped: ${err.message}`) },
    onLeaderChange: leader => { peer.log('info', `raft leader: ${leader ?? 'none'}`, 'raft'); options.metrics?.leaderChanged() },
    onCommit: (op, seconds, ok) => { options.metrics?.commit(op, seconds, ok) },
    onRemoved: () => {
      peer.log('warn', 'this peer was removed from the cluster: shutting down')
      void peer.stop().then(() => { options.onRemoved?.() })
    }
  })
}

/** The CRDT consensus (consensus-crdt.md): membership from the peerset metric, trust from its config. */
function crdtConsensus (peer: ConsensusPeer): CrdtConsensus {
  const crdt = peer.options.crdt ?? {}
  const metric = crdt.peersetMetric ?? 'ping'
  return new CrdtConsensus({
    id: peer.peerId,
    dataDir: peer.options.dataDir,
    libp2p: peer.host,
    config: crdt,
    hooks: trackerHooks(peer),
    members: () => peer.monitor.store.latest(metric).map(m => m.peer),
    onCommit: (op, seconds, ok) => { peer.options.metrics?.commit(op, seconds, ok) },
    log: (level, message) => { peer.log(level, message, 'crdt') }
  })
}

/** Committed pins and unpins drive the tracker (both consensus kinds). */
function trackerHooks (peer: ConsensusPeer): ApplyHooks {
  return {
    onPin: (pin, before) => { peer.tracker.track(pin, before ?? null).catch((err: Error) => { peer.log('error', `track ${pin.cid.toString()}: ${err.message}`) }) },
    onUnpin: pin => { peer.tracker.untrack(pin.cid).catch((err: Error) => { peer.log('error', `untrack ${pin.cid.toString()}: ${err.message}`) }) },
    onInvalidOp: (err, index) => { peer.log('error', `skipped log entry ${index}: ${err.message}`) },
    // The whole pinset changed at once: every pin is checked against Kubo again.
    onRestore: () => { peer.pinsetRestored() }
  }
}

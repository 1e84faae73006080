/**
 * The Rebalancer of a cluster peer: what it needs, taken from the peer's consensus, monitor,
 * status fan-out and repository statistics.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { CID, GlobalPinInfo, LogLevel, Metric, Pin, PinSearchIndex } from '@cluster/api'
import type { LogOp } from '@cluster/consensus'
import { Rebalancer } from './rebalancer.ts'

export { Rebalancer } from './rebalancer.ts'

/** The parts of ClusterPeer a rebalance uses. */
export interface RebalancePeer {
  options: { dataDir: string, allocateBy: string[], consensus?: string }
  consensus: {
    state: { get: (cid: CID) => Pin | undefined, list: () => Iterable<Pin> }
    logBatch: (ops: readonly LogOp[]) => AsyncIterable<{ ops: LogOp[], error?: Error }>
    waitForLeader: () => Promise<string>
  }
  pinSearch: PinSearchIndex
  monitor: { latest: (name: string) => Metric[] }
  metricsGraceUntil: number
  status: (cid: CID) => Promise<GlobalPinInfo>
  repoStats: () => Promise<Array<{ repoSize: bigint } | Error>>
  log: (level: LogLevel, message: string, facility?: string) => void
}

/** How long new peers may take to pin a moved CID (Go's default pin timeout is 2 min; a fetch may be slow). */
const MOVE_TIMEOUT_MS = 10 * 60_000

export function rebalancerFor (peer: RebalancePeer, moveTimeoutMs = MOVE_TIMEOUT_MS): Rebalancer {
  return new Rebalancer({
    dataDir: peer.options.dataDir,
    allocateBy: peer.options.allocateBy,
    index: peer.pinSearch,
    get: cid => peer.consensus.state.get(cid),
    pins: () => peer.consensus.state.list(),
    metrics: name => peer.monitor.latest(name),
    commit: async pins => {
      for await (const group of peer.consensus.logBatch(pins.map(pin => ({ type: 'pin', pin })))) {
        if (group.error !== undefined) throw group.error
      }
    },
    statuses: async cid => {
      const info = await peer.status(cid)
      return Object.fromEntries(Object.entries(info.peerMap ?? {}).map(([id, s]) => [id, s.status]))
    },
    repoBytes: async () => (await peer.repoStats()).reduce((sum, r) => r instanceof Error ? sum : sum + r.repoSize, 0n),
    ready: async signal => {
      // Raft commits need a leader; CRDT has none (its waitForLeader says so).
      if (peer.options.consensus !== 'crdt') await peer.consensus.waitForLeader()
      // Just after a start only this peer's own metrics are known: planning then would move
      // every pin to it.
      const wait = peer.metricsGraceUntil - Date.now()
      if (wait > 0) await sleep(wait, undefined, { signal })
    },
    moveTimeoutMs,
    pollMs: 500,
    log: (level, message) => { peer.log(level, message) }
  })
}

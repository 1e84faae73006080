/**
 * What the metrics read, and what components report to them. Components keep plain counters
 * (or call an optional sink they were handed); nothing here imports a component.
 */

/** Go's ipfshttp counters (IpfsConnector.counters has exactly this shape). */
export interface IpfsCounters {
  ipfsPins: number
  pinAdd: number
  pinAddErrors: number
  blocksPut: number
  blocksAdded: number
  blocksAddedSize: number
  blocksPutErrors: number
}

/** Read at each scrape: every function must be cheap (no pinset scan). */
export interface ClusterMetricSources {
  /** Pins in the shared pinset (ipfscluster_pins). */
  pins: () => number
  /** Pin operations by phase in the tracker (pin_queued, pinning, pin_error). */
  pinPhases: () => { queued: number, in_progress: number, error: number }
  /** The Kubo connector's counters. */
  ipfs: () => IpfsCounters
  /** Weight of this peer's latest disk informer metric (undefined: none yet). */
  informerDisk: () => number | undefined
  /** Lengths of the tracker's queues, by queue. */
  queues: () => Record<string, number>
  /** Operations the tracker is running now, pins and unpins. */
  running: () => { pins: number, unpins: number }
  /** Members of the peerset. */
  peers: () => number
  /** With CRDT consensus: its heads, greatest height and dirty bit (undefined with Raft). */
  crdt?: () => { heads: number, maxHeight: number, dirty: boolean } | undefined
}

/** One answered HTTP request of an API (REST API, Pinning Service API, proxy). */
export interface HttpRequestSample {
  method: string
  /** The route template (`/pins/:hash`), or `other` when no route matched: bounded labels. */
  route: string
  status: number
  seconds: number
}

/** What the consensus reports: commit durations and leader changes. */
export interface ConsensusMetricsSink {
  commit: (op: 'pin' | 'unpin', seconds: number, ok: boolean) => void
  leaderChanged: () => void
}

/** One finished call to another peer's RPC, as its caller saw it. */
export interface RpcCallSample {
  /** `Service.Method`. */
  method: string
  /** `ok`, or the RpcError type: `server`, `client`, `authorization`, `transport`. */
  outcome: string
  seconds: number
}

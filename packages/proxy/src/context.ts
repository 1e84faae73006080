/** What every intercepted handler receives. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ClusterApi, Logger } from '@cluster/api'
import type { KuboClient } from '@cluster/ipfs-connector'
import type { Upstream } from './upstream.ts'

/** One peer's IPFS repository sizes (`repo/stat?size-only=true`). */
export interface PeerRepoStat {
  repoSize: bigint
  storageMax: bigint
}

/**
 * Where `repo/stat` gets every cluster peer's repository sizes (Go: RPC IPFSConnector.RepoStat
 * to each peer). Entries that are errors are skipped (failed peers).
 */
export type RepoStatsSource = (opts: { signal?: AbortSignal }) => Promise<Array<PeerRepoStat | Error>>

export interface HandlerContext {
  req: IncomingMessage
  res: ServerResponse
  query: URLSearchParams
  cluster: ClusterApi
  upstream: Upstream
  /** Typed client of the same Kubo (path resolution). */
  kubo: KuboClient
  repoStats: RepoStatsSource
  /** Aborted when the client goes away. */
  signal: AbortSignal
  log: Logger
}

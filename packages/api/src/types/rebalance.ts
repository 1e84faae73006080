/**
 * Rebalancing (an extension beyond Go's API: `POST /pins/rebalance`, rest-api README): the
 * allocations of existing pins recomputed with the current allocator and metrics, and the pins
 * whose allocation changes moved, each added on its new peers before leaving the old ones.
 */
import type { CID } from '../cid.ts'
import type { PeerId } from '../peer-id.ts'
import type { PinSearch } from './pin-search.ts'

export interface RebalanceRequest {
  /** Which pins are considered (the search filters of `GET /allocations`); all when empty. */
  search: PinSearch
  /** At most this many moves; all that improve the balance when absent. */
  limit?: number
  /** Report the moves without making them. */
  dryRun: boolean
}

/** One pin whose allocations change. */
export interface RebalanceMove {
  cid: CID
  name: string
  from: PeerId[]
  to: PeerId[]
}

/** `planned` (dry run), `moved`, `failed` (left on `from`), or `skipped` (the pin changed meanwhile). */
export type RebalanceResult = 'planned' | 'moved' | 'failed' | 'skipped'

export interface RebalanceSummary {
  /** Pins looked at. */
  checked: number
  planned: number
  moved: number
  failed: number
  skipped: number
  dryRun: boolean
}

export type RebalanceEvent =
  | { move: RebalanceMove, result: RebalanceResult, error?: string }
  | { summary: RebalanceSummary }

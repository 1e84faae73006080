/**
 * `POST /pins/rebalance` (an extension beyond Go's API): the query of a request and the decoding
 * of its NDJSON lines (one per move, then a summary).
 */
import { goQueryEscape, parseCid, parsePeerId } from '@cluster/api'
import type { PeerId, RebalanceEvent, RebalanceResult } from '@cluster/api'
import type { PinSearchQuery } from './client.ts'

export interface RebalanceQuery {
  /** Search parameters, as for `searchAllocations` (without `limit` and `cursor`). */
  search?: Omit<PinSearchQuery, 'limit' | 'cursor'>
  /** Pin types considered (`filter`). */
  filter?: string
  /** At most this many moves. */
  limit?: number
  dryRun?: boolean
}

const RESULTS: readonly RebalanceResult[] = ['planned', 'moved', 'failed', 'skipped']

/** The request's path; `searchText` is the encoded search parameters. */
export function rebalancePath (q: RebalanceQuery, searchText: string): string {
  const params: Array<[string, string]> = []
  if (q.filter !== undefined && q.filter !== '') params.push(['filter', q.filter])
  if (q.limit !== undefined) params.push(['limit', String(q.limit)])
  if (q.dryRun === true) params.push(['dry-run', 'true'])
  const query = [searchText, ...params.map(([k, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`)].filter(t => t !== '').join('&')
  return query === '' ? '/pins/rebalance' : `/pins/rebalance?${query}`
}

const peers = (v: unknown): PeerId[] => {
  if (!Array.isArray(v)) throw new Error('not a list of peers')
  return v.map(p => parsePeerId(String(p)))
}

export function decodeRebalanceEvent (value: unknown): RebalanceEvent {
  const v = value as Record<string, unknown>
  if (v === null || typeof v !== 'object') throw new Error('not a rebalance line')
  if (typeof v.summary === 'object' && v.summary !== null) {
    const s = v.summary as Record<string, unknown>
    const n = (k: string): number => typeof s[k] === 'number' ? s[k] : 0
    return { summary: { checked: n('checked'), planned: n('planned'), moved: n('moved'), failed: n('failed'), skipped: n('skipped'), dryRun: s.dry_run === true } }
  }
  if (typeof v.cid !== 'string' || !RESULTS.includes(v.result as RebalanceResult)) throw new Error('not a rebalance line')
  return {
    move: { cid: parseCid(v.cid), name: typeof v.name === 'string' ? v.name : '', from: peers(v.from), to: peers(v.to) },
    result: v.result as RebalanceResult,
    ...(typeof v.error === 'string' ? { error: v.error } : {})
  }
}


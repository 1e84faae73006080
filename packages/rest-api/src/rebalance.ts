/**
 * `POST /pins/rebalance` (an extension beyond Go's API, see the README): the cluster recomputes
 * the allocations of the pins the search parameters of `GET /allocations` match (all pins
 * without them) and moves those whose allocation changes, a few at a time. `limit` bounds the
 * moves, `dry-run=true` only reports them. The answer is NDJSON: one line per move as it
 * completes, then a summary line.
 */
import { parsePinTypeFilter } from '@cluster/api'
import type { JsonValue, RebalanceEvent } from '@cluster/api'
import type { AppContext } from './context.ts'
import { HttpError } from './errors.ts'
import type { RouteDeps } from './routes.ts'
import { parseLimit, parseSearch } from './search.ts'
import { streamResponse } from './stream.ts'

/** This route's own parameters; the others are search parameters. */
const ROUTE_KEYS = ['dry-run', 'limit', 'filter'] as const

function parseDryRun (q: URLSearchParams): boolean {
  const values = q.getAll('dry-run')
  if (values.length > 1) throw new HttpError(400, `query parameter 'dry-run' given ${values.length} times`)
  const text = values[0]
  if (text === undefined || text === 'false') return false
  if (text === '' || text === 'true') return true
  throw new HttpError(400, `invalid 'dry-run' query parameter ${JSON.stringify(text)}: expected true or false`)
}

export function encodeRebalanceEvent (event: RebalanceEvent): JsonValue {
  if ('summary' in event) {
    const s = event.summary
    return { summary: { checked: s.checked, planned: s.planned, moved: s.moved, failed: s.failed, skipped: s.skipped, dry_run: s.dryRun } }
  }
  const { move } = event
  return {
    cid: move.cid.toString(),
    name: move.name,
    from: move.from,
    to: move.to,
    result: event.result,
    ...(event.error === undefined ? {} : { error: event.error })
  }
}

export async function rebalanceHandler (c: AppContext, d: RouteDeps): Promise<Response> {
  const rebalance = d.cluster.rebalance?.bind(d.cluster)
  if (rebalance === undefined) throw new HttpError(400, 'this cluster cannot rebalance')
  const q = new URL(c.req.url).searchParams
  if (q.has('cursor')) throw new HttpError(400, "'cursor' is not taken by this route: a rebalance walks every matching pin")
  const dryRun = parseDryRun(q)
  const limitValues = q.getAll('limit')
  if (limitValues.length > 1) throw new HttpError(400, `query parameter 'limit' given ${limitValues.length} times`)
  const limit = limitValues[0] === undefined ? undefined : parseLimit(limitValues[0])
  const search = parseSearch(q, 'rebalance', ROUTE_KEYS)?.search ?? {}
  const filter = q.get('filter') ?? ''
  if (filter !== '') search.types = parsePinTypeFilter(filter)
  const events = rebalance({ search, dryRun, ...(limit === undefined ? {} : { limit }) }, { signal: c.req.raw.signal })
  return await streamResponse(c, d.config.headers, { items: events }, encodeRebalanceEvent)
}

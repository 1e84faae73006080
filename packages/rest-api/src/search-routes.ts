/**
 * `GET /allocations` and `GET /pins` with search parameters (search.ts): pins as stored, or
 * their statuses, for the matches of one page, streamed as NDJSON with the next page's cursor
 * in `X-Next-Cursor`.
 */
import { encodeGlobalPinInfo, parsePinTypeFilter, parseTrackerStatusFilter } from '@cluster/api'
import type { ClusterApi, GlobalPinInfo } from '@cluster/api'
import type { AppContext } from './context.ts'
import { HttpError } from './errors.ts'
import { apiHeaders } from './respond.ts'
import type { RouteDeps } from './routes.ts'
import { NEXT_CURSOR_HEADER, indexOf, pageOf, type SearchRequest } from './search.ts'
import { streamResponse, streamTextResponse } from './stream.ts'

/** Failures reported in the trailer (the first ones: a cluster shutting down fails every CID). */
const MAX_ERRORS = 16

function headersWith (d: RouteDeps, next: string | undefined): Record<string, string[]> {
  return next === undefined ? d.config.headers : { ...d.config.headers, [NEXT_CURSOR_HEADER]: [next] }
}

/** No match on this page: 204 as an empty listing is. */
function noContent (c: AppContext, d: RouteDeps): Response {
  return new Response(null, { status: 204, headers: apiHeaders(c, d.config.headers) })
}

export async function searchAllocations (c: AppContext, d: RouteDeps, q: URLSearchParams, req: SearchRequest): Promise<Response> {
  const index = indexOf(d.cluster.pinSearch)
  req.search.types = parsePinTypeFilter(q.get('filter') ?? '')
  const page = pageOf(index, req)
  if (page.empty) return noContent(c, d)
  return await streamTextResponse(c, headersWith(d, page.next), { items: asAsync(index.searchJson(page.search), c.req.raw.signal) })
}

export async function searchStatuses (c: AppContext, d: RouteDeps, q: URLSearchParams, req: SearchRequest): Promise<Response> {
  const index = indexOf(d.cluster.pinSearch)
  if ((q.get('cids') ?? '') !== '') throw new HttpError(400, "'cids' cannot be combined with search parameters")
  const filter = parseTrackerStatusFilter(q.get('filter') ?? '')
  const local = q.get('local') === 'true'
  const page = pageOf(index, req)
  if (page.empty) return noContent(c, d)
  const errors: string[] = []
  const items = statusesOf(d.cluster, index.searchCids(page.search), filter, local, c.req.raw.signal, errors)
  return await streamResponse(c, headersWith(d, page.next), { items, errors }, encodeGlobalPinInfo)
}

/**
 * The statuses of the matching CIDs (pages of CID strings in CID order), as StatusAll gives
 * them: every peer asked once a page (`within`), not once a CID. A CID unpinned meanwhile is
 * left out, as StatusAll leaves out a pin gone from the pinset. A page whose status fails is left
 * out and its error added to `errors` (the stream's `X-Stream-Error` trailer); the next is tried.
 */
export async function * statusesOf (cluster: ClusterApi, pages: Iterable<string[]>, filter: number, local: boolean, signal: AbortSignal, errors: string[] = []): AsyncGenerator<GlobalPinInfo> {
  for (const cids of pages) {
    if (signal.aborted) return
    try {
      yield * cluster.statusAll(filter, { local, within: cids, signal })
    } catch (err) {
      if (signal.aborted) return
      if (errors.length < MAX_ERRORS) errors.push(`status of the matches from ${cids[0] ?? ''}: ${(err as Error).message}`)
    }
  }
}

/** Pages of the index, read as consumed; stops when the client is gone. */
async function * asAsync (pages: Iterable<string>, signal: AbortSignal): AsyncGenerator<string> {
  for (const page of pages) {
    if (signal.aborted) return
    yield page
    // Lets other requests and the Raft driver run between pages.
    await new Promise(resolve => setImmediate(resolve))
  }
}

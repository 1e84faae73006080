/**
 * `GET /allocations` and `GET /pins` with search parameters (search.ts): pins as stored, or
 * their statuses, for the matches of one page, streamed as NDJSON with the next page's cursor
 * in `X-Next-Cursor`.
 */
import { encodeGlobalPinInfo, parseCid, parsePinTypeFilter, parseTrackerStatusFilter } from '@cluster/api'
import type { ClusterApi, GlobalPinInfo } from '@cluster/api'
import type { AppContext } from './context.ts'
import { HttpError } from './errors.ts'
import { apiHeaders } from './respond.ts'
import type { RouteDeps } from './routes.ts'
import { NEXT_CURSOR_HEADER, indexOf, pageOf, type SearchRequest } from './search.ts'
import { streamResponse, streamTextResponse } from './stream.ts'

/** Statuses asked at once while streaming the statuses of a search (each a fan-out to every peer). */
const STATUS_WINDOW = 8

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
  const items = statusesOf(d.cluster, index.searchCids(page.search), filter, local, c.req.raw.signal)
  return await streamResponse(c, headersWith(d, page.next), { items }, encodeGlobalPinInfo)
}

/**
 * The status of each matching CID, in CID order, a few asked at once. A CID unpinned meanwhile
 * (its status then fails) is left out, as a pin gone from the pinset would be.
 */
export async function * statusesOf (cluster: ClusterApi, pages: Iterable<string[]>, filter: number, local: boolean, signal: AbortSignal): AsyncGenerator<GlobalPinInfo> {
  const one = async (cid: string): Promise<GlobalPinInfo[]> => {
    const out: GlobalPinInfo[] = []
    for await (const info of cluster.statusAll(filter, { local, cids: [parseCid(cid)], signal })) out.push(info)
    return out
  }
  for (const cids of pages) {
    const pending: Array<Promise<GlobalPinInfo[]>> = []
    for (let i = 0; i < cids.length || pending.length > 0;) {
      while (pending.length < STATUS_WINDOW && i < cids.length) {
        const p = one(cids[i++] as string)
        p.catch(() => {})
        pending.push(p)
      }
      if (signal.aborted) return
      yield * await (pending.shift() as Promise<GlobalPinInfo[]>).catch(() => [])
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

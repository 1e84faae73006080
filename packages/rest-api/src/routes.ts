/**
 * The route table (rest-api.md §3), in Go's order (first match wins), and its handlers.
 */
import {
  decodePinOptionsQuery, encodeAlert, encodeConnectGraph, encodeGlobalPinInfo, encodeGlobalRepoGc,
  encodeId, encodeMetric, encodePin, encodeVersion, encodeBandwidthByProtocol, parseCid,
  parsePeerId, parsePinTypeFilter, parseTrackerStatusFilter, Timestamp, TOO_MANY_REQUESTS
} from '@cluster/api'
import type { CID, ClusterApi, PinOptions, RequestClass, RequestLimiter } from '@cluster/api'
import type { AppContext } from './context.ts'
import type { RestApiConfig } from './config.ts'
import { HttpError } from './errors.ts'
import { parseIpfsPath } from './ipfs-path.ts'
import { readBodyText, firstJsonValue } from './body.ts'
import type { Responder } from './respond.ts'
import { streamResponse, streamTextResponse } from './stream.ts'
import { statusLines, statusOfCids, statusPasses } from './status-listing.ts'
import { addHandler } from './add.ts'
import { parseSearch } from './search.ts'
import { batchHandler } from './batch.ts'
import { rebalanceHandler } from './rebalance.ts'
import { searchAllocations, searchStatuses } from './search-routes.ts'
import { signToken } from './jwt.ts'

export interface RouteDeps {
  cluster: ClusterApi
  config: RestApiConfig
  responder: Responder
  /** "Now" for `expire-in` (Go: the server's local time). */
  now: () => Timestamp
  /** The app's concurrency limits (RouteDef.limit). */
  limiter: RequestLimiter
}

export type Handler = (c: AppContext, d: RouteDeps) => Promise<Response>

export interface RouteDef {
  name: string
  method: 'GET' | 'POST' | 'DELETE'
  /** hono path template. */
  path: string
  /** The same template as a regular expression over the (decoded) path, for 405 detection. */
  pattern: RegExp
  handler: Handler
  /**
   * The class of requests whose concurrency is limited (RequestLimiter) this one belongs to, when
   * its memory grows with the pinset, its body or its upload; unlimited when absent.
   */
  limit?: RequestClass | ((c: AppContext) => RequestClass | undefined)
}

function query (c: AppContext): URLSearchParams {
  return new URL(c.req.url).searchParams
}

function isLocal (c: AppContext): boolean {
  return query(c).get('local') === 'true'
}

function signal (c: AppContext): { signal: AbortSignal } {
  return { signal: c.req.raw.signal }
}

function cidParam (c: AppContext, name = 'hash'): CID {
  const text = c.req.param(name) ?? ''
  try {
    return parseCid(text)
  } catch (err) {
    throw new HttpError(400, `error decoding Cid: ${(err as Error).message}`, { cause: err })
  }
}

/** Pin options are parsed (and may fail with 400) on every `{hash}` and pin-path route. */
function pinOptions (c: AppContext, d: RouteDeps): PinOptions {
  return decodePinOptionsQuery(query(c), { now: d.now })
}

function pinPathParam (c: AppContext): string {
  const urlpath = `/${c.req.param('keyType') ?? ''}/${(c.req.param('path') ?? '').replace(/\/$/, '')}`
  try {
    return parseIpfsPath(urlpath)
  } catch (err) {
    throw new HttpError(400, `error parsing path: ${(err as Error).message}`, { cause: err })
  }
}

const json = (c: AppContext, d: RouteDeps, v: Parameters<Responder['json']>[1]): Response => d.responder.json(c, v)

/** The refusal of a request beyond its class's limit (429 with `Retry-After`). */
export function tooManyRequests (c: AppContext, d: RouteDeps): Response {
  return d.responder.error(c, 429, TOO_MANY_REQUESTS, [['Retry-After', String(d.limiter.retryAfterSeconds)]])
}

const PIN_PATH = ':keyType{ipfs|ipns|ipld}/:path{.+}'

/** `POST /token` (§4.22): a JWT for the authenticated user; 401 when authentication is off. */
export const TOKEN_ROUTE: RouteDef = {
  name: 'Token', method: 'POST', path: '/token', pattern: /^\/token$/,
  handler: async (c, d) => {
    const creds = d.config.basicAuthCredentials
    const user = c.get('user')
    const password = creds !== null && user !== undefined && Object.hasOwn(creds, user) ? creds[user] : undefined
    if (password === undefined || user === undefined) throw new HttpError(401, 'unauthorized')
    return d.responder.json(c, { token: signToken(user, password) })
  }
}

/** `GET /health` (§4.23): 204, reached without authentication. */
export const HEALTH_ROUTE: RouteDef = {
  name: 'Health', method: 'GET', path: '/health', pattern: /^\/health$/,
  handler: async (c, d) => d.responder.noContent(c)
}

export const ROUTES: RouteDef[] = [
  {
    name: 'ID', method: 'GET', path: '/id', pattern: /^\/id$/,
    handler: async (c, d) => json(c, d, encodeId(await d.cluster.id(signal(c))))
  },
  {
    name: 'Version', method: 'GET', path: '/version', pattern: /^\/version$/,
    handler: async (c, d) => json(c, d, encodeVersion(await d.cluster.version(signal(c))))
  },
  {
    name: 'Peers', method: 'GET', path: '/peers', pattern: /^\/peers$/,
    handler: async (c, d) => await streamResponse(c, d.config.headers, { items: d.cluster.peers(signal(c)) }, encodeId)
  },
  {
    name: 'PeerAdd', method: 'POST', path: '/peers', pattern: /^\/peers$/, limit: 'body',
    handler: async (c, d) => {
      const text = await readBodyText(c.req.raw, d.config.maxBodyBytes)
      let body: unknown
      try {
        body = JSON.parse(firstJsonValue(text))
      } catch {
        throw new HttpError(400, 'error decoding request body')
      }
      if (body !== null && (typeof body !== 'object' || Array.isArray(body))) throw new HttpError(400, 'error decoding request body')
      let raw: unknown = ''
      if (body !== null) {
        const key = Object.keys(body).find((k) => k === 'peer_id') ?? Object.keys(body).find((k) => k.toLowerCase() === 'peer_id')
        if (key !== undefined) raw = (body as Record<string, unknown>)[key]
      }
      if (raw === null) raw = ''
      if (typeof raw !== 'string') throw new HttpError(400, 'error decoding request body')
      let peer
      try {
        peer = parsePeerId(raw)
      } catch {
        throw new HttpError(400, 'error decoding peer_id')
      }
      return json(c, d, encodeId(await d.cluster.peerAdd(peer, signal(c))))
    }
  },
  {
    name: 'PeerRemove', method: 'DELETE', path: '/peers/:peer', pattern: /^\/peers\/[^/]+$/,
    handler: async (c, d) => {
      let peer
      try {
        peer = parsePeerId(c.req.param('peer') ?? '')
      } catch (err) {
        throw new HttpError(400, `error decoding Peer ID: ${(err as Error).message}`, { cause: err })
      }
      await d.cluster.peerRemove(peer, signal(c))
      return d.responder.noContent(c)
    }
  },
  {
    name: 'Add', method: 'POST', path: '/add', pattern: /^\/add$/, limit: 'add',
    handler: async (c, d) => await addHandler(c, d)
  },
  {
    name: 'Allocations', method: 'GET', path: '/allocations', pattern: /^\/allocations$/, limit: 'list',
    handler: async (c, d) => {
      // Search parameters (an extension) take the indexed path; without them, Go's listing.
      const search = parseSearch(query(c), 'allocations', ['filter'])
      if (search !== undefined) return await searchAllocations(c, d, query(c), search)
      const filter = parsePinTypeFilter(query(c).get('filter') ?? '')
      // Pins as the cluster stores them, when it can: no decoding and re-encoding per pin.
      if (d.cluster.allocationsJson !== undefined) return await streamTextResponse(c, d.config.headers, { items: d.cluster.allocationsJson(filter, signal(c)) })
      return await streamResponse(c, d.config.headers, { items: d.cluster.allocations(filter, signal(c)) }, encodePin)
    }
  },
  {
    name: 'Allocation', method: 'GET', path: '/allocations/:hash', pattern: /^\/allocations\/[^/]+$/,
    handler: async (c, d) => {
      const cid = cidParam(c)
      pinOptions(c, d)
      return json(c, d, encodePin(await d.cluster.allocation(cid, signal(c))))
    }
  },
  {
    // Statuses of given CIDs are asked one by one; the status of all pins is a shared pass.
    name: 'StatusAll', method: 'GET', path: '/pins', pattern: /^\/pins$/, limit: c => (c.req.query('cids') ?? '') === '' ? undefined : 'list',
    handler: async (c, d) => {
      const q = query(c)
      const search = parseSearch(q, 'pins', ['local', 'filter', 'cids'])
      if (search !== undefined) return await searchStatuses(c, d, q, search)
      const local = q.get('local') === 'true'
      const cidsText = q.get('cids') ?? ''
      if (cidsText !== '') {
        const cids = cidsText.split(',').map((t) => {
          try {
            return parseCid(t)
          } catch (err) {
            throw new HttpError(400, `error decoding Cid: ${(err as Error).message}`, { cause: err })
          }
        })
        return await streamResponse(c, d.config.headers, statusOfCids(d.cluster, cids, local, c.req.raw.signal), encodeGlobalPinInfo)
      }
      const filter = parseTrackerStatusFilter(q.get('filter') ?? '')
      const pass = statusPasses(d).join(`${String(local)} ${filter}`, c.req.raw.signal, sig => statusLines(d.cluster, filter, local, sig))
      if (pass === undefined) return tooManyRequests(c, d)
      return await streamTextResponse(c, d.config.headers, { items: pass })
    }
  },
  {
    // Batch pinning (an extension: Go v1.1.6 answers 405): many items, one request.
    name: 'PinBatch', method: 'POST', path: '/pins', pattern: /^\/pins$/, limit: 'body',
    handler: async (c, d) => await batchHandler(c, d)
  },
  // Older names kept as aliases (this project's earlier API; Go v1.1.6 answers 404/400).
  {
    name: 'PinList', method: 'GET', path: '/pinlist', pattern: /^\/pinlist$/, limit: 'list',
    handler: async (c, d) => await streamResponse(c, d.config.headers, { items: d.cluster.allocations(parsePinTypeFilter(''), signal(c)) }, encodePin)
  },
  {
    // Statuses are computed from IPFS on every call: "sync" re-checks and returns fresh statuses.
    name: 'SyncAll', method: 'POST', path: '/pins/sync', pattern: /^\/pins\/sync$/, limit: 'list',
    handler: async (c, d) => await streamResponse(c, d.config.headers, { items: d.cluster.statusAll(0, { local: isLocal(c), ...signal(c) }) }, encodeGlobalPinInfo)
  },
  {
    name: 'Sync', method: 'POST', path: '/pins/:hash/sync', pattern: /^\/pins\/[^/]+\/sync$/,
    handler: async (c, d) => {
      const cid = cidParam(c)
      pinOptions(c, d)
      return json(c, d, encodeGlobalPinInfo(await d.cluster.status(cid, { local: isLocal(c), ...signal(c) })))
    }
  },
  {
    name: 'Recover', method: 'POST', path: '/pins/:hash/recover', pattern: /^\/pins\/[^/]+\/recover$/,
    handler: async (c, d) => {
      const cid = cidParam(c)
      pinOptions(c, d)
      return json(c, d, encodeGlobalPinInfo(await d.cluster.recover(cid, { local: isLocal(c), ...signal(c) })))
    }
  },
  {
    name: 'RecoverAll', method: 'POST', path: '/pins/recover', pattern: /^\/pins\/recover$/, limit: 'list',
    handler: async (c, d) => await streamResponse(c, d.config.headers, { items: d.cluster.recoverAll({ local: isLocal(c), ...signal(c) }) }, encodeGlobalPinInfo)
  },
  {
    name: 'Status', method: 'GET', path: '/pins/:hash', pattern: /^\/pins\/[^/]+$/,
    handler: async (c, d) => {
      const cid = cidParam(c)
      pinOptions(c, d)
      return json(c, d, encodeGlobalPinInfo(await d.cluster.status(cid, { local: isLocal(c), ...signal(c) })))
    }
  },
  {
    // Rebalancing (an extension: Go v1.1.6 reads "rebalance" as a CID and answers 400).
    name: 'Rebalance', method: 'POST', path: '/pins/rebalance', pattern: /^\/pins\/rebalance$/,
    handler: async (c, d) => await rebalanceHandler(c, d)
  },
  {
    name: 'Pin', method: 'POST', path: '/pins/:hash', pattern: /^\/pins\/[^/]+$/,
    handler: async (c, d) => {
      const cid = cidParam(c)
      const opts = pinOptions(c, d)
      return json(c, d, encodePin(await d.cluster.pin(cid, opts, signal(c))))
    }
  },
  {
    name: 'PinPath', method: 'POST', path: `/pins/${PIN_PATH}`, pattern: /^\/pins\/(?:ipfs|ipns|ipld)\/.+$/,
    handler: async (c, d) => {
      const path = pinPathParam(c)
      const opts = pinOptions(c, d)
      return json(c, d, encodePin(await d.cluster.pinPath(path, opts, signal(c))))
    }
  },
  {
    name: 'Unpin', method: 'DELETE', path: '/pins/:hash', pattern: /^\/pins\/[^/]+$/,
    handler: async (c, d) => {
      const cid = cidParam(c)
      pinOptions(c, d)
      return json(c, d, encodePin(await d.cluster.unpin(cid, signal(c))))
    }
  },
  {
    name: 'UnpinPath', method: 'DELETE', path: `/pins/${PIN_PATH}`, pattern: /^\/pins\/(?:ipfs|ipns|ipld)\/.+$/,
    handler: async (c, d) => {
      const path = pinPathParam(c)
      pinOptions(c, d)
      return json(c, d, encodePin(await d.cluster.unpinPath(path, signal(c))))
    }
  },
  {
    name: 'RepoGC', method: 'POST', path: '/ipfs/gc', pattern: /^\/ipfs\/gc$/, limit: 'list',
    handler: async (c, d) => json(c, d, encodeGlobalRepoGc(await d.cluster.repoGc({ local: isLocal(c), ...signal(c) })))
  },
  {
    name: 'ConnectionGraph', method: 'GET', path: '/health/graph', pattern: /^\/health\/graph$/,
    handler: async (c, d) => json(c, d, encodeConnectGraph(await d.cluster.connectGraph(signal(c))))
  },
  {
    name: 'Alerts', method: 'GET', path: '/health/alerts', pattern: /^\/health\/alerts$/,
    handler: async (c, d) => json(c, d, (await d.cluster.alerts(signal(c))).map(encodeAlert))
  },
  {
    name: 'Bandwidth', method: 'GET', path: '/health/bandwidth', pattern: /^\/health\/bandwidth$/,
    handler: async (c, d) => json(c, d, encodeBandwidthByProtocol(await d.cluster.bandwidth(signal(c))))
  },
  {
    name: 'Metrics', method: 'GET', path: '/monitor/metrics/:name', pattern: /^\/monitor\/metrics\/[^/]+$/,
    handler: async (c, d) => json(c, d, (await d.cluster.metrics(c.req.param('name') ?? '', signal(c))).map(encodeMetric))
  },
  {
    name: 'MetricNames', method: 'GET', path: '/monitor/metrics', pattern: /^\/monitor\/metrics$/,
    handler: async (c, d) => json(c, d, await d.cluster.metricNames(signal(c)))
  },
  TOKEN_ROUTE,
  HEALTH_ROUTE
]

/** Whether some route's template matches the path (then a wrong method is a 405). */
export function pathMatchesRoute (path: string, routes: readonly RouteDef[] = ROUTES): boolean {
  return routes.some((r) => r.pattern.test(path))
}

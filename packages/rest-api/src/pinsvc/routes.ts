/**
 * Routes of the IPFS Pinning Service API (rest-api.md §11), in Go's order, over a ClusterApi.
 * Request IDs are CIDs. `/token` and `/health` are the REST API's.
 */
import { cidEquals, defaultPinOptions, parseCid, stringifyJson } from '@cluster/api'
import type { CID, ClusterApi, Multiaddr, Pin, PinOptions } from '@cluster/api'
import type { AppContext } from '../context.ts'
import { HttpError } from '../errors.ts'
import { firstJsonValue, readBodyText } from '../body.ts'
import { HEALTH_ROUTE, TOKEN_ROUTE, tooManyRequests } from '../routes.ts'
import type { RouteDef, RouteDeps } from '../routes.ts'
import { jsonPartsResponse } from '../stream.ts'
import { decodePinSvcPin, encodePinSvcPinStatus } from './types.ts'
import type { PinSvcPin, PinSvcPinList, PinSvcPinStatus } from './types.ts'
import { pinStatusOfGlobal } from './status.ts'
import { PinListings } from './listing.ts'
import { parseListQuery } from './query.ts'
import type { PinSvcListOptions } from './query.ts'

const signal = (c: AppContext): { signal: AbortSignal } => ({ signal: c.req.raw.signal })

function requestIdParam (c: AppContext): CID {
  try {
    return parseCid(c.req.param('requestid') ?? '')
  } catch (err) {
    throw new HttpError(400, `error decoding requestID: ${(err as Error).message}`, { cause: err })
  }
}

/** The request body as a Pin; 400 `error decoding request body: …` (also when it has no CID). */
async function readPin (c: AppContext, d: RouteDeps): Promise<PinSvcPin> {
  const text = await readBodyText(c.req.raw, d.config.maxBodyBytes)
  const fail = (why: string, cause?: unknown): never => { throw new HttpError(400, `error decoding request body: ${why}`, { cause }) }
  if (text.trim() === '') fail('EOF')
  let value: unknown
  try {
    value = JSON.parse(firstJsonValue(text))
  } catch (err) {
    fail((err as Error).message, err)
  }
  let pin
  try {
    pin = decodePinSvcPin(value)
  } catch (err) {
    return fail((err as Error).message, err)
  }
  // Go answers a body without CID with 200 and no body at all; we refuse it.
  if (pin.cid === undefined) return fail('missing cid')
  return { ...pin, cid: pin.cid }
}

/**
 * IPFS addresses of the peers a new pin is allocated to (every member for pin-everywhere), in
 * allocation order: what each publishes in its ping metric (Go's `Cluster.IPFSID`), so loopback
 * and link-local addresses stay out unless the peer is configured to publish them. Without that
 * view (a cluster behind the REST client) the peers' identities are asked; a failure to list
 * peers leaves the delegates empty, as Go's.
 */
async function delegatesOf (cluster: ClusterApi, pin: Pin, opts: { signal: AbortSignal }): Promise<Multiaddr[]> {
  const everywhere = pin.replicationFactorMin === -1 && pin.replicationFactorMax === -1
  try {
    if (cluster.ipfsAddressesOf !== undefined) {
      const peers = everywhere ? (await cluster.id(opts)).clusterPeers ?? [] : (pin.allocations ?? [])
      return peers.flatMap(p => cluster.ipfsAddressesOf?.(p) ?? [])
    }
    const byPeer = new Map<string, Multiaddr[]>()
    for await (const id of cluster.peers(opts)) byPeer.set(id.id, id.ipfs.addresses ?? [])
    const peers = everywhere ? [...byPeer.keys()] : (pin.allocations ?? [])
    return peers.flatMap((p) => byPeer.get(p) ?? [])
  } catch {
    return []
  }
}

/** `POST /pins` and `POST /pins/{requestid}` (replace: pin as an update, then unpin the old one); 202 with the status. */
async function addPin (c: AppContext, d: RouteDeps): Promise<Response> {
  const pin = await readPin(c, d)
  const replaced = c.req.param('requestid') === undefined ? undefined : requestIdParam(c)
  const options: PinOptions = {
    ...defaultPinOptions(),
    name: pin.name,
    origins: pin.origins.length === 0 ? null : pin.origins,
    metadata: Object.keys(pin.meta).length === 0 ? null : pin.meta,
    mode: 'recursive',
    pinUpdate: replaced
  }
  const pinned = await d.cluster.pin(pin.cid, options, signal(c))
  // Go unpins the replaced CID even when it is the one just pinned; we keep the pin then.
  if (replaced !== undefined && !cidEquals(replaced, pin.cid)) await d.cluster.unpin(replaced, signal(c))
  const status: PinSvcPinStatus = {
    requestId: pin.cid.toString(),
    status: 'queued',
    created: pinned.timestamp,
    pin: { cid: pinned.cid, name: pinned.name, origins: pinned.origins ?? [], meta: pinned.metadata ?? {} },
    delegates: await delegatesOf(d.cluster, pinned, signal(c))
  }
  // 202 as the Pinning Service API spec says (Go answers 200): the pin is queued, not done.
  return d.responder.json(c, encodePinSvcPinStatus(status), 202)
}

async function getPin (c: AppContext, d: RouteDeps): Promise<Response> {
  const cid = requestIdParam(c)
  let status: PinSvcPinStatus | undefined
  try {
    status = pinStatusOfGlobal(await d.cluster.status(cid, signal(c)))
  } catch {
    status = undefined
  }
  if (status === undefined) throw new HttpError(404, 'pin not found')
  return d.responder.json(c, encodePinSvcPinStatus(status))
}

async function removePin (c: AppContext, d: RouteDeps): Promise<Response> {
  const cid = requestIdParam(c)
  await d.cluster.unpin(cid, signal(c))
  return d.responder.noContent(c, 202)
}

/**
 * The given CIDs' statuses (fetched in parallel; answered in the order given). As in Go, the
 * other filters do not apply, CIDs without status are skipped, and a failed status call among
 * the kept results fails the whole answer.
 */
async function listCids (cluster: ClusterApi, opts: PinSvcListOptions, sig: { signal: AbortSignal }): Promise<PinSvcPinList> {
  const answers = await Promise.all(opts.cids.map(async (cid) => {
    try {
      return { st: pinStatusOfGlobal(await cluster.status(cid, sig)) }
    } catch (err) {
      return { err: err instanceof Error ? err.message : String(err) }
    }
  }))
  const results: PinSvcPinStatus[] = []
  const errors: string[] = []
  let count = 0
  for (const { st, err } of answers) {
    if (st === undefined && err === undefined) continue
    if (count < opts.limit) {
      if (st !== undefined) results.push(st)
      if (err !== undefined) errors.push(err)
    }
    count++
  }
  if (errors.length > 0) throw new HttpError(500, errors.join('; '))
  return { count, results }
}

/** Shared listing rounds of an app (one per app's dependencies). */
const listings = new WeakMap<RouteDeps, PinListings>()

function listingsOf (d: RouteDeps): PinListings {
  let l = listings.get(d)
  if (l === undefined) listings.set(d, l = new PinListings(d.cluster, d.limiter.sharedListings))
  return l
}

/** `{"count":…,"results":[…]}` written status by status (Go's field order). */
function * listParts (count: number, results: Iterable<string>): Generator<string> {
  yield `{"count":${count},"results":[`
  let first = true
  for (const json of results) {
    yield first ? json : ',' + json
    first = false
  }
  yield ']}\n'
}

async function listPins (c: AppContext, d: RouteDeps): Promise<Response> {
  const opts = parseListQuery(new URL(c.req.url).searchParams)
  if (opts.cids.length > 0) {
    const list = await listCids(d.cluster, opts, signal(c))
    return jsonPartsResponse(c, d.config.headers, listParts(list.count, list.results.map(st => stringifyJson(encodePinSvcPinStatus(st)))))
  }
  const pending = listingsOf(d).list(opts, c.req.raw.signal)
  if (pending === undefined) return tooManyRequests(c, d)
  const { count, results } = await pending
  return jsonPartsResponse(c, d.config.headers, listParts(count, (function * () { for (const r of results) yield r.json })()))
}

export const PINSVC_ROUTES: RouteDef[] = [
  // A listing by CIDs asks for each CID's status; a full listing joins a shared round (PinListings).
  { name: 'ListPins', method: 'GET', path: '/pins', pattern: /^\/pins$/, handler: listPins, limit: c => c.req.query('cid') === undefined || c.req.query('cid') === '' ? undefined : 'list' },
  { name: 'AddPin', method: 'POST', path: '/pins', pattern: /^\/pins$/, handler: addPin, limit: 'body' },
  { name: 'GetPin', method: 'GET', path: '/pins/:requestid', pattern: /^\/pins\/[^/]+$/, handler: getPin },
  { name: 'ReplacePin', method: 'POST', path: '/pins/:requestid', pattern: /^\/pins\/[^/]+$/, handler: addPin, limit: 'body' },
  { name: 'RemovePin', method: 'DELETE', path: '/pins/:requestid', pattern: /^\/pins\/[^/]+$/, handler: removePin },
  TOKEN_ROUTE,
  HEALTH_ROUTE
]

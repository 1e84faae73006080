/**
 * RestClient: every route of the REST API (rest-api.md §3), with the requests
 * the Go client (`api/rest/client`) sends. Implements `ClusterApi`, so it can stand wherever a
 * cluster is expected.
 */
import type { IncomingMessage } from 'node:http'
import {
  decodeAlert, decodeBandwidthByProtocol, decodeConnectGraph, decodeGlobalPinInfo, decodeGlobalRepoGc, decodeId,
  decodeAddedOutput, decodeMetric, decodePin, decodeVersion, encodeAddParamsQuery, encodePinOptionsQuery, formatTrackerStatusFilter, parseJson, PIN_TYPE_BITS,
  goQueryEscape, META_PREFIX, ndjsonLines, NdjsonLineTooLongError, pinOptionsQueryEntries
} from '@cluster/api'
import type {
  AddedOutput, AddParams, AddUpload, Alert, BandwidthByProtocol, CID, ClusterApi, ConnectGraph, GlobalPinInfo, GlobalRepoGc, Id, LocalOption, Metric, Pin,
  StatusAllOptions,
  PinOptions, PinTypeFilter, PeerId, RebalanceEvent, RequestOptions, TrackerStatusFilter, Version
} from '@cluster/api'
import { RestApiResponseError, RestClientConfigError, RestDecodeError } from './errors.ts'
import { readText, responseError, streamErrors, Transport } from './transport.ts'
import { decodeRebalanceEvent, rebalancePath, type RebalanceQuery } from './rebalance.ts'
import type { RequestBody, TlsOptions } from './transport.ts'

export interface RestClientOptions {
  /** Base URL (`http://127.0.0.1:9094`); or give `host`. */
  url?: string
  /** API multiaddr as the ctl takes it (`/ip4/127.0.0.1/tcp/9094`, `/dns/…/tcp/…`, `/unix/…`). */
  host?: string
  /** Use HTTPS with `host`. */
  https?: boolean
  username?: string
  password?: string
  /** Bearer token (used when no username is given). */
  token?: string
  /** Per request, body included; 0 = none (default). */
  timeoutMs?: number
  tls?: TlsOptions
  headers?: Record<string, string>
}

export const DEFAULT_API_URL = 'http://127.0.0.1:9094'

/** `/ip4/1.2.3.4/tcp/9094` → `http://1.2.3.4:9094` (libp2p `/p2p/` hosts are not supported). */
export function urlFromMultiaddr (addr: string, https = false): string {
  const scheme = https ? 'https' : 'http'
  if (addr.startsWith('/unix/')) return `${scheme}+unix://${encodeURIComponent(addr.slice('/unix'.length))}`
  const parts = addr.split('/')
  const [, proto, host, tcp, port] = parts
  if (parts.length !== 5 || tcp !== 'tcp' || port === undefined || !/^\d+$/.test(port) || host === undefined || host === '') {
    throw new RestClientConfigError(`unsupported API multiaddress ${JSON.stringify(addr)}`)
  }
  switch (proto) {
    case 'ip4': case 'dns': case 'dns4': case 'dns6': return `${scheme}://${host}:${port}`
    case 'ip6': return `${scheme}://[${host}]:${port}`
    default: throw new RestClientConfigError(`unsupported API multiaddress ${JSON.stringify(addr)}`)
  }
}

type Decoder<T> = (value: unknown, path?: string) => T

/**
 * The longest line a streamed answer may have (one pin or status; a status of a pin on thousands
 * of peers is a few MB): a longer one ends the stream with an error instead of growing the buffer.
 */
const MAX_STREAM_LINE_BYTES = 64 * 1024 * 1024

function decodeWith<T> (decode: Decoder<T>, text: string): T {
  try {
    return decode(parseJson(text))
  } catch (err) {
    throw new RestDecodeError({ code: 0, message: `error decoding response: ${(err as Error).message}` }, { cause: err })
  }
}

function localQuery (opts: LocalOption | undefined): string {
  return `local=${opts?.local === true ? 'true' : 'false'}`
}

/** The names the Go client sends for a pin-type filter bit set (`all` when it covers all). */
export function formatPinTypeFilter (filter: PinTypeFilter): string {
  if ((filter & PIN_TYPE_BITS.all) === PIN_TYPE_BITS.all || filter === 0) return 'all'
  return (['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin'] as const).filter((t) => (filter & PIN_TYPE_BITS[t]) !== 0).join(',')
}

export class RestClient implements ClusterApi {
  readonly #t: Transport

  constructor (opts: RestClientOptions = {}) {
    const url = opts.url ?? (opts.host !== undefined ? urlFromMultiaddr(opts.host, opts.https === true) : DEFAULT_API_URL)
    this.#t = new Transport({
      baseUrl: url,
      ...(opts.username !== undefined ? { username: opts.username, password: opts.password ?? '' } : {}),
      ...(opts.token !== undefined ? { token: opts.token } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
      ...(opts.headers !== undefined ? { headers: opts.headers } : {})
    })
  }

  /** Closes idle keep-alive connections. */
  close (): void {
    this.#t.close()
  }

  async #call (method: string, path: string, opts?: RequestOptions, body?: string): Promise<{ status: number, text: string }> {
    const res = await this.#t.send(method, path, body, opts?.signal)
    const text = await readText(res)
    const status = res.statusCode ?? 0
    if (status >= 400) throw responseError(status, text)
    return { status, text }
  }

  async #single<T> (method: string, path: string, decode: Decoder<T>, opts?: RequestOptions, body?: string): Promise<T> {
    const { text } = await this.#call(method, path, opts, body)
    return decodeWith(decode, text)
  }

  async #empty (method: string, path: string, opts?: RequestOptions): Promise<void> {
    await this.#call(method, path, opts)
  }

  /** NDJSON stream: yields each item as it arrives; trailer errors are thrown at the end. */
  async * #stream<T> (method: string, path: string, decode: Decoder<T>, opts?: RequestOptions, body?: RequestBody, onResponse?: (res: IncomingMessage) => void): AsyncGenerator<T> {
    const res: IncomingMessage = await this.#t.send(method, path, body, opts?.signal)
    const status = res.statusCode ?? 0
    if (status >= 400) throw responseError(status, await readText(res))
    onResponse?.(res)
    if (status === 204 || status === 202) { res.resume(); return }
    try {
      for await (const { text } of ndjsonLines(res as AsyncIterable<Uint8Array>, { maxLineBytes: MAX_STREAM_LINE_BYTES })) {
        yield decodeWith(decode, text)
      }
    } catch (err) {
      if (err instanceof NdjsonLineTooLongError) throw new RestDecodeError({ code: 0, message: `error decoding response: ${err.message}` }, { cause: err })
      throw err
    } finally {
      if (!res.complete) res.destroy()
    }
    const errors = streamErrors(res).filter((e) => e !== '')
    if (errors.length > 0) throw new RestApiResponseError({ code: 500, message: errors.join('; ') })
  }

  id (opts?: RequestOptions): Promise<Id> { return this.#single('GET', '/id', decodeId, opts) }
  version (opts?: RequestOptions): Promise<Version> { return this.#single('GET', '/version', decodeVersion, opts) }
  peers (opts?: RequestOptions): AsyncIterable<Id> { return this.#stream('GET', '/peers', decodeId, opts) }

  peerAdd (peer: PeerId, opts?: RequestOptions): Promise<Id> {
    return this.#single('POST', '/peers', decodeId, opts, JSON.stringify({ peer_id: peer }))
  }

  peerRemove (peer: PeerId, opts?: RequestOptions): Promise<void> {
    return this.#empty('DELETE', `/peers/${encodeURIComponent(peer)}`, opts)
  }

  allocations (filter: PinTypeFilter = PIN_TYPE_BITS.all, opts?: RequestOptions): AsyncIterable<Pin> {
    return this.#stream('GET', `/allocations?filter=${goQueryEscape(formatPinTypeFilter(filter))}`, decodePin, opts)
  }

  /**
   * Extension: the pins matching `search` (`GET /allocations` with search parameters), one page
   * when `search.limit` is set; `opts.onCursor` receives the next page's cursor (undefined on the
   * last page) once the answer starts.
   */
  searchAllocations (search: PinSearchQuery, filter: PinTypeFilter = PIN_TYPE_BITS.all, opts?: SearchRequestOptions): AsyncIterable<Pin> {
    const query = `filter=${goQueryEscape(formatPinTypeFilter(filter))}&${searchQuery(search)}`
    return this.#stream('GET', `/allocations?${query}`, decodePin, opts, undefined, cursorOf(opts))
  }

  /** Extension: the statuses of the pins matching `search` (`GET /pins` with search parameters). */
  searchStatus (search: PinSearchQuery, filter: TrackerStatusFilter = 0, opts?: LocalOption & SearchRequestOptions): AsyncIterable<GlobalPinInfo> {
    const query = `${localQuery(opts)}&filter=${goQueryEscape(formatTrackerStatusFilter(filter))}&${searchQuery(search)}`
    return this.#stream('GET', `/pins?${query}`, decodeGlobalPinInfo, opts, undefined, cursorOf(opts))
  }

  /**
   * Extension: pins and unpins many CIDs in one request (`POST /pins` with an NDJSON body, each
   * item with its options). Yields one result per item as the cluster commits it.
   */
  pinBatch (items: ReadonlyArray<{ op: 'pin' | 'unpin', cid: CID, options?: PinOptions }>, opts?: RequestOptions): AsyncIterable<BatchResultLine> {
    const text = items.map(item => JSON.stringify(batchItemJson(item))).join('\n') + '\n'
    const body = { contentType: 'application/x-ndjson', stream: (async function * () { yield new TextEncoder().encode(text) })() }
    return this.#stream('POST', '/pins', decodeBatchLine, opts, body)
  }

  /** Extension: moves pins to the allocation they would get now (`POST /pins/rebalance`); one event per move, then a summary. */
  rebalancePins (query: RebalanceQuery, opts?: RequestOptions): AsyncIterable<RebalanceEvent> {
    return this.#stream('POST', rebalancePath(query, searchQuery(query.search ?? {})), decodeRebalanceEvent, opts)
  }

  allocation (cid: CID, opts?: RequestOptions): Promise<Pin> {
    return this.#single('GET', `/allocations/${cid.toString()}`, decodePin, opts)
  }

  status (cid: CID, opts?: LocalOption): Promise<GlobalPinInfo> {
    return this.#single('GET', `/pins/${cid.toString()}?${localQuery(opts)}`, decodeGlobalPinInfo, opts)
  }

  statusAll (filter: TrackerStatusFilter = 0, opts?: StatusAllOptions): AsyncIterable<GlobalPinInfo> {
    const cids = (opts?.cids ?? []).map((c) => c.toString()).join(',')
    const f = cids === '' ? formatTrackerStatusFilter(filter) : ''
    const all = this.#stream('GET', `/pins?${localQuery(opts)}&filter=${goQueryEscape(f)}&cids=${goQueryEscape(cids)}`, decodeGlobalPinInfo, opts)
    return opts?.within === undefined ? all : onlyWithin(all, new Set(opts.within))
  }

  recover (cid: CID, opts?: LocalOption): Promise<GlobalPinInfo> {
    return this.#single('POST', `/pins/${cid.toString()}/recover?${localQuery(opts)}`, decodeGlobalPinInfo, opts)
  }

  recoverAll (opts?: LocalOption): AsyncIterable<GlobalPinInfo> {
    return this.#stream('POST', `/pins/recover?${localQuery(opts)}`, decodeGlobalPinInfo, opts)
  }

  pin (cid: CID, options: PinOptions, opts?: RequestOptions): Promise<Pin> {
    return this.#single('POST', `/pins/${cid.toString()}?${encodePinOptionsQuery(options)}`, decodePin, opts)
  }

  /** `path` is `/ipfs/…`, `/ipns/…` or `/ipld/…` (what `ipfs-cluster-ctl pin add` uses). */
  pinPath (path: string, options: PinOptions, opts?: RequestOptions): Promise<Pin> {
    return this.#single('POST', `/pins${encodePath(path)}?${encodePinOptionsQuery(options)}`, decodePin, opts)
  }

  unpin (cid: CID, opts?: RequestOptions): Promise<Pin> {
    return this.#single('DELETE', `/pins/${cid.toString()}`, decodePin, opts)
  }

  /**
   * `POST /add`: streams the multipart upload (`multipartUpload`) and yields the outputs as the
   * server sends them (the query always asks for a stream, as Go's client does). Never
   * redirected or retried: the body is a one-shot stream.
   */
  add (upload: AddUpload, params: AddParams, opts?: RequestOptions): AsyncIterable<AddedOutput> {
    const query = encodeAddParamsQuery({ ...params, streamChannels: true })
    return this.#stream('POST', `/add?${query}`, decodeAddedOutput, opts, { contentType: upload.contentType, stream: upload.body })
  }

  unpinPath (path: string, opts?: RequestOptions): Promise<Pin> {
    return this.#single('DELETE', `/pins${encodePath(path)}`, decodePin, opts)
  }

  repoGc (opts?: LocalOption): Promise<GlobalRepoGc> {
    return this.#single('POST', `/ipfs/gc?${localQuery(opts)}`, decodeGlobalRepoGc, opts)
  }

  connectGraph (opts?: RequestOptions): Promise<ConnectGraph> {
    return this.#single('GET', '/health/graph', decodeConnectGraph, opts)
  }

  alerts (opts?: RequestOptions): Promise<Alert[]> {
    return this.#single('GET', '/health/alerts', listOf(decodeAlert), opts)
  }

  bandwidth (opts?: RequestOptions): Promise<BandwidthByProtocol> {
    return this.#single('GET', '/health/bandwidth', decodeBandwidthByProtocol, opts)
  }

  metrics (name: string, opts?: RequestOptions): Promise<Metric[]> {
    return this.#single('GET', `/monitor/metrics/${encodeURIComponent(name)}`, listOf(decodeMetric), opts)
  }

  metricNames (opts?: RequestOptions): Promise<string[]> {
    return this.#single('GET', '/monitor/metrics', listOf((v, p) => {
      if (typeof v !== 'string') throw new Error(`${p ?? ''}: expected string`)
      return v
    }), opts)
  }

  /** `POST /token`: a JWT for the authenticated user. */
  async token (opts?: RequestOptions): Promise<string> {
    return await this.#single('POST', '/token', (v) => {
      const token = (v as { token?: unknown } | null)?.token
      if (typeof token !== 'string') throw new Error('expected {"token": string}')
      return token
    }, opts)
  }

  /** `GET /health` (no authentication needed): resolves when the API answers 204. */
  async health (opts?: RequestOptions): Promise<void> {
    await this.#empty('GET', '/health', opts)
  }
}

function listOf<T> (decode: Decoder<T>): Decoder<T[]> {
  return (v, path = '') => {
    if (v === null) return []
    if (!Array.isArray(v)) throw new Error(`${path}: expected array`)
    return v.map((x, i) => decode(x, `${path}[${i}]`))
  }
}

/** Escapes each path segment (keeps the slashes). */
function encodePath (path: string): string {
  return path.split('/').map((s) => encodeURIComponent(s)).join('/')
}

/** Search parameters (an extension beyond Go's API; times as RFC 3339 text). */
export interface PinSearchQuery {
  name?: string
  namePrefix?: string
  nameContains?: string
  /** Every entry must be in the pin's metadata. */
  metadata?: Record<string, string>
  /** Allocated to one of these peers. */
  allocations?: string[]
  expireBefore?: string
  expireAfter?: string
  before?: string
  after?: string
  limit?: number
  /** From a previous page's `onCursor`. */
  cursor?: string
}

export interface SearchRequestOptions extends RequestOptions {
  onCursor?: (next: string | undefined) => void
}

/** The response header carrying the next page's cursor. */
export const NEXT_CURSOR_HEADER = 'x-next-cursor'

function searchQuery (s: PinSearchQuery): string {
  const q: Array<[string, string]> = []
  if (s.name !== undefined) q.push(['name', s.name])
  if (s.namePrefix !== undefined) q.push(['name-prefix', s.namePrefix])
  if (s.nameContains !== undefined) q.push(['name-contains', s.nameContains])
  for (const [k, v] of Object.entries(s.metadata ?? {})) q.push([`meta-${k}`, v])
  if ((s.allocations ?? []).length > 0) q.push(['allocation', (s.allocations ?? []).join(',')])
  if (s.expireBefore !== undefined) q.push(['expire-before', s.expireBefore])
  if (s.expireAfter !== undefined) q.push(['expire-after', s.expireAfter])
  if (s.before !== undefined) q.push(['before', s.before])
  if (s.after !== undefined) q.push(['after', s.after])
  if (s.limit !== undefined) q.push(['limit', String(s.limit)])
  if (s.cursor !== undefined) q.push(['cursor', s.cursor])
  return q.map(([k, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`).join('&')
}

function cursorOf (opts: SearchRequestOptions | undefined): ((res: IncomingMessage) => void) | undefined {
  const onCursor = opts?.onCursor
  if (onCursor === undefined) return undefined
  return (res) => {
    const value = res.headers[NEXT_CURSOR_HEADER]
    onCursor(typeof value === 'string' && value !== '' ? value : undefined)
  }
}

/** One result of a batch (`pinBatch`): the item's position, and its pin or its error (code and message). */
export interface BatchResultLine {
  index: number
  cid: string
  op: 'pin' | 'unpin'
  pin?: Pin
  error?: RestApiResponseError
}

function batchItemJson (item: { op: 'pin' | 'unpin', cid: CID, options?: PinOptions }): Record<string, unknown> {
  const out: Record<string, unknown> = { cid: item.cid.toString(), op: item.op }
  if (item.op === 'unpin' || item.options === undefined) return out
  const metadata: Record<string, string> = {}
  for (const [k, v] of pinOptionsQueryEntries(item.options)) {
    if (k.startsWith(META_PREFIX)) metadata[k.slice(META_PREFIX.length)] = v
    else out[k] = v
  }
  if (Object.keys(metadata).length > 0) out.metadata = metadata
  return out
}

function decodeBatchLine (value: unknown): BatchResultLine {
  const v = value as { index?: unknown, cid?: unknown, op?: unknown, pin?: unknown, error?: { code?: unknown, message?: unknown } }
  if (typeof v?.index !== 'number' || typeof v.cid !== 'string' || (v.op !== 'pin' && v.op !== 'unpin')) throw new Error('not a batch result')
  const line: BatchResultLine = { index: v.index, cid: v.cid, op: v.op }
  if (v.pin !== undefined) line.pin = decodePin(v.pin)
  if (v.error !== undefined) line.error = new RestApiResponseError({ code: Number(v.error.code), message: String(v.error.message) })
  return line
}

/** `within` has no form in Go's REST API: the whole status, keeping the listed CIDs. */
async function * onlyWithin (all: AsyncIterable<GlobalPinInfo>, keys: ReadonlySet<string>): AsyncGenerator<GlobalPinInfo> {
  for await (const gpi of all) if (keys.has(gpi.cid.toString())) yield gpi
}

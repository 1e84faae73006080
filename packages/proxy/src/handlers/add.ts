/**
 * `add` (proxy.md §3.5). This proxy does not run a cluster adder of its own: the multipart
 * upload is streamed to the local Kubo's `add` with `pin=false` (Kubo chunks and stores the
 * blocks), Kubo's output lines are relayed as they come, and then the added root(s) are pinned
 * cluster-wide with the request's pin options. Allocated peers fetch the blocks from this Kubo
 * over bitswap.
 */
import { decodePinOptionsQuery, parseCid, type PinOptions } from '@cluster/api'
import type { HandlerContext } from '../context.ts'
import { ProxyRequestError, messageOf } from '../errors.ts'
import { forwardHeaders } from '../reverse-proxy.ts'
import { endStream, writeLine } from '../respond.ts'
import { parseBool } from '../routes.ts'
import { ndjsonLines, readText } from '../upstream.ts'

const BOOLEANS = ['recursive', 'hidden', 'wrap-with-directory', 'progress', 'raw-leaves', 'nocopy', 'stream-channels', 'trickle', 'pin', 'local', 'shard', 'no-pin', 'only-hash']
/** Options Kubo does not know (cluster-only): never forwarded. */
const CLUSTER_ONLY = new Set(['layout', 'format', 'local', 'shard', 'shard-size', 'no-pin', 'name', 'mode', 'replication', 'replication-min', 'replication-max', 'user-allocations', 'expire-at', 'expire-in', 'origins', 'pin-update'])

export interface AddParams {
  streamChannels: boolean
  wrap: boolean
  noPin: boolean
  pinOptions: PinOptions
  /** The query sent to Kubo's `add`. */
  kuboQuery: URLSearchParams
}

function invalid (what: string): ProxyRequestError {
  return new ProxyRequestError(`error parsing options:${what}`)
}

/** The cluster `/add` options plus Kubo aliases; errors use Go's texts. */
export function parseAddParams (query: URLSearchParams): AddParams {
  const bools = new Map<string, boolean>()
  for (const name of BOOLEANS) {
    const text = query.get(name)
    if (text === null || text === '') continue
    const v = parseBool(text)
    if (v === undefined) throw invalid(`parameter ${name} invalid`)
    bools.set(name, v)
  }
  const cidVersion = query.get('cid-version')
  if (cidVersion !== null && cidVersion !== '' && !/^[+-]?\d+$/.test(cidVersion)) throw invalid('parameter cid-version invalid')
  const layout = query.get('layout') ?? ''
  if (!['', 'balanced', 'trickle'].includes(layout)) throw invalid('layout parameter is invalid')
  const format = query.get('format') ?? ''
  if (!['', 'unixfs', 'car'].includes(format)) throw invalid('format parameter is invalid')
  let pinOptions: PinOptions
  try {
    pinOptions = decodePinOptionsQuery(query)
  } catch (err) {
    throw invalid(messageOf(err))
  }
  if (bools.get('only-hash') === true) throw new ProxyRequestError('only-hash is not supported when adding to cluster')
  if (format === 'car') throw new ProxyRequestError('format=car is not supported by this proxy')
  if (bools.get('shard') === true) throw new ProxyRequestError('sharding is not supported by this proxy')

  const kuboQuery = new URLSearchParams()
  for (const [key, value] of query) {
    if (CLUSTER_ONLY.has(key) || key.startsWith('meta-') || key === 'pin' || key === 'stream-channels' || key === 'trickle') continue
    kuboQuery.append(key, value)
  }
  if (layout === 'trickle' || bools.get('trickle') === true) kuboQuery.set('trickle', 'true')
  kuboQuery.set('pin', 'false')
  kuboQuery.set('stream-channels', 'true')
  return {
    streamChannels: bools.get('stream-channels') ?? true,
    wrap: bools.get('wrap-with-directory') ?? false,
    noPin: bools.get('no-pin') === true || bools.get('pin') === false,
    pinOptions,
    kuboQuery
  }
}

interface AddedLine { Name?: unknown, Hash?: unknown }

export async function add (ctx: HandlerContext): Promise<void> {
  const type = ctx.req.headers['content-type'] ?? ''
  if (!/^multipart\/(form-data|mixed)\s*;/i.test(type)) throw new ProxyRequestError("error reading request: request Content-Type isn't multipart/form-data")
  const params = parseAddParams(ctx.query)
  const res = ctx.res
  res.setHeader('Cache-Control', 'no-cache')
  res.setHeader('Connection', 'close')

  const up = await ctx.upstream.request({
    method: 'POST', path: `/api/v0/add?${params.kuboQuery.toString()}`, headers: forwardHeaders(ctx.req), body: ctx.req, signal: ctx.signal
  })
  if (up.statusCode !== 200) {
    const body = await readText(up)
    let message = body.trim()
    try { message = String((JSON.parse(body) as { Message?: unknown }).Message ?? message) } catch { /* not JSON */ }
    throw new ProxyRequestError(message)
  }
  const stream = params.streamChannels
  const buffered: string[] = []
  if (stream) {
    res.statusCode = 200
    res.setHeader('X-Chunked-Output', '1')
    res.setHeader('Trailer', 'X-Stream-Error')
    res.flushHeaders()
  }
  const roots: string[] = []
  let last: string | undefined
  let error = ''
  try {
    for await (const { raw, value } of ndjsonLines(up)) {
      const line = value as AddedLine
      if (typeof line.Hash === 'string') {
        last = line.Hash
        const name = typeof line.Name === 'string' ? line.Name : ''
        if (!name.includes('/') && !roots.includes(line.Hash)) roots.push(line.Hash)
      }
      if (stream) await writeLine(res, raw)
      else buffered.push(raw)
    }
    const upstreamError = up.trailers['x-stream-error']
    if (upstreamError !== undefined && upstreamError !== '') throw new Error(upstreamError)
    if (!params.noPin && last !== undefined) {
      // The root is the last line; without a wrapping folder every top-level entry is a root.
      const toPin = params.wrap ? [last] : roots
      for (const text of toPin) {
        await ctx.cluster.pin(parseCid(text), params.pinOptions, { signal: ctx.signal })
      }
    }
  } catch (err) {
    error = messageOf(err)
  }
  if (stream) {
    endStream(res, error)
    return
  }
  const body = error !== '' ? JSON.stringify({ code: 500, message: error }) : `[${buffered.join(',')}]`
  res.statusCode = error !== '' ? 500 : 200
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.end(body)
}

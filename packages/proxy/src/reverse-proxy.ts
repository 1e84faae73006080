/**
 * The plain reverse proxy (proxy.md §4): request and response bodies are streamed in both
 * directions (never buffered), hop-by-hop headers dropped, `X-Forwarded-For` appended, trailers
 * (`X-Stream-Error`) forwarded. Kubo unreachable → 502 with a Kubo-style JSON error.
 * Used for an HTTPS Kubo; a plain-HTTP Kubo gets the relay of relay.ts.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { messageOf } from './errors.ts'
import { sendError } from './respond.ts'
import type { Upstream } from './upstream.ts'

export const HOP_BY_HOP = new Set([
  'connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade'
])

/** Headers named in `Connection` are hop-by-hop too. */
export function connectionTokens (value: string | string[] | undefined): Set<string> {
  const out = new Set<string>()
  for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
    for (const token of v.split(',')) if (token.trim() !== '') out.add(token.trim().toLowerCase())
  }
  return out
}

/** Request headers for the upstream: raw names and repeated values kept, hop-by-hop removed. */
export function forwardHeaders (req: IncomingMessage): OutgoingHttpHeaders {
  const drop = connectionTokens(req.headers.connection)
  const out: Record<string, string | string[]> = {}
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    const value = raw[i + 1] as string
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower) || drop.has(lower) || lower === 'x-forwarded-for') continue
    const prev = out[name]
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  const client = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
  const prior = req.headers['x-forwarded-for']
  const chain = Array.isArray(prior) ? prior.join(', ') : prior
  if (client !== '') out['X-Forwarded-For'] = chain !== undefined && chain !== '' ? `${chain}, ${client}` : client
  else if (chain !== undefined) out['X-Forwarded-For'] = chain
  return out
}

/**
 * Response headers for the client: hop-by-hop and `Connection`-listed fields removed, repeated
 * fields kept in order. A body Kubo sent chunked is chunked again by node:http (never with a
 * Content-Length), and its announced trailers are announced again.
 */
export function responseHeaders (fields: Array<[string, string]>, chunked: boolean): OutgoingHttpHeaders {
  const drop = connectionTokens(fields.filter(([k]) => k.toLowerCase() === 'connection').map(([, v]) => v))
  const out: Record<string, string | string[]> = {}
  const trailer: string[] = []
  for (const [name, value] of fields) {
    const lower = name.toLowerCase()
    if (lower === 'trailer') trailer.push(value)
    if (HOP_BY_HOP.has(lower) || drop.has(lower) || (chunked && lower === 'content-length')) continue
    const prev = out[name]
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  if (chunked && trailer.length > 0) out.Trailer = trailer.join(', ')
  return out
}

function pairs (raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string])
  return out
}

/** Forwards one request to Kubo and streams the answer back. Never throws. */
export function reverseProxy (req: IncomingMessage, res: ServerResponse, upstream: Upstream): void {
  const controller = new AbortController()
  const abort = (): void => { if (!res.writableFinished) controller.abort() }
  res.on('close', abort)
  upstream.request({
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: forwardHeaders(req),
    body: req,
    signal: controller.signal
  }).then(up => {
    up.on('error', () => { res.destroy() })
    res.writeHead(up.statusCode ?? 502, up.statusMessage, responseHeaders(pairs(up.rawHeaders), up.headers['transfer-encoding'] !== undefined || up.headers.trailer !== undefined))
    if (res.req.method === 'HEAD') {
      up.resume()
      res.end()
      return
    }
    up.pipe(res, { end: false })
    up.on('end', () => {
      const trailers = pairs(up.rawTrailers)
      if (trailers.length > 0) res.addTrailers(trailers)
      res.end()
    })
  }, (err: unknown) => {
    if (controller.signal.aborted) return
    req.resume()
    if (res.headersSent) res.destroy()
    else sendError(res, 502, messageOf(err))
  })
}

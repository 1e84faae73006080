/**
 * The fast path of the reverse proxy (proxy.md §4) for a plain-HTTP Kubo: the request head is
 * re-written (hop-by-hop headers out, `X-Forwarded-For` in, `Connection: close`) and sent on a
 * fresh TCP connection; the answer's head is re-written the same way and everything after it —
 * body, chunk framing, trailers — is copied byte for byte to the client's socket, which is
 * closed when Kubo closes. Nothing parses or re-frames the body: on a 2-core machine shared
 * with Kubo, the proxy's CPU per byte is what decides the throughput of `cat`, `block/get`, ….
 * The cost: the call does not keep the client's connection alive, and a new connection to Kubo
 * costs ~2 ms — so only the commands that move content take this path (carriesBulkData); the
 * others keep the keep-alive reverse proxy of reverse-proxy.ts.
 */
import net from 'node:net'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { messageOf } from './errors.ts'
import { sendError } from './respond.ts'
import { connectionTokens, forwardHeaders, HOP_BY_HOP } from './reverse-proxy.ts'
import type { Upstream } from './upstream.ts'

/** Kubo commands whose answers are content (files, blocks, DAG exports), possibly large. */
const BULK_COMMANDS = new Set(['cat', 'get', 'block/get', 'dag/export', 'files/read', 'tar/cat', 'refs', 'ls'])

/** Whether `url` (`/api/v0/<command>?…`) is a content-moving command, worth the byte-copying path. */
export function carriesBulkData (url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0] ?? ''
  return path.startsWith('/api/v0/') && BULK_COMMANDS.has(path.slice('/api/v0/'.length).replace(/\/+$/, ''))
}

/** A response head larger than this is refused (Kubo's are a few hundred bytes). */
export const MAX_RESPONSE_HEAD_BYTES = 64 * 1024
const HEAD_END = Buffer.from('\r\n\r\n')
/** Kept although hop-by-hop: the body is copied with its framing and trailers. */
const FRAMING = new Set(['transfer-encoding', 'trailer'])

function headText (first: string, headers: OutgoingHttpHeaders): string {
  let text = first + '\r\n'
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) text += `${name}: ${String(v)}\r\n`
  }
  return text + 'Connection: close\r\n\r\n'
}

/** The request head for Kubo; the body keeps the framing the client used. */
function requestHead (req: IncomingMessage): { head: string, chunked: boolean } {
  const headers = forwardHeaders(req)
  // node:http already answered `Expect: 100-continue`; Kubo must not send a second 100.
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'expect') delete headers[name]
  const chunked = req.headers['content-length'] === undefined && /\bchunked\b/i.test(req.headers['transfer-encoding'] ?? '')
  if (chunked) headers['Transfer-Encoding'] = 'chunked'
  return { head: headText(`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`, headers), chunked }
}

/** Parses Kubo's response head and re-writes it for the client; undefined when malformed. */
export function rewriteResponseHead (head: string): { status: number, text: string } | undefined {
  const lines = head.split('\r\n')
  const statusLine = lines.shift() ?? ''
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine)
  if (m === null) return undefined
  const fields: Array<[string, string]> = []
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) return undefined
    fields.push([line.slice(0, colon), line.slice(colon + 1).trim()])
  }
  const drop = connectionTokens(fields.filter(([k]) => k.toLowerCase() === 'connection').map(([, v]) => v))
  const out: OutgoingHttpHeaders = {}
  for (const [name, value] of fields) {
    const lower = name.toLowerCase()
    if ((HOP_BY_HOP.has(lower) && !FRAMING.has(lower)) || drop.has(lower)) continue
    const prev = out[name]
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value]
  }
  return { status: Number(m[1]), text: headText(statusLine.replace(/^HTTP\/1\.0/, 'HTTP/1.1'), out) }
}

function sendBody (req: IncomingMessage, up: net.Socket, chunked: boolean): void {
  req.on('data', (chunk: Buffer) => {
    const ok = chunked ? up.write(`${chunk.length.toString(16)}\r\n`) && up.write(chunk) && up.write('\r\n') : up.write(chunk)
    if (!ok) {
      req.pause()
      up.once('drain', () => req.resume())
    }
  })
  req.on('end', () => { if (chunked) up.write('0\r\n\r\n') })
}

export interface RawForwardHooks {
  /** Bytes of the answer sent to the client (after its head). */
  count: (bytes: number) => void
  /** The answer was copied completely (the client's socket is being closed). */
  done: () => void
}

/**
 * Forwards one request to Kubo at `upstream` (plain HTTP) and copies the answer to the client.
 * `res.statusCode` is set to Kubo's status (for the access log). Never throws.
 */
export function rawForward (req: IncomingMessage, res: ServerResponse, upstream: Upstream, hooks: RawForwardHooks): void {
  const { count } = hooks
  const client = req.socket
  const up = net.connect({ host: upstream.host, port: upstream.port })
  up.setNoDelay(true)
  let answered = false
  const fail = (err: unknown): void => {
    up.destroy()
    if (answered) { client.destroy(); return }
    answered = true
    req.resume()
    sendError(res, 502, `${req.method ?? 'GET'} ${upstream.baseUrl}${req.url ?? '/'}: ${messageOf(err)}`)
  }
  up.on('error', fail)
  client.once('close', () => { up.destroy() })

  up.once('connect', () => {
    const { head, chunked } = requestHead(req)
    up.write(head)
    sendBody(req, up, chunked)
  })

  let pending: Buffer = Buffer.alloc(0)
  const onHead = (chunk: Buffer): void => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    const end = pending.indexOf(HEAD_END)
    if (end < 0) {
      if (pending.length > MAX_RESPONSE_HEAD_BYTES) fail(new Error('response head from IPFS is too large'))
      return
    }
    const parsed = rewriteResponseHead(pending.subarray(0, end).toString('latin1'))
    if (parsed === undefined) { fail(new Error('malformed response head from IPFS')); return }
    up.off('data', onHead)
    answered = true
    res.statusCode = parsed.status
    const rest = pending.subarray(end + HEAD_END.length)
    count(rest.length)
    client.write(Buffer.concat([Buffer.from(parsed.text, 'latin1'), rest]))
    up.on('data', (data: Buffer) => { count(data.length) })
    up.once('end', hooks.done)
    up.pipe(client)
  }
  up.on('data', onHead)
  up.once('end', () => { if (!answered) fail(new Error('IPFS closed the connection without answering')) })
}

/**
 * Single responses (rest-api.md §1.3): one JSON value plus `\n`, `Content-Type:
 * application/json`, the configured `headers`; errors as `{"code":…,"message":…}` (REST API) or
 * whatever body the API's error format builds (`{"error":{"reason":…}}` for the pinning service).
 */
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { PinNotFoundError, stringifyJson, ApiError } from '@cluster/api'
import type { JsonValue } from '@cluster/api'
import type { AppContext } from './context.ts'
import { HttpError } from './errors.ts'

const NOT_FOUND_MESSAGE = 'pin is not part of the pinset'

export type HeaderList = Array<[string, string]>

/** Builds the JSON body of an error answer from its HTTP status and message. */
export type ErrorBodyFormat = (status: number, message: string) => JsonValue

/** The REST API's error object (rest-api.md §1.4). */
export const restErrorBody: ErrorBodyFormat = (status, message) => ({ code: status, message })

/** The headers of an API-written response: per-request base (CORS), configured, content type. */
export function apiHeaders (c: AppContext, configured: Record<string, string[]>): Headers {
  const h = new Headers()
  for (const [k, v] of c.get('base') ?? []) h.append(k, v)
  for (const [k, values] of Object.entries(configured)) for (const v of values) h.append(k, v)
  h.append('Content-Type', 'application/json')
  return h
}

/** Headers a router/pipeline response gets (no configured headers, no content type). */
export function plainHeaders (c: AppContext): Headers {
  const h = new Headers()
  for (const [k, v] of c.get('base') ?? []) h.append(k, v)
  return h
}

export function jsonBody (value: JsonValue): string {
  return stringifyJson(value) + '\n'
}

/**
 * A whole answer. Served by node:http, it is written to Node's response at once: a WHATWG
 * `Response` (undici's, as the app leaves the global one alone) builds a stream of its body that
 * the adapter then reads back, about a tenth of a millisecond per request, much of a small
 * request's cost. The headers go out as the adapter would send them (same-name values joined).
 * In process (`app.request()`), a `Response`.
 */
function send (c: AppContext, status: number, headers: Headers, body: string | null): Response {
  const outgoing = c.env?.outgoing
  if (outgoing === undefined || outgoing.headersSent || outgoing.destroyed) return new Response(body, { status, headers })
  const raw: string[] = []
  headers.forEach((value, name) => { raw.push(name, value) })
  if (body !== null) raw.push('content-length', String(Buffer.byteLength(body)))
  outgoing.writeHead(status, raw)
  outgoing.end(body ?? undefined)
  return RESPONSE_ALREADY_SENT
}

/**
 * An error of the cluster that says the cluster cannot serve now (no Raft leader, no quorum): an
 * `httpStatus` of 503 and how long to wait, answered with `Retry-After` instead of a 500.
 */
function unavailable (err: unknown): number | undefined {
  const e = err as { httpStatus?: unknown, retryAfterSeconds?: unknown } | null
  if (e === null || typeof e !== 'object' || e.httpStatus !== 503) return undefined
  return typeof e.retryAfterSeconds === 'number' && e.retryAfterSeconds > 0 ? Math.ceil(e.retryAfterSeconds) : 1
}

/** Maps a thrown error to (status, message) like Go's SendResponse with automatic status. */
export function errorStatus (err: unknown): { status: number, message: string, retryAfter?: number } {
  if (err instanceof HttpError) return { status: err.status, message: err.message }
  const message = err instanceof Error ? err.message : String(err)
  const retryAfter = unavailable(err)
  if (retryAfter !== undefined) return { status: 503, message, retryAfter }
  if (err instanceof PinNotFoundError || message === NOT_FOUND_MESSAGE) return { status: 404, message }
  const status = (err as { status?: unknown } | null)?.status
  if (err instanceof ApiError && typeof status === 'number' && status >= 400 && status <= 599) {
    return { status, message }
  }
  return { status: 500, message }
}

export class Responder {
  readonly configured: Record<string, string[]>
  readonly errorBody: ErrorBodyFormat

  constructor (configured: Record<string, string[]>, errorBody: ErrorBodyFormat = restErrorBody) {
    this.configured = configured
    this.errorBody = errorBody
  }

  json (c: AppContext, value: JsonValue, status = 200): Response {
    return send(c, status, apiHeaders(c, this.configured), jsonBody(value))
  }

  /** An answer without body (204 by default; the pinning service's DELETE uses 202). */
  noContent (c: AppContext, status = 204): Response {
    return send(c, status, apiHeaders(c, this.configured), null)
  }

  error (c: AppContext, status: number, message: string, extra: HeaderList = []): Response {
    const headers = apiHeaders(c, this.configured)
    for (const [k, v] of extra) headers.append(k, v)
    return send(c, status, headers, jsonBody(this.errorBody(status, message)))
  }

  fromError (c: AppContext, err: unknown): Response {
    const { status, message, retryAfter } = errorStatus(err)
    return this.error(c, status, message, retryAfter === undefined ? [] : [['Retry-After', String(retryAfter)]])
  }
}

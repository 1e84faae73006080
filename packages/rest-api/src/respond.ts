/**
 * Single responses (rest-api.md §1.3): one JSON value plus `\n`, `Content-Type:
 * application/json`, the configured `headers`; errors as `{"code":…,"message":…}`.
 */
import { PinNotFoundError, stringifyJson, ApiError } from '@cluster/api'
import type { JsonValue } from '@cluster/api'
import type { AppContext } from './context.ts'
import { HttpError } from './errors.ts'

const NOT_FOUND_MESSAGE = 'pin is not part of the pinset'

export type HeaderList = Array<[string, string]>

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

/** Maps a thrown error to (status, message) like Go's SendResponse with automatic status. */
export function errorStatus (err: unknown): { status: number, message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message }
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof PinNotFoundError || message === NOT_FOUND_MESSAGE) return { status: 404, message }
  const status = (err as { status?: unknown } | null)?.status
  if (err instanceof ApiError && typeof status === 'number' && status >= 400 && status <= 599) {
    return { status, message }
  }
  return { status: 500, message }
}

export class Responder {
  readonly configured: Record<string, string[]>

  constructor (configured: Record<string, string[]>) {
    this.configured = configured
  }

  json (c: AppContext, value: JsonValue, status = 200): Response {
    return new Response(jsonBody(value), { status, headers: apiHeaders(c, this.configured) })
  }

  noContent (c: AppContext): Response {
    return new Response(null, { status: 204, headers: apiHeaders(c, this.configured) })
  }

  error (c: AppContext, status: number, message: string, extra: HeaderList = []): Response {
    const headers = apiHeaders(c, this.configured)
    for (const [k, v] of extra) headers.append(k, v)
    return new Response(jsonBody({ code: status, message }), { status, headers })
  }

  fromError (c: AppContext, err: unknown): Response {
    const { status, message } = errorStatus(err)
    return this.error(c, status, message)
  }
}

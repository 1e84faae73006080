/**
 * The hono app: Go's request pipeline (rest-api.md §1.2) in front of a route table. The REST API
 * and the Pinning Service API (§11) share the pipeline; they differ in routes and error body.
 *
 * Order: header size (431) → authentication (401) → CORS (pre-flights answered 204) →
 * trailing-slash redirect (307) → path cleaning (301) → router (404 JSON / 405 empty).
 */
import { Hono } from 'hono'
import { dashboardHandler, isDashboardPath } from '@cluster/dashboard'
import { RequestLimiter, Timestamp } from '@cluster/api'
import type { ClusterApi, Clock, RequestLimits } from '@cluster/api'
import type { AppContext, AppEnv } from './context.ts'
import { HEADER_BYTES_SLACK, resolveRestApiConfig } from './config.ts'
import type { RestApiConfig } from './config.ts'
import { checkAuth } from './auth.ts'
import { actualHeaders, corsPolicy, preflightHeaders } from './cors.ts'
import { cleanRequestPath } from './clean-path.ts'
import { plainHeaders, Responder, restErrorBody } from './respond.ts'
import type { ErrorBodyFormat } from './respond.ts'
import { pathMatchesRoute, ROUTES, tooManyRequests } from './routes.ts'
import type { RouteDef, RouteDeps } from './routes.ts'

export interface RestApiAppOptions {
  /** Clock for JWT claim checks and `expire-in` (default: Date). */
  clock?: Pick<Clock, 'now'>
  /**
   * "Now" for `expire-in` pin options. Default: the clock in the server's local zone, as Go
   * does.
   */
  now?: () => Timestamp
  /**
   * Concurrency limits of the requests whose memory grows with the pinset, their body or their
   * upload (defaults: `defaultRequestLimits()`); beyond them, 429 with `Retry-After`.
   */
  limits?: Partial<RequestLimits>
}

export type RestApiApp = Hono<AppEnv>

/** What distinguishes one API served by the common pipeline from another. */
export interface ApiDefinition {
  /** Route table, first match wins. */
  routes: readonly RouteDef[]
  /** Body of every error answer, the pipeline's 401/404 included. */
  errorBody: ErrorBodyFormat
}

/** The REST API (rest-api.md §3): its route table and `{"code":…,"message":…}` errors. */
export const REST_API: ApiDefinition = { routes: ROUTES, errorBody: restErrorBody }

/** Sum of header bytes the way Go's server counts them (name + value + `: ` + CRLF). */
function headerBytes (headers: Headers): number {
  let n = 0
  for (const [k, v] of headers) n += k.length + v.length + 4
  return n
}

function htmlEscape (s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/** The request target as received: raw (still percent-encoded) path and the `?query`. */
function rawTarget (c: AppContext): { path: string, search: string } {
  const raw = c.env?.incoming?.url
  if (raw !== undefined && raw.startsWith('/')) {
    const q = raw.indexOf('?')
    return q < 0 ? { path: raw, search: '' } : { path: raw.slice(0, q), search: raw.slice(q) }
  }
  const url = new URL(c.req.url)
  return { path: url.pathname, search: url.search }
}

function redirect (c: AppContext, status: 301 | 307, location: string): Response {
  const headers = plainHeaders(c)
  headers.set('Location', location)
  let body: string | null = null
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    headers.set('Content-Type', 'text/html; charset=utf-8')
    body = `<a href="${htmlEscape(location)}">${status === 301 ? 'Moved Permanently' : 'Temporary Redirect'}</a>.\n\n`
  }
  return new Response(body, { status, headers })
}

/** The router's 405: empty body, no JSON content type. */
function methodNotAllowed (c: AppContext): Response {
  const headers = plainHeaders(c)
  headers.set('Content-Length', '0')
  return new Response(null, { status: 405, headers })
}

/**
 * Runs a route's handler within its class's limit. The turn is held until the answer has been
 * written (node:http's response closes), since a streamed answer is still being produced after
 * the handler returned.
 */
async function limited (c: AppContext, route: RouteDef, d: RouteDeps): Promise<Response> {
  const cls = typeof route.limit === 'function' ? route.limit(c) : route.limit
  if (cls === undefined) return await route.handler(c, d)
  const turn = d.limiter[cls].acquire(c.req.raw.signal)
  if (turn === undefined) return tooManyRequests(c, d)
  let release: () => void
  try {
    release = await turn
  } catch {
    // The client left while waiting: nobody reads this answer.
    return tooManyRequests(c, d)
  }
  const outgoing = c.env?.outgoing
  let held = false
  try {
    const res = await route.handler(c, d)
    if (outgoing !== undefined && !outgoing.destroyed && !outgoing.writableFinished) {
      outgoing.once('close', release)
      held = true
    }
    return res
  } finally {
    if (!held) release()
  }
}

/** Builds the REST API as a hono app (usable in-process with `app.request()`). */
export function createRestApiApp (cluster: ClusterApi, config: Partial<RestApiConfig> = {}, opts: RestApiAppOptions = {}): RestApiApp {
  return createApiApp(cluster, resolveRestApiConfig(config), opts, REST_API)
}

/** Go's common API layer (auth, CORS, redirects, router) in front of `api`'s routes. */
export function createApiApp (cluster: ClusterApi, cfg: RestApiConfig, opts: RestApiAppOptions, api: ApiDefinition): RestApiApp {
  const { routes } = api
  const clock = opts.clock ?? Date
  const responder = new Responder(cfg.headers, api.errorBody)
  const cors = corsPolicy(cfg)
  const creds = cfg.basicAuthCredentials
  const maxHeader = cfg.maxHeaderBytes + HEADER_BYTES_SLACK
  // The dashboard's files hold no cluster data: they load without credentials so that the page
  // can offer its login; everything it shows comes from the routes below, behind authentication.
  const dashboard = api === REST_API && cfg.dashboard ? dashboardHandler() : undefined
  const deps: RouteDeps = {
    cluster,
    config: cfg,
    responder,
    now: opts.now ?? (() => Timestamp.now(clock, 'local')),
    limiter: new RequestLimiter(opts.limits)
  }

  const app = new Hono<AppEnv>()

  app.use('*', async (c, next) => {
    c.set('base', [])
    c.set('user', undefined)
    c.set('viaToken', false)
    if (headerBytes(c.req.raw.headers) > maxHeader) {
      return new Response('431 Request Header Fields Too Large', {
        status: 431,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }
      })
    }
    const method = c.req.method
    const target = rawTarget(c)

    const publicGet = target.path === '/health' || (dashboard !== undefined && isDashboardPath(target.path))
    if (creds !== null && method !== 'OPTIONS' && !(method === 'GET' && publicGet)) {
      const r = checkAuth(creds, c.req.header('authorization'), clock.now() / 1000)
      if (!r.ok) return responder.error(c, 401, r.message, r.wwwAuthenticate.map((v): [string, string] => ['WWW-Authenticate', v]))
      c.set('user', r.user)
    }

    const acrm = c.req.header('access-control-request-method')
    if (method === 'OPTIONS' && acrm !== undefined && acrm !== '') {
      const headers = new Headers()
      for (const [k, v] of preflightHeaders(cors, (n) => c.req.header(n))) headers.append(k, v)
      return new Response(null, { status: 204, headers })
    }
    c.set('base', actualHeaders(cors, method, c.req.header('origin')))

    if (target.path.endsWith('/')) {
      if (target.path === '/') return responder.error(c, 404, 'not found')
      return redirect(c, 307, cleanRequestPath(target.path.slice(0, -1)) + target.search)
    }
    const cleaned = cleanRequestPath(target.path)
    if (cleaned !== target.path) return redirect(c, 301, cleaned + target.search)

    if (method === 'HEAD') {
      // Go's router does not map HEAD to GET routes.
      return pathMatchesRoute(c.req.path, routes) ? methodNotAllowed(c) : responder.error(c, 404, 'not found')
    }
    await next()
  })

  if (dashboard !== undefined) app.get('/ui/*', (c) => dashboard(c.req.path)).get('/ui', (c) => dashboard(c.req.path))
  for (const route of routes) {
    app.on(route.method, route.path, async (c) => await limited(c, route, deps))
  }

  app.notFound((c) => {
    if (pathMatchesRoute(c.req.path, routes)) return methodNotAllowed(c)
    return responder.error(c, 404, 'not found')
  })

  app.onError((err, c) => responder.fromError(c, err))

  return app
}

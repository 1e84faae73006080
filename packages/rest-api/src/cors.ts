/**
 * CORS with the semantics of rs/cors v1.11 as configured by Go IPFS Cluster (rest-api.md §7).
 * Pre-flights are answered here (204, never routed); actual requests only get headers.
 */
import type { RestApiConfig } from './config.ts'

export interface CorsPolicy {
  allowAllOrigins: boolean
  origins: string[]
  wildcards: Array<[string, string]>
  methods: Set<string>
  allowAllHeaders: boolean
  headers: Set<string>
  exposed: string
  credentials: boolean
  maxAgeSeconds: number
}

/** Go's http.CanonicalHeaderKey (`x-stream-output` → `X-Stream-Output`). */
export function canonicalHeaderKey (h: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h)) return h
  return h.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase())
}

export function corsPolicy (cfg: RestApiConfig): CorsPolicy {
  const origins: string[] = []
  const wildcards: Array<[string, string]> = []
  let allowAllOrigins = cfg.corsAllowedOrigins.length === 0
  for (const o of cfg.corsAllowedOrigins) {
    const origin = o.toLowerCase()
    if (origin === '*') { allowAllOrigins = true; break }
    const star = origin.indexOf('*')
    if (star >= 0) wildcards.push([origin.slice(0, star), origin.slice(star + 1)])
    else origins.push(origin)
  }
  const headers = cfg.corsAllowedHeaders.length === 0
    ? ['accept', 'content-type', 'x-requested-with']
    : cfg.corsAllowedHeaders.map((h) => h.toLowerCase())
  return {
    allowAllOrigins,
    origins,
    wildcards,
    methods: new Set(cfg.corsAllowedMethods.map((m) => m.toUpperCase())),
    allowAllHeaders: headers.includes('*'),
    headers: new Set(headers),
    exposed: cfg.corsExposedHeaders.map(canonicalHeaderKey).join(', '),
    credentials: cfg.corsAllowCredentials,
    maxAgeSeconds: Number(cfg.corsMaxAge / 1_000_000_000n)
  }
}

function originAllowed (p: CorsPolicy, origin: string): boolean {
  if (p.allowAllOrigins) return true
  const o = origin.toLowerCase()
  if (p.origins.includes(o)) return true
  return p.wildcards.some(([pre, suf]) => o.length >= pre.length + suf.length && o.startsWith(pre) && o.endsWith(suf))
}

function methodAllowed (p: CorsPolicy, method: string): boolean {
  if (p.methods.size === 0) return false
  if (method === 'OPTIONS') return true
  return p.methods.has(method)
}

/** Response headers of a pre-flight (`OPTIONS` with `Access-Control-Request-Method`). */
export function preflightHeaders (p: CorsPolicy, get: (name: string) => string | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [['Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers']]
  const origin = get('origin') ?? ''
  if (origin === '' || !originAllowed(p, origin)) return out
  const method = get('access-control-request-method') ?? ''
  if (!methodAllowed(p, method)) return out
  const rawHeaders = get('access-control-request-headers') ?? ''
  const requested = rawHeaders.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '')
  if (!p.allowAllHeaders && !requested.every((h) => p.headers.has(h))) return out
  out.push(['Access-Control-Allow-Origin', p.allowAllOrigins ? '*' : origin])
  out.push(['Access-Control-Allow-Methods', method.toUpperCase()])
  if (requested.length > 0) out.push(['Access-Control-Allow-Headers', rawHeaders])
  if (p.credentials) out.push(['Access-Control-Allow-Credentials', 'true'])
  if (p.maxAgeSeconds > 0) out.push(['Access-Control-Max-Age', String(p.maxAgeSeconds)])
  return out
}

/** Headers added to an actual (non-preflight) request. */
export function actualHeaders (p: CorsPolicy, method: string, origin: string | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [['Vary', 'Origin']]
  if (origin === undefined || origin === '' || !originAllowed(p, origin) || !methodAllowed(p, method)) return out
  out.push(['Access-Control-Allow-Origin', p.allowAllOrigins ? '*' : origin])
  if (p.exposed !== '') out.push(['Access-Control-Expose-Headers', p.exposed])
  if (p.credentials) out.push(['Access-Control-Allow-Credentials', 'true'])
  return out
}

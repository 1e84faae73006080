/** Which requests the proxy answers itself (proxy.md §1); everything else goes to Kubo. */

export type HandlerName = 'pinAdd' | 'pinRm' | 'pinLs' | 'pinUpdate' | 'add' | 'repoStat' | 'repoGc' | 'blockPut' | 'dagPut'

export interface Route {
  handler: HandlerName
  /** The query, with a slash-form `<arg>` copied into `arg` (replacing any other `arg`). */
  query: URLSearchParams
  /** The request used the undocumented `/pin/<cmd>/<arg>` form. */
  slashForm: boolean
}

const EXACT: Record<string, HandlerName> = {
  '/api/v0/pin/add': 'pinAdd',
  '/api/v0/pin/rm': 'pinRm',
  '/api/v0/pin/ls': 'pinLs',
  '/api/v0/pin/update': 'pinUpdate',
  '/api/v0/add': 'add',
  '/api/v0/repo/stat': 'repoStat',
  '/api/v0/repo/gc': 'repoGc',
  '/api/v0/block/put': 'blockPut',
  '/api/v0/dag/put': 'dagPut'
}

const SLASH_FORM: Record<string, HandlerName> = {
  '/api/v0/pin/add/': 'pinAdd',
  '/api/v0/pin/rm/': 'pinRm',
  '/api/v0/pin/ls/': 'pinLs'
}

const INTERCEPTED_METHODS = new Set(['POST', 'GET', 'PUT'])

/** The route of a request, or undefined when it is reverse-proxied. */
export function routeOf (method: string | undefined, url: string | undefined): Route | undefined {
  if (method === undefined || !INTERCEPTED_METHODS.has(method)) return undefined
  const raw = url ?? '/'
  const q = raw.indexOf('?')
  const pathname = q === -1 ? raw : raw.slice(0, q)
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1))
  const exact = EXACT[pathname]
  if (exact !== undefined) {
    // Only `pin=true` makes block/put and dag/put ours (§3.8, §3.9).
    if ((exact === 'blockPut' || exact === 'dagPut') && query.get('pin') !== 'true') return undefined
    return { handler: exact, query, slashForm: false }
  }
  for (const [prefix, handler] of Object.entries(SLASH_FORM)) {
    if (!pathname.startsWith(prefix)) continue
    const segment = pathname.slice(prefix.length)
    if (segment === '' || segment.includes('/')) return undefined
    let arg: string
    try {
      arg = decodeURIComponent(segment)
    } catch {
      return undefined
    }
    query.delete('arg')
    query.set('arg', arg)
    return { handler, query, slashForm: true }
  }
  return undefined
}

/** Go's strconv.ParseBool; undefined when the text is not a boolean. */
export function parseBool (text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false
  return undefined
}

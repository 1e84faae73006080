/**
 * The server-side piece of the dashboard: where its built files are and a handler answering
 * requests for them. It has no HTTP framework of its own: `serveDashboard` takes the request
 * path and returns a Web `Response`, which any server (the REST API's hono app) can send.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'

/** Folder of the built single-page app (`index.html` and `assets/`), filled by `vite build`. */
export const DASHBOARD_DIR = join(import.meta.dirname, '..', 'dist', 'ui')

/** The path the REST API serves the dashboard under. */
export const DASHBOARD_PATH = '/ui'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json'
}

/** The page only talks to the API it came from and cannot be framed by another site. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer'
}

interface StaticFile { body: Uint8Array, type: string, immutable: boolean }

/** Whether `path` is the dashboard's page or one of its files. */
export function isDashboardPath (path: string): boolean {
  return path === DASHBOARD_PATH || path.startsWith(DASHBOARD_PATH + '/')
}

function listFiles (dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) out.push(...listFiles(full))
    else out.push(full)
  }
  return out
}

/**
 * The built files, read once: a fixed table keyed by URL path, so a request can only name a
 * file the build produced (no path is ever joined from the request).
 */
function loadFiles (dir: string): Map<string, StaticFile> | undefined {
  let paths: string[]
  try { paths = listFiles(dir) } catch { return undefined }
  const files = new Map<string, StaticFile>()
  for (const full of paths) {
    const rel = relative(dir, full).split(sep).join('/')
    const file = { body: readFileSync(full), type: CONTENT_TYPES[extname(full)] ?? 'application/octet-stream', immutable: rel.startsWith('assets/') }
    files.set(rel === 'index.html' ? DASHBOARD_PATH : `${DASHBOARD_PATH}/${rel}`, file)
  }
  return files.has(DASHBOARD_PATH) ? files : undefined
}

export interface DashboardHandler {
  /** The answer to `GET <path>` (`path` as `isDashboardPath` accepts it). */
  (path: string): Response
}

/**
 * A handler serving the built app from `dir` (default: this package's build). The page is
 * `/ui`; hashed assets are cached for good, the page is revalidated each time. Unknown files
 * are 404; a missing build is a 503 saying how to build it.
 */
export function dashboardHandler (dir = DASHBOARD_DIR): DashboardHandler {
  let files: Map<string, StaticFile> | undefined
  return (path) => {
    files ??= loadFiles(dir)
    if (files === undefined) {
      return text(503, 'the dashboard is not built: run `pnpm --filter @cluster/dashboard build`\n')
    }
    const file = files.get(path)
    if (file === undefined) return text(404, 'not found\n')
    return new Response(file.body, {
      status: 200,
      headers: {
        ...SECURITY_HEADERS,
        'Content-Type': file.type,
        'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
      }
    })
  }
}

function text (status: number, body: string): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } })
}

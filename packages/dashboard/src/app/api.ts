/**
 * Talking to the REST API the page came from: credentials (a JWT from `POST /token`, kept for
 * the tab's life in sessionStorage), errors turned into sentences an operator can act on, and
 * NDJSON streams read line by line.
 */
const AUTH_KEY = 'cluster-dashboard-auth'

export function authHeader (): string | undefined {
  return sessionStorage.getItem(AUTH_KEY) ?? undefined
}

export function setAuthHeader (value: string | undefined): void {
  if (value === undefined) sessionStorage.removeItem(AUTH_KEY)
  else sessionStorage.setItem(AUTH_KEY, value)
  window.dispatchEvent(new Event('cluster-auth'))
}

/** An answer the page cannot use, with what to tell the operator. */
export class ApiError extends Error {
  readonly status: number
  constructor (status: number, message: string) {
    super(message)
    this.status = status
  }
}

const EXPLAIN: Record<number, string> = {
  401: 'The API refused the credentials (401): log in again.',
  403: 'The API forbids this (403).',
  429: 'The peer is busy (429 Too Many Requests): it will be retried.',
  503: 'The peer is unavailable (503).'
}

async function errorOf (res: Response): Promise<ApiError> {
  let detail = ''
  try {
    const body = await res.text()
    try { detail = (JSON.parse(body) as { message?: string }).message ?? body } catch { detail = body }
  } catch { /* no body */ }
  const head = EXPLAIN[res.status] ?? `The API answered ${res.status}.`
  const err = new ApiError(res.status, detail.trim() === '' ? head : `${head} ${detail.trim()}`)
  if (res.status === 401) window.dispatchEvent(new Event('cluster-unauthorized'))
  return err
}

/** A request to the API; non-2xx answers and unreachable peers throw ApiError (status 0: down). */
export async function request (path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  const auth = authHeader()
  if (auth !== undefined && !headers.has('Authorization')) headers.set('Authorization', auth)
  let res: Response
  try {
    // `omit`: the browser's own credentials prompt would hang the request; the page asks instead.
    res = await fetch(path, { ...init, headers, credentials: 'omit' })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(0, 'The peer does not answer: it is down or unreachable.')
  }
  if (!res.ok) throw await errorOf(res)
  return res
}

export async function getJson<T> (path: string, signal?: AbortSignal): Promise<T> {
  const res = await request(path, signal === undefined ? {} : { signal })
  if (res.status === 204) return null as T
  return await res.json() as T
}

/** An NDJSON stream read whole (only used on bounded answers: one page, the peerset). */
export async function getLines<T> (path: string, signal?: AbortSignal): Promise<{ items: T[], next: string | undefined }> {
  const res = await request(path, signal === undefined ? {} : { signal })
  const next = res.headers.get('X-Next-Cursor') ?? undefined
  if (res.status === 204) return { items: [], next }
  const text = await res.text()
  const items = text.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as T)
  return { items, next }
}

/** Logs in: basic credentials exchanged for a JWT (`POST /token`); Basic is kept if that fails. */
export async function login (user: string, password: string): Promise<void> {
  const basic = 'Basic ' + btoa(`${user}:${password}`)
  const res = await request('/token', { method: 'POST', headers: { Authorization: basic } })
  const { token } = await res.json() as { token?: string }
  setAuthHeader(typeof token === 'string' && token !== '' ? `Bearer ${token}` : basic)
}

/** `POST /add` with upload progress (fetch cannot report it, XMLHttpRequest can). */
export async function addFile (file: File, query: string, onProgress: (fraction: number) => void): Promise<string[]> {
  return await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/add?${query}`)
    const auth = authHeader()
    if (auth !== undefined) xhr.setRequestHeader('Authorization', auth)
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total) }
    xhr.onerror = () => { reject(new ApiError(0, 'The peer does not answer: it is down or unreachable.')) }
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        void errorOf(new Response(xhr.responseText, { status: xhr.status })).then(reject)
        return
      }
      const lines = xhr.responseText.split('\n').filter(l => l.trim() !== '')
      resolve(lines.map(l => (JSON.parse(l) as { cid?: string }).cid ?? '').filter(c => c !== ''))
    }
    const form = new FormData()
    form.append('file', file, file.name)
    xhr.send(form)
  })
}

export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

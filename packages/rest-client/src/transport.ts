/**
 * HTTP/1.1 over node:http / node:https (or a Unix socket). Not `fetch`: stream responses report
 * failures in HTTP trailers (`X-Stream-Error`), which fetch does not expose.
 */
import type { Agent as HttpAgentType, IncomingMessage, RequestOptions as NodeRequestOptions } from 'node:http'
import { errorBodyFromResponse } from '@cluster/api'
import { RestApiResponseError, RestClientConfigError, RestPinNotFoundError, RestTransportError } from './errors.ts'

// Not an ESM import: building the namespace of `node:http` reads its lazy WebSocket exports, which
// loads Node's bundled undici (about 20 ms, a quarter of a short ctl command's run).
const { Agent: HttpAgent, request: httpRequest } = process.getBuiltinModule('node:http')
// node:https (and TLS, crypto under it) only for an https:// API: a few ms of every plain command.
let https: typeof import('node:https') | undefined
const httpsModule = (): typeof import('node:https') => (https ??= process.getBuiltinModule('node:https'))

export interface TlsOptions {
  /** Extra CA certificates (PEM) to trust. */
  ca?: string | Buffer | Array<string | Buffer>
  /** false = do not verify the server certificate (the ctl's `--no-check-certificate`). */
  rejectUnauthorized?: boolean
}

export interface TransportOptions {
  /** `http://host:port`, `https://host:port` or `http+unix://<url-encoded socket path>`. */
  baseUrl: string
  /** Basic credentials. */
  username?: string
  password?: string
  /** Bearer token (from `POST /token`); used when no username is set. */
  token?: string
  /** Per request, whole body included (0 = none). */
  timeoutMs?: number
  tls?: TlsOptions
  /** Extra request headers. */
  headers?: Record<string, string>
}

const MAX_REDIRECTS = 10

interface Target {
  secure: boolean
  host?: string
  port?: number
  socketPath?: string
}

function parseBase (baseUrl: string): Target {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch (err) {
    throw new RestClientConfigError(`invalid API URL ${JSON.stringify(baseUrl)}`, { cause: err })
  }
  if (url.protocol === 'http+unix:' || url.protocol === 'https+unix:') {
    return { secure: url.protocol === 'https+unix:', socketPath: decodeURIComponent(url.host) }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RestClientConfigError(`unsupported URL scheme ${url.protocol}`)
  const secure = url.protocol === 'https:'
  return { secure, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? (secure ? 443 : 80) : Number(url.port) }
}

/** A JSON text, or a streamed body with its content type (multipart uploads). */
export type RequestBody = string | { contentType: string, stream: AsyncIterable<Uint8Array> }

export class Transport {
  readonly #opts: TransportOptions
  readonly #target: Target
  readonly #agent: HttpAgentType

  constructor (opts: TransportOptions) {
    this.#opts = opts
    this.#target = parseBase(opts.baseUrl)
    this.#agent = this.#target.secure
      ? new (httpsModule().Agent)({ keepAlive: true, ca: opts.tls?.ca, rejectUnauthorized: opts.tls?.rejectUnauthorized ?? true })
      : new HttpAgent({ keepAlive: true })
  }

  #headers (body: RequestBody | undefined): Record<string, string> {
    const h: Record<string, string> = { ...this.#opts.headers }
    if (this.#opts.username !== undefined) {
      h.Authorization = 'Basic ' + Buffer.from(`${this.#opts.username}:${this.#opts.password ?? ''}`).toString('base64')
    } else if (this.#opts.token !== undefined) {
      h.Authorization = `Bearer ${this.#opts.token}`
    }
    if (typeof body === 'string') h['Content-Type'] = 'application/json'
    else if (body !== undefined) h['Content-Type'] = body.contentType
    return h
  }

  /** Sends one request (following redirects) and returns the response with its body unread. */
  async send (method: string, path: string, body?: RequestBody, signal?: AbortSignal): Promise<IncomingMessage> {
    let current = path
    // A streamed body can only be sent once: no redirects then.
    const hops = typeof body === 'object' ? 0 : MAX_REDIRECTS
    for (let i = 0; i <= hops; i++) {
      const res = await this.#once(method, current, body, signal)
      const status = res.statusCode ?? 0
      const location = res.headers.location
      if (i < hops && (status === 301 || status === 302 || status === 307 || status === 308) && location !== undefined) {
        res.resume()
        current = location.startsWith('/') ? location : new URL(location).pathname + new URL(location).search
        continue
      }
      return res
    }
    throw new RestTransportError({ code: 0, message: `${method} ${path}: stopped after ${MAX_REDIRECTS} redirects` })
  }

  async #once (method: string, path: string, body: RequestBody | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    const t = this.#target
    const options: NodeRequestOptions = {
      method,
      path,
      agent: this.#agent,
      headers: this.#headers(body),
      ...(t.socketPath !== undefined ? { socketPath: t.socketPath } : { host: t.host, port: t.port }),
      ...(signal !== undefined ? { signal } : {})
    }
    const timeout = this.#opts.timeoutMs ?? 0
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (t.secure ? httpsModule().request : httpRequest)(options, resolve)
      const fail = (err: Error): void => {
        reject(new RestTransportError({ code: 0, message: `${method} ${path}: ${err.message}` }, { cause: err }))
      }
      req.on('error', fail)
      if (timeout > 0) {
        req.setTimeout(timeout, () => { req.destroy(new Error(`timeout after ${timeout} ms`)) })
      }
      if (typeof body === 'object') {
        // The answer may start while the upload is still being sent (`/add`).
        // node:stream is loaded on first use: commands without an upload start faster.
        process.getBuiltinModule('node:stream').Readable.from(body.stream).on('error', (err: Error) => req.destroy(err)).pipe(req)
      } else {
        req.end(body)
      }
    })
  }

  close (): void {
    this.#agent.destroy()
  }
}

/** Reads a whole body as text (transport errors while reading become RestTransportError). */
export async function readText (res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer)
  } catch (err) {
    throw new RestTransportError({ code: 0, message: (err as Error).message }, { cause: err })
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The error of a 400-599 answer, like the Go client builds it. */
export function responseError (status: number, text: string): RestApiResponseError {
  const body = errorBodyFromResponse(status, text)
  if (status === 404 && body.message === 'pin is not part of the pinset') return new RestPinNotFoundError(body)
  return new RestApiResponseError(body)
}

/** Every `X-Stream-Error` trailer value, in order (after the body was read to the end). */
export function streamErrors (res: IncomingMessage): string[] {
  const out: string[] = []
  const raw = res.rawTrailers
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'x-stream-error') out.push(Buffer.from(raw[i + 1]!, 'latin1').toString('utf8'))
  }
  return out
}

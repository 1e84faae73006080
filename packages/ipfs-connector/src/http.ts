import http from 'node:http'
import type { IncomingMessage, ClientRequest } from 'node:http'
import { once } from 'node:events'
import { systemClock, type Clock, type TimerHandle } from '@cluster/api'
import {
  IpfsAbortedError, IpfsApiError, IpfsBadResponseError, IpfsConnectorError, IpfsRequestFailedError,
  IpfsStreamError, IpfsTimeoutError, IpfsTruncatedResponseError, IpfsUnreachableError, messageOf
} from './errors.ts'
import { RequestGate } from './gate.ts'
import { KuboHealth } from './health.ts'
import { silentLogger, type Logger } from '@cluster/api'
import { parseNdjson, type Reviver } from './ndjson.ts'
import type { HttpTarget } from './target.ts'

/** Query parameters in order; a key may repeat (`arg=a&arg=b`). */
export type Query = ReadonlyArray<readonly [string, string]>

/** A streamed request body (multipart for `block/put`). */
export interface RequestBody {
  contentType: string
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}

export interface CallOptions {
  /** Deadline for the whole call, headers and body. 0 or undefined: none. */
  timeoutMs?: number
  /** Caller cancellation. A reason that is an {@link IpfsConnectorError} is rethrown as-is. */
  signal?: AbortSignal
  body?: RequestBody
}

export interface KuboHttpOptions {
  clock?: Clock
  logger?: Logger
  /** Largest error body or whole-body answer read into memory. Default 16 MiB. */
  maxBodyBytes?: number
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024

/** Connections to Kubo at most, per connector. */
const MAX_SOCKETS = 64

/**
 * HTTP transport to Kubo's RPC API (`POST /api/v0/<endpoint>`), on `node:http` with a
 * keep-alive agent. Each call has its own deadline and cancellation; non-200 answers become
 * named errors; the `X-Stream-Error` trailer is checked at the end of every body.
 */
export class KuboHttp {
  readonly target: HttpTarget
  readonly gate: RequestGate
  /** Whether Kubo answers (for callers that react to it coming back). */
  readonly health = new KuboHealth()
  readonly clock: Clock
  readonly logger: Logger
  readonly maxBodyBytes: number
  private readonly agent: http.Agent

  constructor (target: HttpTarget, options: KuboHttpOptions = {}) {
    this.target = target
    this.clock = options.clock ?? systemClock
    this.logger = options.logger ?? silentLogger
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY
    this.gate = new RequestGate(this.clock, this.logger)
    // Bounded: a burst of calls (a CRDT catch-up tracks every pin at once, and each remote pin
    // costs a pin/rm) queues here instead of opening thousands of sockets to Kubo.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS })
  }

  /** Close idle keep-alive sockets. In-flight calls are not affected. */
  destroy (): void {
    this.agent.destroy()
  }

  /**
   * Send a request and wait for the headers. Resolves with a 200 response whose body the
   * caller must consume (or `cancel()`); rejects with a named error otherwise.
   */
  async call (endpoint: string, query: Query = [], options: CallOptions = {}): Promise<KuboResponse> {
    const qs = new URLSearchParams(query as Array<[string, string]>).toString()
    const label = qs === '' ? endpoint : `${endpoint}?${qs}`
    const ac = new AbortController()
    const caller = options.signal
    const onCallerAbort = (): void => {
      const reason: unknown = caller?.reason
      ac.abort(reason instanceof IpfsConnectorError ? reason : new IpfsAbortedError(label, reason))
    }
    let timer: TimerHandle | undefined
    const cleanup = (): void => {
      caller?.removeEventListener('abort', onCallerAbort)
      if (timer !== undefined) this.clock.clearTimeout(timer)
      timer = undefined
    }
    if (caller?.aborted === true) onCallerAbort()
    else caller?.addEventListener('abort', onCallerAbort, { once: true })
    const timeoutMs = options.timeoutMs ?? 0
    if (timeoutMs > 0 && !ac.signal.aborted) {
      timer = this.clock.setTimeout(() => { ac.abort(new IpfsTimeoutError(label, timeoutMs)) }, timeoutMs)
    }
    try {
      await this.gate.acquire(ac.signal)
    } catch {
      cleanup()
      throw ac.signal.reason
    }
    if (ac.signal.aborted) {
      cleanup()
      throw ac.signal.reason
    }

    const req = this.request(endpoint, qs, options.body)
    // Always listen: an 'error' with no listener would crash the process.
    const reqFailed = new Promise<never>((_resolve, reject) => { req.on('error', reject) })
    reqFailed.catch(() => {})
    const onAbort = (): void => { req.destroy() }
    ac.signal.addEventListener('abort', onAbort, { once: true })
    if (options.body !== undefined) {
      pump(req, options.body, ac, label).catch(() => {})
    } else {
      req.end()
    }

    let res: IncomingMessage
    try {
      [res] = await Promise.race([once(req, 'response') as Promise<[IncomingMessage]>, reqFailed])
    } catch (err) {
      ac.signal.removeEventListener('abort', onAbort)
      cleanup()
      if (ac.signal.aborted) {
        // Our own deadline passed without a reply: Kubo hangs (the caller's aborts say nothing of it).
        if (ac.signal.reason instanceof IpfsTimeoutError) this.health.noAnswer()
        throw ac.signal.reason
      }
      this.gate.failed()
      this.health.noAnswer()
      if (isHttpParseError(err)) throw new IpfsBadResponseError(label, `not an HTTP answer: ${messageOf(err)}`, err)
      throw new IpfsUnreachableError(label, err)
    }
    this.gate.succeeded()
    this.health.answered()
    res.on('error', () => {})
    const response = new KuboResponse(label, req, res, ac, () => {
      ac.signal.removeEventListener('abort', onAbort)
      cleanup()
    }, this.maxBodyBytes)
    if (res.statusCode !== 200) throw await response.failure()
    return response
  }

  private request (endpoint: string, qs: string, body: RequestBody | undefined): ClientRequest {
    const path = `/api/v0/${endpoint}${qs === '' ? '' : `?${qs}`}`
    const headers: Record<string, string> = body === undefined
      ? { 'Content-Length': '0' }
      : { 'Content-Type': body.contentType, 'Transfer-Encoding': 'chunked' }
    const base = { method: 'POST', path, headers, agent: this.agent }
    return this.target.kind === 'unix'
      ? http.request({ ...base, socketPath: this.target.socketPath })
      : http.request({ ...base, host: this.target.host, port: this.target.port })
  }
}

async function pump (req: ClientRequest, body: RequestBody, ac: AbortController, label: string): Promise<void> {
  try {
    for await (const chunk of body.chunks) {
      if (ac.signal.aborted) return
      if (!req.write(chunk)) {
        await once(req, 'drain', { signal: ac.signal })
      }
    }
    req.end()
  } catch (err) {
    if (!ac.signal.aborted) ac.abort(err instanceof IpfsConnectorError ? err : new IpfsAbortedError(label, err))
  }
}

function isHttpParseError (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('HPE_')
}

/** A 200 answer from Kubo. Consume the body once, with one of the readers below. */
export class KuboResponse {
  readonly label: string
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  private readonly req: ClientRequest
  private readonly res: IncomingMessage
  private readonly ac: AbortController
  private readonly release: () => void
  private readonly maxBodyBytes: number
  private done = false

  constructor (label: string, req: ClientRequest, res: IncomingMessage, ac: AbortController, release: () => void, maxBodyBytes: number) {
    this.label = label
    this.req = req
    this.res = res
    this.ac = ac
    this.release = release
    this.maxBodyBytes = maxBodyBytes
    this.status = res.statusCode ?? 0
    this.headers = res.headers
  }

  /** Raw body chunks; throws the trailer's error (if any) after the last one. */
  async * chunks (): AsyncGenerator<Buffer> {
    let complete = false
    try {
      for await (const chunk of this.res) yield chunk as Buffer
      complete = true
      const streamError = this.res.trailers['x-stream-error']
      if (streamError !== undefined && streamError !== '') throw new IpfsStreamError(this.label, streamError)
    } catch (err) {
      throw this.mapError(err)
    } finally {
      this.finish(complete)
    }
  }

  /** NDJSON values, parsed incrementally (constant memory whatever the number of lines). */
  lines<T = unknown> (reviver?: Reviver): AsyncGenerator<T> {
    return parseNdjson<T>(this.chunks(), this.label, this.maxBodyBytes, reviver)
  }

  /** The whole body as bytes (bounded by `maxBodyBytes`). */
  async bytes (): Promise<Uint8Array> {
    const parts: Buffer[] = []
    let size = 0
    for await (const chunk of this.chunks()) {
      size += chunk.length
      if (size > this.maxBodyBytes) throw new IpfsBadResponseError(this.label, `body larger than ${this.maxBodyBytes} bytes`)
      parts.push(chunk)
    }
    return Buffer.concat(parts)
  }

  /** The whole body as one JSON value. */
  async json<T = unknown> (reviver?: Reviver): Promise<T> {
    const text = Buffer.from(await this.bytes()).toString('utf8')
    if (text.trim() === '') throw new IpfsBadResponseError(this.label, 'empty body where a JSON value was expected')
    try {
      return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]) as T
    } catch (err) {
      throw new IpfsBadResponseError(this.label, `${messageOf(err)}; body starts with ${JSON.stringify(text.slice(0, 120))}`, err)
    }
  }

  /** Stop reading: the connection is dropped (Kubo cancels the command). */
  cancel (): void {
    this.finish(false)
  }

  /** Build the error for a non-200 answer (reads the body, bounded). */
  async failure (): Promise<IpfsConnectorError> {
    let text: string
    try {
      const parts: Buffer[] = []
      let size = 0
      for await (const chunk of this.res) {
        size += (chunk as Buffer).length
        if (size <= 64 * 1024) parts.push(chunk as Buffer)
      }
      text = Buffer.concat(parts).toString('utf8')
    } catch (err) {
      const mapped = this.mapError(err)
      this.finish(false)
      return mapped
    }
    this.finish(true)
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const obj = parsed as { Message?: unknown, Code?: unknown }
      return new IpfsApiError(this.label, this.status, typeof obj.Message === 'string' ? obj.Message : '',
        typeof obj.Code === 'number' ? obj.Code : undefined)
    }
    return new IpfsRequestFailedError(this.label, this.status, text.trim())
  }

  private finish (complete: boolean): void {
    if (this.done) return
    this.done = true
    this.release()
    if (!complete) this.req.destroy()
  }

  private mapError (err: unknown): IpfsConnectorError {
    if (this.ac.signal.aborted) {
      const reason: unknown = this.ac.signal.reason
      return reason instanceof IpfsConnectorError ? reason : new IpfsAbortedError(this.label, reason)
    }
    if (err instanceof IpfsConnectorError) return err
    return new IpfsTruncatedResponseError(this.label, `connection lost mid-body (${messageOf(err)})`, err)
  }
}

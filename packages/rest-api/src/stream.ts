/**
 * Stream responses (rest-api.md §1.3): NDJSON with an `X-Stream-Error` HTTP trailer.
 *
 * The status depends on the first item: 500 with an error body when the producer fails before
 * it, 204 when it ends empty (500 with the first producer error when it only produced errors),
 * 200 otherwise. Then one compact JSON object plus `\n` per item, and the trailer: the
 * iteration error's message (`""` when fine), then one more value per producer error.
 *
 * Served by node:http, the response is written directly (chunked encoding, real trailers).
 * In-process (`app.request`), the body is a ReadableStream and the trailer values can be read
 * with `streamTrailers(response)`.
 */
import type { ServerResponse } from 'node:http'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { JsonValue } from '@cluster/api'
import type { AppContext } from './context.ts'
import { apiHeaders, errorStatus, jsonBody } from './respond.ts'

export const STREAM_ERROR_TRAILER = 'X-Stream-Error'

export interface StreamSource<T> {
  items: AsyncIterable<T>
  /** Errors of individual producers (e.g. one CID's status), reported as extra trailer values. */
  errors?: string[]
}

const trailerRegistry = new WeakMap<object, Promise<string[]>>()

/**
 * The `X-Stream-Error` trailer values of an in-process stream response, once its body has been
 * read to the end (`undefined` for responses that are not streams).
 */
export function streamTrailers (res: Response): Promise<string[]> | undefined {
  return res.body === null ? undefined : trailerRegistry.get(res.body)
}

/**
 * A header value as Go would put it on the wire: newlines become spaces, other control
 * characters are dropped, and the UTF-8 bytes are sent as they are (Node writes latin1).
 */
export function wireHeaderValue (s: string): string {
  const clean = s.replace(/[\r\n]/g, ' ').replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '')
  return Buffer.from(clean, 'utf8').toString('latin1')
}

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

async function closeIterator (it: AsyncIterator<unknown>): Promise<void> {
  try {
    await it.return?.()
  } catch {
    // The producer's cleanup failed: nothing left to tell the client.
  }
}

export async function streamResponse<T> (
  c: AppContext,
  configured: Record<string, string[]>,
  source: StreamSource<T>,
  encode: (item: T) => JsonValue
): Promise<Response> {
  return await streamLines(c, configured, source, item => jsonBody(encode(item)))
}

/**
 * The same stream from text the producer already encoded: each item is one or more complete
 * NDJSON lines (e.g. pins as stored), written as they are.
 */
export async function streamTextResponse (c: AppContext, configured: Record<string, string[]>, source: StreamSource<string>): Promise<Response> {
  return await streamLines(c, configured, source, text => text)
}

async function streamLines<T> (
  c: AppContext,
  configured: Record<string, string[]>,
  source: StreamSource<T>,
  line: (item: T) => string
): Promise<Response> {
  const errors = source.errors ?? []
  let it: AsyncIterator<T>
  let first: IteratorResult<T>
  try {
    it = source.items[Symbol.asyncIterator]()
    first = await it.next()
  } catch (err) {
    const { message } = errorStatus(err)
    return new Response(jsonBody({ code: 500, message }), { status: 500, headers: apiHeaders(c, configured) })
  }
  if (first.done === true) {
    if (errors.length > 0) {
      return new Response(jsonBody({ code: 500, message: errors[0]! }), { status: 500, headers: apiHeaders(c, configured) })
    }
    return new Response(null, { status: 204, headers: apiHeaders(c, configured) })
  }
  const headers = apiHeaders(c, configured)
  headers.set('Trailer', STREAM_ERROR_TRAILER)
  return respond(c, headers, it, { value: first.value }, line, errors, true)
}

/**
 * The `/add` stream (rest-api.md §4.15). The status waits for the first output (the upload is
 * read meanwhile), so a failure before it is a real error answer built by `early`; once outputs
 * flow, a failure only shows in the trailer, which is set on failure only.
 */
export async function addStreamResponse<T> (
  c: AppContext, headers: Headers, items: AsyncIterable<T>, encode: (item: T) => JsonValue, early: (err: unknown) => Response
): Promise<Response> {
  const it = items[Symbol.asyncIterator]()
  let first: IteratorResult<T>
  try {
    first = await it.next()
  } catch (err) {
    return early(err)
  }
  headers.set('Trailer', STREAM_ERROR_TRAILER)
  return respond(c, headers, it, first.done === true ? undefined : { value: first.value }, item => jsonBody(encode(item)), [], false)
}

function respond<T> (
  c: AppContext, headers: Headers, it: AsyncIterator<T>, first: { value: T } | undefined,
  line: (item: T) => string, errors: string[], trailerWhenFine: boolean
): Response {
  const outgoing = c.env?.outgoing
  const opts = { errors, trailerWhenFine }
  if (outgoing !== undefined) {
    void writeNode(outgoing, headers, it, first, line, opts, c.req.raw.signal)
    return RESPONSE_ALREADY_SENT
  }
  return fetchStream(headers, it, first, line, opts)
}

interface TrailerOptions {
  errors: string[]
  /** Send the (empty) trailer even when the stream ended fine (§1.3 streams do, `/add` does not). */
  trailerWhenFine: boolean
}

function trailerValues (iterError: string, opts: TrailerOptions): string[] {
  if (iterError === '' && opts.errors.length === 0 && !opts.trailerWhenFine) return []
  return [iterError, ...opts.errors]
}

/** Waits for 'drain' or 'close', removing both listeners afterwards. */
function drainOrClose (res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

function headerRecord (headers: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of headers) {
    const prev = out[k]
    out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v]
  }
  return out
}

async function writeNode<T> (
  res: ServerResponse,
  headers: Headers,
  it: AsyncIterator<T>,
  first: { value: T } | undefined,
  line: (item: T) => string,
  opts: TrailerOptions,
  signal: AbortSignal
): Promise<void> {
  let iterError = ''
  let closed = false
  const onClose = (): void => { closed = true }
  res.once('close', onClose)
  // HTTP/1.0 has no chunked encoding, hence no trailers: the items are sent until the close.
  const trailers = res.req.httpVersionMajor > 1 || (res.req.httpVersionMajor === 1 && res.req.httpVersionMinor >= 1)
  try {
    const record = headerRecord(headers)
    if (!trailers) delete record.trailer
    res.writeHead(200, record)
    if (first === undefined) res.flushHeaders()
    let pending = first
    for (;;) {
      if (pending === undefined) {
        let next: IteratorResult<T>
        try {
          next = await it.next()
        } catch (err) {
          iterError = messageOf(err)
          break
        }
        if (next.done === true) break
        pending = { value: next.value }
      }
      if (closed || signal.aborted || res.destroyed) { iterError = 'context canceled'; break }
      let text: string
      try {
        text = line(pending.value)
      } catch (err) {
        iterError = messageOf(err)
        break
      }
      pending = undefined
      if (!res.write(text)) await drainOrClose(res)
    }
  } catch (err) {
    iterError = messageOf(err)
  } finally {
    res.off('close', onClose)
  }
  await closeIterator(it)
  if (res.destroyed || res.writableEnded) return
  if (!trailers) { res.end(); return }
  try {
    res.addTrailers(trailerValues(iterError, opts).map((e): [string, string] => [STREAM_ERROR_TRAILER, wireHeaderValue(e)]))
  } catch {
    // Only reachable with a value Node refuses; the stream still ends properly.
  }
  res.end()
}

function fetchStream<T> (
  headers: Headers,
  it: AsyncIterator<T>,
  first: { value: T } | undefined,
  line: (item: T) => string,
  opts: TrailerOptions
): Response {
  const encoder = new TextEncoder()
  let pending: T | undefined = first?.value
  let hasPending = first !== undefined
  let resolveTrailers: (v: string[]) => void = () => {}
  const trailers = new Promise<string[]>((resolve) => { resolveTrailers = resolve })
  const finish = (iterError: string): void => { resolveTrailers(trailerValues(iterError, opts)) }
  const body = new ReadableStream<Uint8Array>({
    async pull (controller) {
      try {
        if (!hasPending) {
          const next = await it.next()
          if (next.done === true) {
            finish('')
            controller.close()
            return
          }
          pending = next.value
        }
        hasPending = false
        controller.enqueue(encoder.encode(line(pending as T)))
      } catch (err) {
        finish(messageOf(err))
        await closeIterator(it)
        controller.close()
      }
    },
    async cancel () {
      finish('context canceled')
      await closeIterator(it)
    }
  })
  trailerRegistry.set(body, trailers)
  return new Response(body, { status: 200, headers })
}

/** Writes of at most this many characters: few syscalls, little held per answer. */
const PART_BATCH_CHARS = 16 * 1024

/**
 * One JSON value written as it is produced (`parts` concatenated), with back-pressure: at most
 * one batch is held in memory per answer, whatever its size. Status 200.
 */
export function jsonPartsResponse (c: AppContext, configured: Record<string, string[]>, parts: Iterable<string>): Response {
  const headers = apiHeaders(c, configured)
  const outgoing = c.env?.outgoing
  if (outgoing !== undefined) {
    void writeParts(outgoing, headers, parts)
    return RESPONSE_ALREADY_SENT
  }
  const it = batches(parts)[Symbol.iterator]()
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    pull (controller) {
      const next = it.next()
      if (next.done === true) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    }
  })
  return new Response(body, { status: 200, headers })
}

function * batches (parts: Iterable<string>): Generator<string> {
  let batch = ''
  for (const part of parts) {
    batch += part
    if (batch.length >= PART_BATCH_CHARS) { yield batch; batch = '' }
  }
  if (batch !== '') yield batch
}

async function writeParts (res: ServerResponse, headers: Headers, parts: Iterable<string>): Promise<void> {
  try {
    res.writeHead(200, headerRecord(headers))
    for (const batch of batches(parts)) {
      if (res.destroyed) return
      if (!res.write(batch)) await drainOrClose(res)
    }
    if (!res.destroyed) res.end()
  } catch {
    // Encoding failed midway: the answer cannot be completed, so it is cut.
    res.destroy()
  }
}

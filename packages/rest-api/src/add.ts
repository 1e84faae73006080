/**
 * `POST /add` (rest-api.md §4.15). As Go: the body must be multipart and the parameters valid
 * (else 400 before anything else). Then the upload is read while the cluster adds it; the status
 * goes out with the first output, so anything that fails before one (a malformed upload, an
 * unsupported option, no peers to allocate) is answered as an error object with its status (400
 * for the client's mistakes) instead of Go's 200 with the error only in the trailer. Later
 * failures show as the `X-Stream-Error` trailer. With `stream-channels=false` the outputs are
 * buffered into one array.
 */
import type { IncomingMessage } from 'node:http'
import { clientErrorStatus, decodeAddParams, encodeAddedOutput, multipartBoundary } from '@cluster/api'
import type { AddedOutput, AddUpload, JsonValue } from '@cluster/api'
import type { AppContext } from './context.ts'
import type { RouteDeps } from './routes.ts'
import { apiHeaders, errorStatus, jsonBody } from './respond.ts'
import { addStreamResponse } from './stream.ts'

const NO_BODY: AsyncIterable<Uint8Array> = { async * [Symbol.asyncIterator] () {} }

function uploadOf (c: AppContext, contentType: string): AddUpload {
  const incoming = c.env?.incoming
  // node:http's request is read directly (cheaper than the web stream hono wraps around it), and
  // not destroyed when the adder stops early: the socket still has to carry the answer.
  const body = incoming?.iterator({ destroyOnReturn: false }) ?? c.req.raw.body ?? NO_BODY
  return { contentType, body: body as AsyncIterable<Uint8Array> }
}

/** Whatever the adder left unread is read and dropped once it is done, so the client can finish sending. */
async function * draining<T> (items: AsyncIterable<T>, incoming: IncomingMessage | undefined): AsyncGenerator<T> {
  try {
    yield * items
  } finally {
    if (incoming !== undefined && !incoming.complete && !incoming.destroyed) incoming.resume()
  }
}

function failure (err: unknown): { status: number, message: string } {
  const { status, message } = errorStatus(err)
  return { status: clientErrorStatus(err) ?? status, message }
}

export async function addHandler (c: AppContext, d: RouteDeps): Promise<Response> {
  const contentType = c.req.header('content-type') ?? ''
  multipartBoundary(contentType)
  const params = decodeAddParams(new URL(c.req.url).searchParams, { now: d.now })
  const outputs = draining(d.cluster.add(uploadOf(c, contentType), params, { signal: c.req.raw.signal }), c.env?.incoming)

  const errorAnswer = (err: unknown): Response => {
    const { status, message } = failure(err)
    return new Response(jsonBody({ code: status, message }), { status, headers: apiHeaders(c, d.config.headers) })
  }
  const headers = apiHeaders(c, d.config.headers)
  headers.set('Cache-Control', 'no-cache')
  headers.set('Connection', 'close')
  if (params.streamChannels) {
    headers.set('X-Chunked-Output', '1')
    return await addStreamResponse(c, headers, outputs, encodeAddedOutput, errorAnswer)
  }
  const all: AddedOutput[] = []
  try {
    for await (const out of outputs) all.push(out)
  } catch (err) {
    return errorAnswer(err)
  }
  const body: JsonValue = all.length === 0 ? null : all.map(encodeAddedOutput)
  return new Response(jsonBody(body), { status: 200, headers })
}

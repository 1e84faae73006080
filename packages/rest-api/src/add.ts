/**
 * `POST /add` (rest-api.md §4.15). As Go: the body must be multipart and the parameters valid
 * (else 400 before anything else); then 200 goes out at once while the client is still
 * uploading, outputs follow as the cluster produces them, and a failure only shows as the
 * `X-Stream-Error` trailer. With `stream-channels=false` the outputs are buffered into one array.
 */
import { decodeAddParams, encodeAddedOutput, multipartBoundary } from '@cluster/api'
import type { AddedOutput, AddUpload, JsonValue } from '@cluster/api'
import type { AppContext } from './context.ts'
import type { RouteDeps } from './routes.ts'
import { apiHeaders, errorStatus, jsonBody } from './respond.ts'
import { immediateStreamResponse } from './stream.ts'

const NO_BODY: AsyncIterable<Uint8Array> = { async * [Symbol.asyncIterator] () {} }

function uploadOf (c: AppContext, contentType: string): AddUpload {
  // node:http's request is read directly: cheaper than the web stream hono would wrap around it.
  const body = c.env?.incoming ?? c.req.raw.body ?? NO_BODY
  return { contentType, body: body as AsyncIterable<Uint8Array> }
}

export async function addHandler (c: AppContext, d: RouteDeps): Promise<Response> {
  const contentType = c.req.header('content-type') ?? ''
  multipartBoundary(contentType)
  const params = decodeAddParams(new URL(c.req.url).searchParams, { now: d.now })
  const outputs = d.cluster.add(uploadOf(c, contentType), params, { signal: c.req.raw.signal })

  const headers = apiHeaders(c, d.config.headers)
  headers.set('Cache-Control', 'no-cache')
  headers.set('Connection', 'close')
  if (params.streamChannels) {
    headers.set('X-Chunked-Output', '1')
    return immediateStreamResponse(c, headers, outputs, encodeAddedOutput)
  }
  const all: AddedOutput[] = []
  try {
    for await (const out of outputs) all.push(out)
  } catch (err) {
    return new Response(jsonBody({ code: 500, message: errorStatus(err).message }), { status: 500, headers })
  }
  const body: JsonValue = all.length === 0 ? null : all.map(encodeAddedOutput)
  return new Response(jsonBody(body), { status: 200, headers })
}

/**
 * `add` (proxy.md §3.5): the upload goes to the cluster adder (ClusterApi.add), which chunks it,
 * sends the blocks to the allocated peers' IPFS daemons and pins the root cluster-wide. Its
 * outputs are answered in Kubo's `add` shapes (`Name`, `Hash`, `Bytes`, `Size` as a string). A
 * failure before the first output is a Kubo error object (400 for a bad upload or option) rather
 * than Go's 200 with the error only in the trailer; later failures go to the trailer.
 */
import type { ServerResponse } from 'node:http'
import { clientErrorStatus, decodeAddParams, multipartBoundary, parseGoBool, type AddedOutput, type AddParams } from '@cluster/api'
import type { HandlerContext } from '../context.ts'
import { ProxyArgumentError, ProxyError, messageOf } from '../errors.ts'
import { endStream, sendError, sendJson, startStream, writeLine } from '../respond.ts'

export type { AddParams }

function optionError (message: string): ProxyArgumentError {
  return new ProxyArgumentError(`error parsing options:${message}`)
}

function kuboBool (query: URLSearchParams, name: string): boolean | undefined {
  const text = query.get(name) ?? ''
  if (text === '') return undefined
  const v = parseGoBool(text)
  if (v === undefined) throw optionError(`parameter ${name} invalid`)
  return v
}

/** The cluster `/add` options plus Kubo's aliases (`trickle`, `pin`); errors use Go's texts. */
export function parseAddParams (query: URLSearchParams): AddParams {
  let params: AddParams
  try {
    params = decodeAddParams(query)
  } catch (err) {
    throw optionError(messageOf(err))
  }
  if (kuboBool(query, 'only-hash') === true) throw new ProxyArgumentError('only-hash is not supported when adding to cluster')
  if (kuboBool(query, 'trickle') === true) params.layout = 'trickle'
  if (kuboBool(query, 'pin') === false) params.noPin = true
  return params
}

/** One output as Kubo's `add` prints it: progress lines carry `Bytes`, node lines `Hash` and `Size`. */
export function kuboAddedLine (o: AddedOutput): string {
  return JSON.stringify({
    Name: o.name,
    Hash: o.cid?.toString(),
    Bytes: o.bytes !== 0 ? o.bytes : undefined,
    Size: o.size !== 0 ? String(o.size) : undefined
  })
}

/** The status of a failure before any output: 400 for the client's upload or options, else 500 (Kubo's usual). */
function earlyStatus (err: unknown): number {
  return clientErrorStatus(err) ?? (err instanceof ProxyError ? err.status : 500)
}

export async function add (ctx: HandlerContext): Promise<void> {
  const contentType = ctx.req.headers['content-type'] ?? ''
  try {
    multipartBoundary(contentType)
  } catch (err) {
    throw new ProxyArgumentError(`error reading request: ${messageOf(err)}`)
  }
  const params = parseAddParams(ctx.query)
  // `ipfs add` of stdin and kubo-rpc-client's add(bytes) send a nameless file: Kubo names it by its CID.
  params.namelessAsCid = true
  const res = ctx.res
  const req = ctx.req
  // Not destroyed when the adder stops early: the socket still has to carry the answer.
  const upload = { contentType, body: req.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array> }
  const outputs = ctx.cluster.add(upload, params, { signal: ctx.signal })
  const stream = params.streamChannels
  const lines: string[] = []
  let error: unknown
  try {
    for await (const output of outputs) {
      const line = kuboAddedLine(output)
      if (!stream) {
        lines.push(line)
        continue
      }
      // The status waits for the first output, so what fails before it is a real error answer.
      if (!res.headersSent) startAddStream(res)
      await writeLine(res, line)
    }
  } catch (err) {
    error = err
  } finally {
    // Whatever the adder left unread is dropped, so the client can finish sending.
    if (!req.complete && !req.destroyed) req.resume()
  }
  if (error !== undefined && !res.headersSent) {
    sendError(res, earlyStatus(error), messageOf(error))
    return
  }
  if (stream) {
    if (!res.headersSent) startAddStream(res)
    endStream(res, error === undefined ? '' : messageOf(error))
    return
  }
  res.setHeader('Cache-Control', 'no-cache')
  res.setHeader('Connection', 'close')
  sendJson(res, `[${lines.join(',')}]`)
}

function startAddStream (res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-cache')
  res.setHeader('Connection', 'close')
  startStream(res)
}

/**
 * `add` (proxy.md §3.5): the upload goes to the cluster adder (ClusterApi.add), which chunks it,
 * sends the blocks to the allocated peers' IPFS daemons and pins the root cluster-wide. Its
 * outputs are answered in Kubo's `add` shapes (`Name`, `Hash`, `Bytes`, `Size` as a string).
 */
import { decodeAddParams, multipartBoundary, parseGoBool, type AddedOutput, type AddParams } from '@cluster/api'
import type { HandlerContext } from '../context.ts'
import { ProxyRequestError, messageOf } from '../errors.ts'
import { endStream, writeLine } from '../respond.ts'

export type { AddParams }

function optionError (message: string): ProxyRequestError {
  return new ProxyRequestError(`error parsing options:${message}`)
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
  if (kuboBool(query, 'only-hash') === true) throw new ProxyRequestError('only-hash is not supported when adding to cluster')
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

export async function add (ctx: HandlerContext): Promise<void> {
  const contentType = ctx.req.headers['content-type'] ?? ''
  try {
    multipartBoundary(contentType)
  } catch (err) {
    throw new ProxyRequestError(`error reading request: ${messageOf(err)}`)
  }
  const params = parseAddParams(ctx.query)
  const res = ctx.res
  res.setHeader('Cache-Control', 'no-cache')
  res.setHeader('Connection', 'close')
  const outputs = ctx.cluster.add({ contentType, body: ctx.req }, params, { signal: ctx.signal })
  const stream = params.streamChannels
  const buffered: string[] = []
  if (stream) {
    res.statusCode = 200
    res.setHeader('Content-Type', 'application/json')
    res.setHeader('X-Chunked-Output', '1')
    res.setHeader('Trailer', 'X-Stream-Error')
    res.flushHeaders()
  }
  let error = ''
  try {
    for await (const output of outputs) {
      const line = kuboAddedLine(output)
      if (stream) await writeLine(res, line)
      else buffered.push(line)
    }
  } catch (err) {
    error = messageOf(err)
  }
  if (stream) {
    endStream(res, error)
    return
  }
  const body = error !== '' ? JSON.stringify({ code: 500, message: error }) : `[${buffered.join(',')}]`
  res.statusCode = error !== '' ? 500 : 200
  res.setHeader('Content-Type', 'application/json')
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.end(body)
}

/**
 * `block/put?pin=true` and `dag/put?pin=true` (proxy.md §3.8, §3.9): the upload goes to Kubo
 * with `pin=false` (so Kubo keeps no pin of its own outside cluster control), then every CID
 * Kubo reports is pinned cluster-wide and echoed back.
 */
import { defaultPinOptions, parseCid, type CID } from '@cluster/api'
import type { HandlerContext } from '../context.ts'
import { messageOf } from '../errors.ts'
import { forwardHeaders } from '../reverse-proxy.ts'
import { endStream, startStream, writeLine } from '../respond.ts'
import { ndjsonLines, readText } from '../upstream.ts'

type Kind = 'block' | 'dag'

function cidOfLine (kind: Kind, value: unknown): { cid: CID, line: string } {
  const v = value as Record<string, unknown> | null
  if (kind === 'block') {
    const cid = parseCid(String(v?.Key))
    const size = typeof v?.Size === 'number' ? v.Size : 0
    return { cid, line: JSON.stringify({ Key: cid.toString(), Size: size }) }
  }
  const link = v?.Cid as { '/'?: unknown } | undefined
  const cid = parseCid(String(link?.['/']))
  return { cid, line: JSON.stringify({ Cid: { '/': cid.toString() } }) }
}

async function put (ctx: HandlerContext, kind: Kind): Promise<void> {
  const query = new URLSearchParams(ctx.query)
  query.set('pin', 'false')
  const headers = forwardHeaders(ctx.req)
  const up = await ctx.upstream.request({
    method: 'POST', path: `/api/v0/${kind}/put?${query.toString()}`, headers, body: ctx.req, signal: ctx.signal
  })
  if (up.statusCode !== 200) {
    // Kubo's status and body; our headers (Content-Type: application/json) stay.
    const body = await readText(up)
    ctx.res.statusCode = up.statusCode ?? 500
    ctx.res.setHeader('Content-Length', Buffer.byteLength(body))
    ctx.res.end(body)
    return
  }
  startStream(ctx.res, false)
  const errors: string[] = []
  try {
    for await (const { value } of ndjsonLines(up)) {
      const { cid, line } = cidOfLine(kind, value)
      try {
        await ctx.cluster.pin(cid, defaultPinOptions(), { signal: ctx.signal })
      } catch (err) {
        errors.push(messageOf(err))
      }
      await writeLine(ctx.res, line)
    }
  } catch (err) {
    errors.push(messageOf(err))
  }
  endStream(ctx.res, errors.join('; '))
}

export async function blockPut (ctx: HandlerContext): Promise<void> {
  await put(ctx, 'block')
}

export async function dagPut (ctx: HandlerContext): Promise<void> {
  await put(ctx, 'dag')
}

/** `pin/ls` (proxy.md §3.3): answered from the cluster pinset, not from any Kubo. */
import { PIN_TYPE_BITS, parseCid, type Pin } from '@cluster/api'
import type { HandlerContext } from '../context.ts'
import { ProxyRequestError, messageOf } from '../errors.ts'
import { endStream, sendJson, startStream, writeLine } from '../respond.ts'

type Wanted = 'all' | 'recursive' | 'direct' | 'indirect'

function wantedOf (query: URLSearchParams): Wanted {
  const type = query.get('type') ?? ''
  if (type === '' || type === 'all') return 'all'
  if (type === 'recursive' || type === 'direct' || type === 'indirect') return type
  throw new ProxyRequestError(`invalid type '${type}', must be one of {direct, indirect, recursive, all}`)
}

function modeOf (pin: Pin): 'recursive' | 'direct' {
  return pin.maxDepth === 0 || pin.mode === 'direct' ? 'direct' : 'recursive'
}

/** Whether a cluster pin is listed for the `type` asked (cluster pins are never indirect). */
function matches (pin: Pin, wanted: Wanted): boolean {
  return wanted === 'all' || wanted === modeOf(pin)
}

/** Stream entry as Kubo writes it (`Name` only when asked and set). */
function streamEntry (pin: Pin, names: boolean): string {
  const entry: Record<string, string> = { Cid: pin.cid.toString(), Type: modeOf(pin) }
  if (names && pin.name !== '') entry.Name = pin.name
  return JSON.stringify(entry)
}

export async function pinLs (ctx: HandlerContext): Promise<void> {
  const stream = ctx.query.get('stream') === 'true' || ctx.query.get('s') === 'true'
  const names = ctx.query.get('names') === 'true' || ctx.query.get('n') === 'true'
  const wanted = wantedOf(ctx.query)
  const arg = ctx.query.get('arg')
  if (arg !== null) {
    let cid
    try {
      cid = parseCid(arg)
    } catch (err) {
      throw new ProxyRequestError(messageOf(err), { cause: err })
    }
    let pin: Pin
    try {
      pin = await ctx.cluster.allocation(cid, { signal: ctx.signal })
    } catch (err) {
      throw new ProxyRequestError(`path '${arg}' is not pinned`, { cause: err })
    }
    if (!matches(pin, wanted)) throw new ProxyRequestError(`path '${arg}' is not pinned`)
    if (stream) sendJson(ctx.res, streamEntry(pin, names) + '\n')
    else sendJson(ctx.res, JSON.stringify({ Keys: { [pin.cid.toString()]: { Type: modeOf(pin), Name: names ? pin.name : '' } } }))
    return
  }

  const pins = ctx.cluster.allocations(PIN_TYPE_BITS.all, { signal: ctx.signal })
  if (stream) {
    startStream(ctx.res)
    let error = ''
    try {
      for await (const pin of pins) {
        if (matches(pin, wanted)) await writeLine(ctx.res, streamEntry(pin, names))
      }
    } catch (err) {
      error = messageOf(err)
    }
    endStream(ctx.res, error)
    return
  }
  // Kubo's non-stream form is one object: collected, then written.
  const keys: Record<string, { Type: string, Name: string }> = {}
  for await (const pin of pins) {
    if (matches(pin, wanted)) keys[pin.cid.toString()] = { Type: modeOf(pin), Name: names ? pin.name : '' }
  }
  sendJson(ctx.res, JSON.stringify({ Keys: keys }))
}

/** `pin/ls` (proxy.md §3.3): answered from the cluster pinset, not from any Kubo. */
import { PIN_TYPE_BITS, parseCid, type Pin } from '@cluster/api'
import type { HandlerContext } from '../context.ts'
import { ProxyArgumentError, ProxyRequestError, messageOf } from '../errors.ts'
import { endStream, sendJson, startStream, writeLine, writeText } from '../respond.ts'

type Wanted = 'all' | 'recursive' | 'direct' | 'indirect'

function wantedOf (query: URLSearchParams): Wanted {
  const type = query.get('type') ?? ''
  if (type === '' || type === 'all') return 'all'
  if (type === 'recursive' || type === 'direct' || type === 'indirect') return type
  throw new ProxyArgumentError(`invalid type '${type}', must be one of {direct, indirect, recursive, all}`)
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
      throw new ProxyArgumentError(messageOf(err), { cause: err })
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
  await writeKeys(ctx, pins, wanted, names)
}

/** Characters gathered before a write of the `Keys` form. */
const KEYS_BATCH_CHARS = 16 * 1024

/**
 * Kubo's non-stream form, one `{"Keys":{…}}` object, written as the pins come (one batch held at
 * a time, whatever the pinset's size). A failure before the first pin is an error answer; after
 * it, the object is closed and the failure goes to the `X-Stream-Error` trailer.
 */
async function writeKeys (ctx: HandlerContext, pins: AsyncIterable<Pin>, wanted: Wanted, names: boolean): Promise<void> {
  let batch = ''
  let started = false
  let error = ''
  const flush = async (): Promise<void> => {
    if (!started) { startStream(ctx.res, false); started = true }
    await writeText(ctx.res, batch)
    batch = ''
  }
  try {
    for await (const pin of pins) {
      if (!matches(pin, wanted)) continue
      const entry = `${JSON.stringify(pin.cid.toString())}:${JSON.stringify({ Type: modeOf(pin), Name: names ? pin.name : '' })}`
      batch += batch === '' && !started ? `{"Keys":{${entry}` : `,${entry}`
      if (batch.length >= KEYS_BATCH_CHARS) await flush()
    }
  } catch (err) {
    if (!started && batch === '') throw err
    error = messageOf(err)
  }
  if (!started && batch === '') {
    sendJson(ctx.res, '{"Keys":{}}')
    return
  }
  batch += '}}'
  await flush()
  endStream(ctx.res, error)
}

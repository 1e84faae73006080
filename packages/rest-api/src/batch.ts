/**
 * `POST /pins` with a body (an extension beyond Go's API, see the README): many pins and unpins in
 * one request, each item with its own options, committed by the cluster in as few consensus
 * entries as fit. The body is a JSON array of items or NDJSON (one item per line); the answer is
 * NDJSON, one result per item as its consensus entry commits. A bad item gets its own error.
 */
import { decodePinOptionsQuery, encodePin, ndjsonLinesSync, parseCid } from '@cluster/api'
import type { BatchItem, BatchItemResult, JsonValue } from '@cluster/api'
import type { AppContext } from './context.ts'
import { HttpError } from './errors.ts'
import { readBodyChunks } from './body.ts'
import { errorStatus } from './respond.ts'
import type { RouteDeps } from './routes.ts'
import { streamResponse } from './stream.ts'

/** Most bytes a batch body may have (413 beyond). */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024
/** Most items a batch may hold (413 beyond). */
export const MAX_BATCH_ITEMS = 10_000

/** Item keys besides `cid` and `op`: the query parameters of `POST /pins/{cid}`, and `metadata`. */
const OPTION_KEYS = new Set(['name', 'mode', 'replication', 'replication-min', 'replication-max', 'shard-size', 'user-allocations', 'expire-at', 'expire-in', 'pin-update', 'origins'])

/** One line of the answer. */
interface BatchLine {
  index: number
  cid: string
  op: string
  result: BatchItemResult
}

function itemError (message: string): Error {
  return new HttpError(400, message)
}

/** A query-parameter value from a JSON value: text, numbers and booleans as written, lists comma-joined. */
function paramText (key: string, value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value) && value.every(v => typeof v === 'string')) return value.join(',')
  throw itemError(`'${key}' must be a string, a number or a list of strings`)
}

/** An item of the body as a BatchItem (throws the item's own 400 error). */
export function parseBatchItem (value: unknown, d: RouteDeps): BatchItem {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw itemError('an item must be a JSON object with a "cid"')
  const obj = value as Record<string, unknown>
  if (typeof obj.cid !== 'string') throw itemError('an item must have a "cid" string')
  let cid
  try {
    cid = parseCid(obj.cid)
  } catch (err) {
    throw itemError(`error decoding Cid: ${(err as Error).message}`)
  }
  const op = obj.op ?? 'pin'
  if (op !== 'pin' && op !== 'unpin') throw itemError(`"op" must be "pin" or "unpin", not ${JSON.stringify(op)}`)
  const params = new URLSearchParams()
  for (const [key, v] of Object.entries(obj)) {
    if (key === 'cid' || key === 'op' || v === null) continue
    if (key === 'metadata') {
      if (typeof v !== 'object' || Array.isArray(v)) throw itemError('"metadata" must be an object of strings')
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof mv !== 'string') throw itemError(`metadata "${mk}" must be a string`)
        params.set(`meta-${mk}`, mv)
      }
    } else if (OPTION_KEYS.has(key)) {
      params.set(key, paramText(key, v))
    } else {
      throw itemError(`unknown item key "${key}" (known: cid, op, metadata, ${[...OPTION_KEYS].join(', ')})`)
    }
  }
  const options = decodePinOptionsQuery(params, { now: d.now })
  return { op, cid, options }
}

/** The first byte of the body that is not ASCII whitespace (undefined: none). */
function firstByte (chunks: Uint8Array[]): number | undefined {
  for (const chunk of chunks) {
    for (const b of chunk) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0x0b && b !== 0x0c) return b
  }
  return undefined
}

/** The body's items: a JSON array, or NDJSON; an NDJSON line that is not JSON is that item's error. */
function bodyItems (chunks: Uint8Array[]): Array<{ value?: unknown, error?: Error }> {
  const first = firstByte(chunks)
  if (first === undefined) throw new HttpError(400, 'empty batch: send a JSON array of items or one JSON item per line')
  if (first === 0x5b) { // '['
    let values: unknown
    try {
      values = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch (err) {
      throw new HttpError(400, `error decoding request body: ${(err as Error).message}`)
    }
    if (!Array.isArray(values)) throw new HttpError(400, 'error decoding request body: not a JSON array')
    checkCount(values.length)
    return values.map(value => ({ value }))
  }
  // The whole body is within MAX_BATCH_BYTES already, so no line can be longer.
  const lines = Array.from(ndjsonLinesSync(chunks, { maxLineBytes: MAX_BATCH_BYTES }), l => l.text)
  checkCount(lines.length)
  // "line N" counts items (blank lines left out), as the answer's `index` does.
  return lines.map((line, i) => {
    try {
      return { value: JSON.parse(line) as unknown }
    } catch (err) {
      return { error: itemError(`line ${i + 1} is not JSON: ${(err as Error).message}`) }
    }
  })
}

function checkCount (n: number): void {
  if (n > MAX_BATCH_ITEMS) throw new HttpError(413, `a batch holds at most ${MAX_BATCH_ITEMS} items (this one has ${n})`)
  if (n === 0) throw new HttpError(400, 'empty batch: no items')
}

function encodeLine (line: BatchLine): JsonValue {
  const { result } = line
  if (result.pin !== undefined) return { index: line.index, cid: line.cid, op: line.op, pin: encodePin(result.pin) }
  const { status, message } = errorStatus(result.error)
  return { index: line.index, cid: line.cid, op: line.op, error: { code: status, message } }
}

export async function batchHandler (c: AppContext, d: RouteDeps): Promise<Response> {
  const pinBatch = d.cluster.pinBatch?.bind(d.cluster)
  if (pinBatch === undefined) throw new HttpError(400, 'this cluster does not take batches')
  const entries = bodyItems(await readBodyChunks(c.req.raw, MAX_BATCH_BYTES))
  const early: BatchLine[] = []
  const items: BatchItem[] = []
  /** Position in the body of each item handed to the cluster. */
  const positions: number[] = []
  const describe = (value: unknown): { cid: string, op: string } => {
    const v = (value ?? {}) as { cid?: unknown, op?: unknown }
    return { cid: typeof v.cid === 'string' ? v.cid : '', op: v.op === 'unpin' ? 'unpin' : 'pin' }
  }
  entries.forEach((entry, index) => {
    try {
      if (entry.error !== undefined) throw entry.error
      items.push(parseBatchItem(entry.value, d))
      positions.push(index)
    } catch (err) {
      early.push({ index, ...describe(entry.value), result: { index, error: err as Error } })
    }
  })
  async function * lines (): AsyncGenerator<BatchLine> {
    yield * early
    if (items.length === 0) return
    for await (const result of pinBatch!(items, { signal: c.req.raw.signal })) {
      const item = items[result.index] as BatchItem
      const index = positions[result.index] as number
      yield { index, cid: item.cid.toString(), op: item.op, result: { ...result, index } }
    }
  }
  return await streamResponse(c, d.config.headers, { items: lines() }, encodeLine)
}

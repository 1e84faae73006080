import { decodePin, encodePin, parseJson, stringifyJson, type JsonValue, type Pin } from '@cluster/api'
import { StateFormatError } from './errors.ts'

/**
 * One Raft log command (Go's LogOp): `pin` adds or replaces the pin of a CID, `unpin` removes it.
 * Encoded as the Go JSON of the pin behind a one-byte type tag, so a log entry reads like the
 * REST API's Pin objects.
 */
export interface LogOp {
  type: 'pin' | 'unpin'
  pin: Pin
  /**
   * Single-operation entries only, with tracing on: the W3C traceparent of the commit that
   * proposed it, so each peer's apply joins that trace. Written as a `traceparent` key beside
   * the pin's keys, which peers that do not know it ignore.
   */
  traceparent?: string
}

/**
 * A log entry: one operation (tags 1 and 2, the entries every version writes) or a batch of them
 * (tag 3: `[{"type":"pin"|"unpin","pin":{…}}, …]`), applied in order in one transaction.
 */
export type LogEntry = LogOp | { type: 'batch', ops: LogOp[] }

const PIN = 1
const UNPIN = 2
const BATCH = 3

/** Encoded size a batch entry aims to stay under (a Raft message carries about 1 MiB). */
export const BATCH_ENTRY_BYTES = 512 * 1024

/** The operations as batch entries, each at most BATCH_ENTRY_BYTES unless one operation alone is bigger. */
export function encodeBatches (ops: readonly LogOp[]): Array<{ payload: Uint8Array, ops: LogOp[] }> {
  const out: Array<{ payload: Uint8Array, ops: LogOp[] }> = []
  let parts: string[] = []
  let group: LogOp[] = []
  let size = 2
  const flush = (): void => {
    if (group.length === 0) return
    const body = encoder.encode(`[${parts.join(',')}]`)
    const payload = new Uint8Array(body.length + 1)
    payload[0] = BATCH
    payload.set(body, 1)
    out.push({ payload, ops: group })
    parts = []
    group = []
    size = 2
  }
  for (const op of ops) {
    const part = `{"type":"${op.type}","pin":${stringifyJson(encodePin(op.pin))}}`
    if (group.length > 0 && size + part.length + 1 > BATCH_ENTRY_BYTES) flush()
    parts.push(part)
    group.push(op)
    size += part.length + 1
  }
  flush()
  return out
}
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeOp (op: LogOp): Uint8Array {
  const pin = encodePin(op.pin)
  const body = encoder.encode(stringifyJson(op.traceparent === undefined ? pin : { ...(pin as Record<string, JsonValue>), traceparent: op.traceparent }))
  const out = new Uint8Array(body.length + 1)
  out[0] = op.type === 'pin' ? PIN : UNPIN
  out.set(body, 1)
  return out
}

export function decodeOp (data: Uint8Array): LogEntry {
  const tag = data[0]
  if (tag !== PIN && tag !== UNPIN && tag !== BATCH) throw new StateFormatError(`unknown log operation type ${String(tag)}`)
  try {
    const value = parseJson(decoder.decode(data.subarray(1)))
    if (tag !== BATCH) {
      const tp = (value as { traceparent?: unknown } | null)?.traceparent
      return { type: tag === PIN ? 'pin' : 'unpin', pin: decodePin(value), ...(typeof tp === 'string' ? { traceparent: tp } : {}) }
    }
    if (!Array.isArray(value)) throw new Error('a batch is not an array')
    return { type: 'batch', ops: value.map(decodeBatchItem) }
  } catch (err) {
    throw new StateFormatError(`undecodable log operation: ${(err as Error).message}`)
  }
}

function decodeBatchItem (item: unknown): LogOp {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new Error('a batch item is not an object')
  const { type, pin } = item as { type?: unknown, pin?: unknown }
  if (type !== 'pin' && type !== 'unpin') throw new Error(`unknown batch item type ${JSON.stringify(type)}`)
  return { type, pin: decodePin(pin) }
}

import { parseJson, stringifyJson, type JsonValue } from '@cluster/api'
import type { RpcErrorType } from './errors.ts'

/**
 * Frames on one call's stream, each a length-prefixed JSON document:
 * request `{"m": method, "a": arg}`; then answer frames `{"v": value}` (a unary call's result) or
 * `{"vs": [values…]}` (a batch of stream items), and a final `{"end": true}` or
 * `{"e": message, "t": type}`.
 *
 * Flow control of streams: a request may carry `"w": bytes`, a window. The server then keeps at
 * most that many bytes of batch frames unacknowledged (at least one frame), and the client
 * acknowledges each batch frame with a credit frame `{"c": bytes}` once its consumer has taken
 * the frame's items. The libp2p stream buffers whatever arrives and fails past 4 MiB, so without
 * it a slow consumer of a long stream (a k-way merge waiting on the other peers) breaks the call.
 * A request without `w` (an older client) is answered without waiting for credits.
 *
 * Tracing: a request may carry `"tp"`, the caller's span as a W3C `traceparent`
 * (`00-<trace id>-<span id>-<flags>`); the server's span of the call is its child. Peers that do
 * not know the field ignore it, and a request without it starts no remote link.
 */
export type AnswerFrame = { v: JsonValue } | { vs: JsonValue[] } | { end: true } | { e: string, t: RpcErrorType }
export interface RequestFrame { m: string, a: JsonValue, w?: number, tp?: string }
export interface CreditFrame { c: number }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * Frames go between our own peers only, so they need not be Go's exact bytes: V8's JSON writer
 * (several times faster than stringifyJson, the largest cost of a peer sending its status
 * stream) writes them, and stringifyJson only a frame it refuses (a bigint). Both write
 * values that parseJson reads back the same.
 */
export function encodeFrame (frame: RequestFrame | AnswerFrame | CreditFrame): Uint8Array {
  let text: string
  try {
    text = JSON.stringify(frame)
  } catch {
    text = stringifyJson(frame as JsonValue)
  }
  return encoder.encode(text)
}

export function decodeFrame (bytes: Uint8Array): Record<string, unknown> {
  const v = parseJson(decoder.decode(bytes))
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError('an RPC frame must be a JSON object')
  return v as Record<string, unknown>
}

import { parseJson, stringifyJson, type JsonValue } from '@cluster/api'
import type { RpcErrorType } from './errors.ts'

/**
 * Frames on one call's stream, each a length-prefixed JSON document:
 * request `{"m": method, "a": arg}`; then answer frames `{"v": value}` (a unary call's result) or
 * `{"vs": [values…]}` (a batch of stream items), and a final `{"end": true}` or
 * `{"e": message, "t": type}`.
 */
export type AnswerFrame = { v: JsonValue } | { vs: JsonValue[] } | { end: true } | { e: string, t: RpcErrorType }
export interface RequestFrame { m: string, a: JsonValue }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeFrame (frame: RequestFrame | AnswerFrame): Uint8Array {
  return encoder.encode(stringifyJson(frame as JsonValue))
}

export function decodeFrame (bytes: Uint8Array): Record<string, unknown> {
  const v = parseJson(decoder.decode(bytes))
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError('an RPC frame must be a JSON object')
  return v as Record<string, unknown>
}

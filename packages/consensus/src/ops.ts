import { decodePin, encodePin, parseJson, stringifyJson, type Pin } from '@cluster/api'
import { StateFormatError } from './errors.ts'

/**
 * One Raft log command (Go's LogOp): `pin` adds or replaces the pin of a CID, `unpin` removes it.
 * Encoded as the Go JSON of the pin behind a one-byte type tag, so a log entry reads like the
 * REST API's Pin objects.
 */
export interface LogOp {
  type: 'pin' | 'unpin'
  pin: Pin
}

const PIN = 1
const UNPIN = 2
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeOp (op: LogOp): Uint8Array {
  const body = encoder.encode(stringifyJson(encodePin(op.pin)))
  const out = new Uint8Array(body.length + 1)
  out[0] = op.type === 'pin' ? PIN : UNPIN
  out.set(body, 1)
  return out
}

export function decodeOp (data: Uint8Array): LogOp {
  const tag = data[0]
  if (tag !== PIN && tag !== UNPIN) throw new StateFormatError(`unknown log operation type ${String(tag)}`)
  try {
    return { type: tag === PIN ? 'pin' : 'unpin', pin: decodePin(parseJson(decoder.decode(data.subarray(1)))) }
  } catch (err) {
    throw new StateFormatError(`undecodable log operation: ${(err as Error).message}`)
  }
}

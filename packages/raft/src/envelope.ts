/**
 * Every normal entry the driver proposes carries a small header naming the proposal, so the
 * proposer can resolve its promise when the entry is applied (etcd applications do the same with
 * request IDs) and a state machine can recognise a proposal that committed twice (the driver
 * re-sends pending proposals when the leader changes).
 *
 * Version 2 (current): u8 2, u16 origin length, origin, 8-byte nonce, f64 seq, payload. The nonce
 * is drawn at random when a driver starts, so (origin, nonce, seq) never repeats across restarts
 * even though `seq` starts at 1 again. Version 1 (read only): u8 1, u16 length, origin, f64 seq.
 */
const V1 = 1
const V2 = 2
const NONCE_BYTES = 8

export interface Envelope {
  origin: string
  /** Hex of the proposer's per-start nonce; empty for version 1 entries. */
  nonce: string
  seq: number
  payload: Uint8Array
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function wrap (origin: string, nonce: Uint8Array, seq: number, payload: Uint8Array): Uint8Array {
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`)
  const id = encoder.encode(origin)
  const head = 3 + id.length + NONCE_BYTES + 8
  const out = new Uint8Array(head + payload.length)
  const view = new DataView(out.buffer)
  out[0] = V2
  view.setUint16(1, id.length)
  out.set(id, 3)
  out.set(nonce, 3 + id.length)
  view.setFloat64(3 + id.length + NONCE_BYTES, seq)
  out.set(payload, head)
  return out
}

/** Undefined for entries without a header (the empty entry a new leader appends). */
export function unwrap (data: Uint8Array): Envelope | undefined {
  const version = data[0]
  if (data.length < 11 || (version !== V1 && version !== V2)) return undefined
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const len = view.getUint16(1)
  const nonceBytes = version === V2 ? NONCE_BYTES : 0
  const head = 3 + len + nonceBytes + 8
  if (head > data.length) return undefined
  return {
    origin: decoder.decode(data.subarray(3, 3 + len)),
    nonce: Buffer.from(data.subarray(3 + len, 3 + len + nonceBytes)).toString('hex'),
    seq: view.getFloat64(3 + len + nonceBytes),
    payload: data.subarray(head)
  }
}

/** A proposal's identity as state machines see it: unique across restarts for version 2. */
export function proposalId (env: Envelope): string | undefined {
  return env.nonce === '' ? undefined : `${env.nonce}:${env.seq}`
}

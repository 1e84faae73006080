/**
 * Every normal entry the driver proposes carries a small header naming the proposing node and a
 * sequence number, so the proposer can resolve its promise when the entry is applied (etcd
 * applications do the same with request IDs). Layout: u8 version, u16 id length, id, f64 seq.
 */
const VERSION = 1

export interface Envelope { origin: string, seq: number, payload: Uint8Array }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function wrap (origin: string, seq: number, payload: Uint8Array): Uint8Array {
  const id = encoder.encode(origin)
  const out = new Uint8Array(1 + 2 + id.length + 8 + payload.length)
  const view = new DataView(out.buffer)
  out[0] = VERSION
  view.setUint16(1, id.length)
  out.set(id, 3)
  view.setFloat64(3 + id.length, seq)
  out.set(payload, 11 + id.length)
  return out
}

/** Undefined for entries without a header (the empty entry a new leader appends). */
export function unwrap (data: Uint8Array): Envelope | undefined {
  if (data.length < 11 || data[0] !== VERSION) return undefined
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const len = view.getUint16(1)
  if (11 + len > data.length) return undefined
  return {
    origin: decoder.decode(data.subarray(3, 3 + len)),
    seq: view.getFloat64(3 + len),
    payload: data.subarray(11 + len)
  }
}

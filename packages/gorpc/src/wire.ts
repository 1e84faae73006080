import type { Stream } from '@libp2p/interface'
import { RpcError } from '@cluster/rpc'
import type { GoCodec } from './types.ts'
import { UgorjiWriter, writeStruct } from './ugorji.ts'

/** Go IPFS Cluster's RPC protocol (`version.RPCProtocol` of v1.x). */
export const GO_RPC_PROTOCOL = '/ipfscluster/1.0/rpc'

/** go-libp2p-gorpc's error types, as sent in a response header's `ErrType`. */
export const GO_ERROR_TYPES = { nonRpc: 0, server: 1, client: 2, authorization: 3 } as const

/** A method as Go declares it: `Service.Method`, its argument and result types, and whether it streams. */
export interface GoMethod<A, R> {
  readonly name: string
  /** Answers with a stream of results. */
  readonly stream: boolean
  /** Takes a stream of arguments (the handler gets them as an AsyncIterable<A>). */
  readonly streamArgs?: boolean
  readonly arg: GoCodec<A>
  readonly result: GoCodec<R>
}

interface ServiceId { Name: string, Method: string }

const fromUtf8 = new TextDecoder()
const text = (x: unknown): string => x instanceof Uint8Array ? fromUtf8.decode(x) : typeof x === 'string' ? x : ''

function asMap (v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v)) throw new RpcError('server', `${what}: not a map`)
  return v as Record<string, unknown>
}

/** A stream's chunks as plain byte arrays (what the msgpack decoder reads). */
export async function * chunks (stream: Stream): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

export function readServiceId (v: unknown): { Name: string, Method: string } {
  const o = asMap(v, 'error reading service ID')
  return { Name: text(o.Name), Method: text(o.Method) }
}

/** A response header as Go's client reads it: the error message ("" for none) and its type. */
export function readResponseHeader (v: unknown): { error: string, errType: number } {
  const o = asMap(v, 'response header')
  const t = o.ErrType
  return { error: text(o.Error), errType: typeof t === 'number' ? t : typeof t === 'bigint' ? Number(t) : 0 }
}

/** A response header (`Service`, then `Error` and `ErrType` when set) followed by the value. */
export function encodeResponse (service: ServiceId, error: string, errType: number, writeValue: (w: UgorjiWriter) => void): Uint8Array {
  const w = new UgorjiWriter()
  const serviceSet = service.Name !== '' || service.Method !== ''
  writeStruct(w, [
    serviceSet ? ['Service', w => { writeStruct(w, [['Name', w => { w.str(service.Name) }], ['Method', w => { w.str(service.Method) }]]) }] : undefined,
    error === '' ? undefined : ['Error', w => { w.str(error) }],
    errType === 0 ? undefined : ['ErrType', w => { w.int(errType) }]
  ])
  writeValue(w)
  return w.bytes()
}

/** The bytes a Go client writes for a call: the service ID, then the argument (unary calls). */
export function encodeGoCall (name: string, arg?: Uint8Array): Uint8Array {
  const [service, method] = name.split('.')
  const w = new UgorjiWriter()
  writeStruct(w, [['Name', w => { w.str(service ?? '') }], ['Method', w => { w.str(method ?? '') }]])
  if (arg !== undefined) w.encoded(arg)
  return w.bytes()
}

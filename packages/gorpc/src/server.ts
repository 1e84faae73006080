import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { RpcError, type RpcServer } from '@cluster/rpc'
import { empty, encodeGoValue, type GoCodec } from './types.ts'
import { decodeGoStream, UgorjiWriter, writeStruct } from './ugorji.ts'

/** Go IPFS Cluster's RPC protocol (`version.RPCProtocol` of v1.x). */
export const GO_RPC_PROTOCOL = '/ipfscluster/1.0/rpc'

/** go-libp2p-gorpc's error types, as sent in a response header's `ErrType`. */
export const GO_ERROR_TYPES = { nonRpc: 0, server: 1, client: 2, authorization: 3 } as const

/** A method as Go declares it: `Service.Method`, its argument and result types, and whether it streams. */
export interface GoMethod<A, R> {
  readonly name: string
  readonly stream: boolean
  readonly arg: GoCodec<A>
  readonly result: GoCodec<R>
}

interface Binding {
  method: GoMethod<unknown, unknown>
  run: (arg: unknown, caller: string, signal: AbortSignal) => Promise<unknown> | AsyncIterable<unknown>
}

/**
 * Answers Go peers on `/ipfscluster/1.0/rpc` (go-libp2p-gorpc v0.6 as Go IPFS Cluster v1.1.6 uses
 * it: consensus-crdt.md §8). A call is one stream: the caller writes `{Name, Method}` and its
 * argument(s) in msgpack, then closes its write side; the answer is a header
 * `{Service, Error, ErrType}` followed by the value, once for a unary method and once per item for
 * a streaming one.
 *
 * Most methods run the handler our own peers reach through `RpcServer` (`bridge`), so both wires
 * serve the same code under the same access policy.
 */
export class GoRpcServer {
  private readonly bindings = new Map<string, Binding>()
  private readonly services = new Set<string>()
  private readonly rpc: RpcServer
  private node?: Libp2p

  constructor (rpc: RpcServer) {
    this.rpc = rpc
  }

  /**
   * Serves a Go method with the `RpcServer` method `ours` (its handler and access policy),
   * converting the argument to ours and our result (each item, for a stream) to Go's.
   */
  bridge<A, R> (method: GoMethod<A, R>, ours: string, convert: { arg?: (arg: A) => unknown, result?: (ours: unknown) => R } = {}): this {
    const toOurs = convert.arg ?? (a => a)
    const toGo = convert.result ?? (r => r as R)
    return this.add(method, (arg, caller, signal) => {
      const result = this.rpc.dispatchRemote(ours, toOurs(arg), caller, signal)
      if (!method.stream) return (result as Promise<unknown>).then(toGo)
      // Go streams some answers ours gives at once (Cluster.IDStream is Cluster.ID as a stream).
      return (async function * () {
        if (Symbol.asyncIterator in (result as object)) {
          for await (const item of result as AsyncIterable<unknown>) yield toGo(item)
        } else {
          yield toGo(await result)
        }
      })()
    })
  }

  /** Serves a Go method with its own handler (methods our peers do not call on each other). */
  implement<A, R> (method: GoMethod<A, R>, handler: (arg: A, caller: string, signal: AbortSignal) => Promise<R> | AsyncIterable<R>): this {
    return this.add(method, handler)
  }

  async listen (node: Libp2p): Promise<void> {
    this.node = node
    await node.handle(GO_RPC_PROTOCOL, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 1024 })
  }

  async close (): Promise<void> {
    await this.node?.unhandle(GO_RPC_PROTOCOL)
  }

  private add<A, R> (method: GoMethod<A, R>, run: (arg: A, caller: string, signal: AbortSignal) => Promise<R> | AsyncIterable<R>): this {
    this.bindings.set(method.name, { method: method as GoMethod<unknown, unknown>, run: run as Binding['run'] })
    this.services.add(method.name.split('.')[0] ?? '')
    return this
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const abort = new AbortController()
    // The caller gave up (its context ended, it reset the stream): stop the handler's work too.
    stream.addEventListener('close', () => { abort.abort() }, { once: true })
    const values = decodeGoStream(chunks(stream))[Symbol.asyncIterator]()
    let service = { Name: '', Method: '' }
    const send = async (bytes: Uint8Array): Promise<void> => {
      if (!stream.send(bytes)) await stream.onDrain({ signal: abort.signal })
    }
    try {
      service = readServiceId((await values.next()).value)
      const name = `${service.Name}.${service.Method}`
      const binding = this.bindings.get(name)
      if (binding === undefined) {
        throw new RpcError('server', this.services.has(service.Name) ? `rpc: can't find method ${service.Method}` : `rpc: can't find service ${service.Name}`)
      }
      const caller = connection.remotePeer.toString()
      const { method } = binding
      // A streaming method without arguments does not wait for them (Go runs it at once).
      const arg = method.stream && method.arg === empty ? undefined : await readArg(values, method)
      const result = binding.run(arg, caller, abort.signal)
      if (method.stream) {
        for await (const item of result as AsyncIterable<unknown>) {
          await send(response(service, '', 0, w => { method.result.write(w, item) }))
        }
      } else {
        let value: unknown
        try {
          value = await (result as Promise<unknown>)
        } catch (err) {
          // The method's own error: Go sends it with ErrType 0 and a zero value.
          if (err instanceof RpcError) throw err
          await send(response(service, (err as Error).message, GO_ERROR_TYPES.nonRpc, w => { w.nil() }))
          return
        }
        await send(response(service, '', 0, w => { method.result.write(w, value) }))
      }
    } catch (err) {
      const type = err instanceof RpcError ? GO_ERROR_TYPES[err.type === 'transport' ? 'server' : err.type] : GO_ERROR_TYPES.nonRpc
      await send(response(service, (err as Error).message, type, w => { w.nil() })).catch(() => {})
    } finally {
      abort.abort()
      await values.return?.(undefined).catch(() => {})
      await stream.close().catch(() => { stream.abort(new Error('gorpc stream close failed')) })
    }
  }
}

/** A stream's chunks as plain byte arrays (what the msgpack decoder reads). */
async function * chunks (stream: Stream): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

function readServiceId (v: unknown): { Name: string, Method: string } {
  const text = (x: unknown): string => x instanceof Uint8Array ? new TextDecoder().decode(x) : typeof x === 'string' ? x : ''
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v)) {
    throw new RpcError('server', 'error reading service ID: not a map')
  }
  const o = v as Record<string, unknown>
  return { Name: text(o.Name), Method: text(o.Method) }
}

async function readArg (values: AsyncIterator<unknown>, method: GoMethod<unknown, unknown>): Promise<unknown> {
  const next = await values.next()
  // A unary call always carries its argument; a streaming one may end before sending any.
  if (next.done === true) {
    if (method.stream) return undefined
    throw new RpcError('server', 'EOF')
  }
  try {
    return method.arg.read(next.value)
  } catch (err) {
    throw new RpcError('server', `${method.name}: bad argument: ${(err as Error).message}`)
  }
}

/** A response header (`Service`, then `Error` and `ErrType` when set) followed by the value. */
function response (service: { Name: string, Method: string }, error: string, errType: number, writeValue: (w: UgorjiWriter) => void): Uint8Array {
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
  const head = encodeGoValue<undefined>({
    write: w => { writeStruct(w, [['Name', w => { w.str(service ?? '') }], ['Method', w => { w.str(method ?? '') }]]) },
    read: () => undefined
  }, undefined)
  if (arg === undefined) return head
  const out = new Uint8Array(head.length + arg.length)
  out.set(head)
  out.set(arg, head.length)
  return out
}

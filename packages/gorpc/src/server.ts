import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { RpcError, batched, type Policy, type RpcServer } from '@cluster/rpc'
import { empty } from './types.ts'
import { decodeGoStream } from './ugorji.ts'
import { GO_ERROR_TYPES, GO_RPC_PROTOCOL, chunks, encodeResponse, readServiceId, type GoMethod } from './wire.ts'

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

  /**
   * Serves a Go method with its own handler, under `policy` (Go's `DefaultRPCPolicy` for it;
   * trusted peers as `RpcServer` knows them). A method with streamed arguments gets them as an
   * AsyncIterable.
   */
  implement<A, R> (method: GoMethod<A, R>, policy: Policy, handler: (arg: A, caller: string, signal: AbortSignal) => Promise<R> | AsyncIterable<R>): this {
    return this.add(method, (arg, caller, signal) => {
      this.rpc.checkPolicy(policy, method.name, caller)
      return handler(arg, caller, signal)
    })
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
      const arg = method.streamArgs === true
        ? readArgs(values, method)
        // A streaming method without arguments does not wait for them (Go runs it at once).
        : method.stream && method.arg === empty ? undefined : await readArg(values, method)
      const result = binding.run(arg, caller, abort.signal)
      if (method.stream) {
        // Many responses per write (as our own wire does): one write per item limited a big
        // status to a few thousand items per second.
        for await (const group of batched(result as AsyncIterable<unknown>)) {
          await send(Buffer.concat(group.map(item => encodeResponse(service, '', 0, w => { method.result.write(w, item) }))))
        }
      } else {
        let value: unknown
        try {
          value = await (result as Promise<unknown>)
        } catch (err) {
          // The method's own error: Go sends it with ErrType 0 and a zero value.
          if (err instanceof RpcError) throw err
          await send(encodeResponse(service, (err as Error).message, GO_ERROR_TYPES.nonRpc, w => { w.nil() }))
          return
        }
        await send(encodeResponse(service, '', 0, w => { method.result.write(w, value) }))
      }
    } catch (err) {
      const type = err instanceof RpcError ? GO_ERROR_TYPES[err.type === 'transport' ? 'server' : err.type] : GO_ERROR_TYPES.nonRpc
      await send(encodeResponse(service, (err as Error).message, type, w => { w.nil() })).catch(() => {})
    } finally {
      abort.abort()
      await values.return?.(undefined).catch(() => {})
      await stream.close().catch(() => { stream.abort(new Error('gorpc stream close failed')) })
    }
  }
}

/** The streamed arguments, read as the handler asks for them, until the caller closes its side. */
async function * readArgs (values: AsyncIterator<unknown>, method: GoMethod<unknown, unknown>): AsyncGenerator<unknown> {
  while (true) {
    const next = await values.next()
    if (next.done === true) return
    let arg: unknown
    try {
      arg = method.arg.read(next.value)
    } catch (err) {
      throw new RpcError('server', `${method.name}: bad argument: ${(err as Error).message}`)
    }
    yield arg
  }
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


import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { RpcError } from './errors.ts'
import { decodeFrame, encodeFrame, type AnswerFrame } from './frames.ts'
import type { Method, StreamMethod, UnaryMethod } from './method.ts'

/** Our own protocol id: the wire format is not Go's gorpc, so Go and TS peers never mix. */
export const RPC_PROTOCOL = '/ipfscluster-ts/1.0/rpc'

export interface CallContext {
  /** The calling peer (this peer for local calls). */
  caller: string
  local: boolean
  signal: AbortSignal
}

type Handler = (arg: unknown, ctx: CallContext) => Promise<unknown> | AsyncIterable<unknown>

interface Registered { method: Method<unknown, unknown>, handler: Handler }

export interface RpcServerInit {
  /** This peer's ID: calls to it are dispatched in-process without a policy check. */
  self: string
  /** Whether a remote peer is trusted (with Raft consensus: every peer). Default: everyone. */
  isTrusted?: (peer: string) => boolean
  /** Largest accepted frame. Default 64 MiB. */
  maxFrameBytes?: number
}

/** Serves registered methods to remote peers over libp2p and to local callers directly. */
export class RpcServer {
  readonly self: string
  private readonly methods = new Map<string, Registered>()
  private readonly init: RpcServerInit
  private node?: Libp2p

  constructor (init: RpcServerInit) {
    this.self = init.self
    this.init = init
  }

  implement<A, R> (method: UnaryMethod<A, R>, handler: (arg: A, ctx: CallContext) => Promise<R>): this
  implement<A, R> (method: StreamMethod<A, R>, handler: (arg: A, ctx: CallContext) => AsyncIterable<R>): this
  implement<A, R> (method: Method<A, R>, handler: (arg: A, ctx: CallContext) => Promise<R> | AsyncIterable<R>): this {
    this.methods.set(method.name, { method: method as Method<unknown, unknown>, handler: handler as Handler })
    return this
  }

  async listen (node: Libp2p): Promise<void> {
    this.node = node
    await node.handle(RPC_PROTOCOL, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 1024 })
  }

  async close (): Promise<void> {
    await this.node?.unhandle(RPC_PROTOCOL)
  }

  /** In-process dispatch (no policy, no encoding): what a call to `self` does. */
  dispatchLocal (name: string, arg: unknown, signal: AbortSignal): Promise<unknown> | AsyncIterable<unknown> {
    const entry = this.methods.get(name)
    if (entry === undefined) throw new RpcError('client', `rpc: can't find method ${name}`)
    return entry.handler(arg, { caller: this.self, local: true, signal })
  }

  private authorize (method: Method<unknown, unknown>, caller: string): void {
    const allowed = method.policy === 'open' ||
      (method.policy === 'trusted' && (this.init.isTrusted?.(caller) ?? true))
    if (!allowed) {
      const [service, name] = method.name.split('.')
      throw new RpcError('authorization', `client does not have permissions to call ${service ?? ''}.${name ?? ''}`)
    }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: this.init.maxFrameBytes ?? 64 * 1024 * 1024 })
    const abort = new AbortController()
    // The caller gave up (timeout, reset, peer gone): stop the handler's work too.
    stream.addEventListener('close', () => { abort.abort() }, { once: true })
    const send = async (frame: AnswerFrame): Promise<void> => { await lp.write(encodeFrame(frame)) }
    try {
      const request = decodeFrame((await lp.read()).subarray())
      const entry = typeof request.m === 'string' ? this.methods.get(request.m) : undefined
      if (entry === undefined) throw new RpcError('client', `rpc: can't find method ${String(request.m)}`)
      this.authorize(entry.method, connection.remotePeer.toString())
      let arg: unknown
      try {
        arg = entry.method.arg.decode(request.a, 'arg')
      } catch (err) {
        throw new RpcError('client', `bad argument for ${entry.method.name}: ${(err as Error).message}`)
      }
      const ctx: CallContext = { caller: connection.remotePeer.toString(), local: false, signal: abort.signal }
      if (entry.method.stream) {
        for await (const item of entry.handler(arg, ctx) as AsyncIterable<unknown>) {
          await send({ v: entry.method.result.encode(item) })
        }
      } else {
        await send({ v: entry.method.result.encode(await (entry.handler(arg, ctx) as Promise<unknown>)) })
      }
      await send({ end: true })
    } catch (err) {
      const e = err instanceof RpcError ? err : new RpcError('server', (err as Error).message)
      await send({ e: e.message, t: e.type }).catch(() => {})
    } finally {
      abort.abort()
      await stream.close().catch(() => { stream.abort(new Error('rpc stream close failed')) })
    }
  }
}

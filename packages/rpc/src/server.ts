import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { RpcError } from './errors.ts'
import { batched } from './batched.ts'
import { startSpan } from '@cluster/observability/trace'
import { decodeFrame, encodeFrame, type AnswerFrame } from './frames.ts'
import type { Method, Policy, StreamMethod, UnaryMethod } from './method.ts'

/** Our own protocol id: the wire format is not Go's gorpc, so Go and TS peers never mix. */
export const RPC_PROTOCOL = '/ipfscluster-ts/1.0/rpc'

export interface CallContext {
  /** The calling peer (this peer for local calls). */
  caller: string
  local: boolean
  signal: AbortSignal
}

type Handler = (arg: unknown, ctx: CallContext) => Promise<unknown> | AsyncIterable<unknown>

type Lp = ReturnType<typeof lpStream>

interface Registered { method: Method<unknown, unknown>, handler: Handler }

export interface RpcServerInit {
  /** This peer's ID: calls to it are dispatched in-process without a policy check. */
  self: string
  /** Whether a remote peer is trusted (with Raft consensus: every peer). Default: everyone. */
  isTrusted?: (peer: string) => boolean
  /** Largest accepted frame. Default 64 MiB. */
  maxFrameBytes?: number
  /** Methods closed to every remote caller, whatever their policy (Go's `rpc_policy` set to closed). */
  closed?: ReadonlySet<string>
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

  /**
   * Runs a method for a remote caller that arrived over another wire (Go's gorpc protocol): the
   * method's policy applies as for our own protocol. Throws RpcError `client` for an unknown
   * method, `authorization` when the caller may not call it.
   */
  dispatchRemote (name: string, arg: unknown, caller: string, signal: AbortSignal): Promise<unknown> | AsyncIterable<unknown> {
    return this.registered(name, caller).handler(arg, { caller, local: false, signal })
  }

  private registered (name: string, caller: string): Registered {
    const entry = this.methods.get(name)
    if (entry === undefined) throw new RpcError('client', `rpc: can't find method ${name}`)
    this.authorize(entry.method, caller)
    return entry
  }

  private authorize (method: Method<unknown, unknown>, caller: string): void {
    this.checkPolicy(method.policy, method.name, caller)
  }

  /**
   * Throws RpcError `authorization` unless a remote caller may call a method `name` with this
   * policy (for methods served over another wire, e.g. Go's gorpc).
   */
  checkPolicy (policy: Policy, name: string, caller: string): void {
    const allowed = this.init.closed?.has(name) !== true && (policy === 'open' || (policy === 'trusted' && (this.init.isTrusted?.(caller) ?? true)))
    if (!allowed) {
      const [service, method] = name.split('.')
      throw new RpcError('authorization', `client does not have permissions to call ${service ?? ''}.${method ?? ''}`)
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
      // The caller's span, when it sent one (frames.ts), is this span's parent.
      const span = startSpan(`rpc.server ${entry.method.name}`, {
        kind: 'server',
        attributes: { 'rpc.system': 'ipfs-cluster', 'rpc.method': entry.method.name, 'cluster.peer.caller': ctx.caller },
        ...(typeof request.tp === 'string' ? { traceparent: request.tp } : {})
      })
      try {
        await span.run(async () => { await this.answer(entry, arg, ctx, request, lp, send, abort.signal) })
      } catch (err) {
        span.end(err)
        throw err
      }
      span.end()
      await send({ end: true })
    } catch (err) {
      const e = err instanceof RpcError ? err : new RpcError('server', (err as Error).message)
      await send({ e: e.message, t: e.type }).catch(() => {})
    } finally {
      abort.abort()
      await stream.close().catch(() => { stream.abort(new Error('rpc stream close failed')) })
    }
  }

  /** Runs the handler and sends its answer frames (not the final one). */
  private async answer (entry: Registered, arg: unknown, ctx: CallContext, request: Record<string, unknown>, lp: Lp, send: (frame: AnswerFrame) => Promise<void>, signal: AbortSignal): Promise<void> {
    if (entry.method.stream) {
      const window = typeof request.w === 'number' && request.w > 0 ? request.w : undefined
      let unacked = 0
      // With a window (frames.ts): wait for the caller's credits before going past it.
      const sendCredited = async (frame: AnswerFrame): Promise<number> => {
        const bytes = encodeFrame(frame)
        while (window !== undefined && unacked > 0 && unacked + bytes.byteLength > window) {
          const credit = decodeFrame((await lp.read({ signal })).subarray())
          if (typeof credit.c === 'number') unacked -= credit.c
        }
        unacked += bytes.byteLength
        await lp.write(bytes)
        return bytes.byteLength
      }
      let perFrame = FIRST_ITEMS_PER_FRAME
      for await (const group of batched(entry.handler(arg, ctx) as AsyncIterable<unknown>, { maxItems: () => perFrame })) {
        const bytes = await sendCredited({ vs: group.map(item => entry.method.result.encode(item)) })
        perFrame = itemsPerFrame(group.length, bytes, perFrame)
      }
    } else {
      await send({ v: entry.method.result.encode(await (entry.handler(arg, ctx) as Promise<unknown>)) })
    }
  }
}

/** Items of a stream per batch frame at most, and in its first frame (which finds the size out). */
const MAX_ITEMS_PER_FRAME = 256
const FIRST_ITEMS_PER_FRAME = 64
/**
 * Size a batch frame aims at. A string or buffer of 128 KiB or more is allocated apart by V8 (its
 * large-object space): a status frame of 256 items (~150 KiB) cost 5× per item to write and again
 * to read as one of 40 KiB. Below one Noise message (64 KiB), too.
 */
const FRAME_TARGET_BYTES = 48 * 1024

/** The item count for the next frame, from the last one's size (halved or more when too big, doubled when a full one was small). */
export function itemsPerFrame (items: number, bytes: number, current: number): number {
  if (bytes > FRAME_TARGET_BYTES) return Math.max(1, Math.min(current, Math.floor(items * FRAME_TARGET_BYTES / bytes)))
  if (items >= current && bytes * 2 < FRAME_TARGET_BYTES) return Math.min(MAX_ITEMS_PER_FRAME, current * 2)
  return current
}

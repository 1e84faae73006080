import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { startSpan } from '@cluster/observability/trace'
import { RpcError, type RpcErrorType } from './errors.ts'
import { decodeFrame, encodeFrame } from './frames.ts'
import type { StreamMethod, UnaryMethod } from './method.ts'
import { RPC_PROTOCOL, type RpcServer } from './server.ts'

export interface CallOptions {
  signal?: AbortSignal
  /** Whole-call budget. Default 60 s. */
  timeoutMs?: number
  /**
   * Streams only: instead of a whole-call budget, each wait for the peer (dial, next frame) is
   * bounded by this; the time the consumer takes between items does not count.
   */
  idleTimeoutMs?: number
}

/**
 * Bytes of stream frames a server may send ahead of what the consumer took (frames.ts): well
 * under the 4 MiB a libp2p stream buffers, and thousands of status items per round trip.
 */
export const STREAM_WINDOW_BYTES = 1024 * 1024

/** One finished call to another peer (calls to this peer are not observed). */
export interface RpcCallSample {
  method: string
  /** `ok`, or the RpcError type of the failure (a stream cut short by its consumer is `ok`). */
  outcome: 'ok' | RpcErrorType
  /** From the call to its answer (streams: to their last item). */
  seconds: number
}

/**
 * Another RPC wire some peers speak instead of ours (Go IPFS Cluster's, in a mixed cluster). A
 * peer is reached over it when its identify record lists `protocol` and not ours.
 */
export interface AlternateWire {
  readonly protocol: string
  /**
   * Runs one of our methods over this wire: yields its result (unary) or items (stream), or
   * returns undefined when the wire has no counterpart of the method. `waitSignal` bounds each
   * wait (the dial, each answer).
   */
  call: (peer: string, method: string, arg: unknown, waitSignal: () => AbortSignal) => AsyncIterable<unknown> | undefined
}

export interface RpcClientOptions {
  /** Told of every finished remote call (latency metrics). */
  onCall?: (sample: RpcCallSample) => void
  /** For peers that do not speak our protocol. */
  alternate?: AlternateWire
}

/**
 * Calls methods on any peer; calls to this peer go straight to the local server. Each remote
 * call is a client span whose `traceparent` travels in the request (frames.ts).
 */
export class RpcClient {
  private readonly node: Libp2p
  private readonly local: RpcServer
  private readonly onCall: RpcClientOptions['onCall']
  private readonly alternate: AlternateWire | undefined
  /** Peers known to speak only the alternate wire (from their identify records). */
  private readonly alternatePeers = new Set<string>()
  /** Peers known to speak ours. */
  private readonly ourPeers = new Set<string>()

  constructor (node: Libp2p, local: RpcServer, options: RpcClientOptions = {}) {
    this.node = node
    this.local = local
    this.onCall = options.onCall
    this.alternate = options.alternate
  }

  /** Whether `peer` is this peer (its calls run in-process, with nothing encoded). */
  isSelf (peer: string): boolean {
    return peer === this.local.self
  }

  async call<A, R> (peer: string, method: UnaryMethod<A, R>, arg: A, opts: CallOptions = {}): Promise<R> {
    const signal = budget(opts)
    if (peer === this.local.self) return await (this.local.dispatchLocal(method.name, arg, signal) as Promise<R>)
    let result: R | undefined
    let got = false
    for await (const value of this.observed(peer, method, arg, signal)) {
      result = value
      got = true
    }
    if (!got) throw new RpcError('client', `${method.name}: empty answer`)
    return result as R
  }

  stream<A, R> (peer: string, method: StreamMethod<A, R>, arg: A, opts: CallOptions = {}): AsyncIterable<R> {
    const idle = opts.idleTimeoutMs
    const signal = idle === undefined ? budget(opts) : (opts.signal ?? new AbortController().signal)
    if (peer === this.local.self) return this.local.dispatchLocal(method.name, arg, signal) as AsyncIterable<R>
    return this.observed(peer, method, arg, signal, idle)
  }

  /** The same unary call on several peers at once; each result or error by peer. */
  async callMany<A, R> (peers: readonly string[], method: UnaryMethod<A, R>, arg: A, opts: CallOptions = {}): Promise<Map<string, R | RpcError>> {
    const settled = await Promise.all(peers.map(async (peer): Promise<[string, R | RpcError]> => {
      try {
        return [peer, await this.call(peer, method, arg, opts)]
      } catch (err) {
        return [peer, err instanceof RpcError ? err : new RpcError('server', (err as Error).message)]
      }
    }))
    return new Map<string, R | RpcError>(settled)
  }

  /** A remote call inside its span, timed for `onCall`. */
  private async * observed<A, R> (peer: string, method: UnaryMethod<A, R> | StreamMethod<A, R>, arg: A, whole: AbortSignal, idleMs?: number): AsyncGenerator<R> {
    const started = performance.now()
    const span = startSpan(`rpc.client ${method.name}`, {
      kind: 'client',
      attributes: { 'rpc.system': 'ipfs-cluster', 'rpc.method': method.name, 'cluster.peer.callee': peer }
    })
    let outcome: RpcCallSample['outcome'] = 'ok'
    try {
      yield * this.remote(peer, method, arg, whole, idleMs, span.traceparent())
    } catch (err) {
      outcome = err instanceof RpcError ? err.type : 'server'
      span.end(err)
      throw err
    } finally {
      span.end()
      this.onCall?.({ method: method.name, outcome, seconds: (performance.now() - started) / 1000 })
    }
  }

  /** Whether a peer speaks only the alternate wire, as far as its identify record says. */
  private async speaksAlternateOnly (peer: string): Promise<boolean> {
    if (this.alternate === undefined || this.ourPeers.has(peer)) return false
    if (this.alternatePeers.has(peer)) return true
    const protocols = (await this.node.peerStore.get(peerIdFromString(peer)).catch(() => undefined))?.protocols ?? []
    if (protocols.includes(RPC_PROTOCOL)) this.ourPeers.add(peer)
    else if (protocols.includes(this.alternate.protocol)) this.alternatePeers.add(peer)
    return this.alternatePeers.has(peer)
  }

  private async * overAlternate<R> (wire: AlternateWire, peer: string, method: UnaryMethod<unknown, R> | StreamMethod<unknown, R>, arg: unknown, waitSignal: () => AbortSignal): AsyncGenerator<R> {
    const run = wire.call(peer, method.name, arg, waitSignal)
    if (run === undefined) throw new RpcError('client', `${method.name}: ${peer} speaks ${wire.protocol}, which has no such method`)
    try {
      yield * run as AsyncIterable<R>
    } catch (err) {
      // It may have restarted as another implementation: ask its identify record again next time.
      if (err instanceof RpcError && err.type === 'transport') this.alternatePeers.delete(peer)
      throw err
    }
  }

  private async * remote<A, R> (peer: string, method: UnaryMethod<A, R> | StreamMethod<A, R>, arg: A, whole: AbortSignal, idleMs?: number, traceparent?: string): AsyncGenerator<R> {
    const waitSignal = (): AbortSignal => idleMs === undefined ? whole : AbortSignal.any([whole, AbortSignal.timeout(idleMs)])
    const alternate = this.alternate
    if (alternate !== undefined && await this.speaksAlternateOnly(peer)) {
      yield * this.overAlternate(alternate, peer, method as UnaryMethod<unknown, R>, arg, waitSignal)
      return
    }
    try {
      yield * this.ours(peer, method, arg, waitSignal, traceparent)
    } catch (err) {
      // Refused before identify told us what it speaks (a join's first call): try the other wire.
      // A refusal comes from the protocol negotiation, so nothing was answered yet.
      if (alternate === undefined || !refusedProtocol(err)) throw err
      this.ourPeers.delete(peer)
      this.alternatePeers.add(peer)
      yield * this.overAlternate(alternate, peer, method as UnaryMethod<unknown, R>, arg, waitSignal)
    }
  }

  private async * ours<A, R> (peer: string, method: UnaryMethod<A, R> | StreamMethod<A, R>, arg: A, waitSignal: () => AbortSignal, traceparent?: string): AsyncGenerator<R> {
    let signal = waitSignal()
    let stream
    try {
      // The request goes out with the protocol name (no round trip for the negotiation first).
      stream = await this.node.dialProtocol(peerIdFromString(peer), RPC_PROTOCOL, { signal, negotiateFully: false })
    } catch (err) {
      throw new RpcError('transport', `${method.name} to ${peer}: ${(err as Error).message}`, { cause: err })
    }
    const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024 })
    try {
      const windowed = method.stream
      await lp.write(encodeFrame({ m: method.name, a: method.arg.encode(arg), ...(windowed ? { w: STREAM_WINDOW_BYTES } : {}), ...(traceparent === undefined ? {} : { tp: traceparent }) }), { signal })
      while (true) {
        let frame: Record<string, unknown>
        let frameBytes = 0
        try {
          signal = waitSignal()
          const bytes = (await lp.read({ signal })).subarray()
          frameBytes = bytes.byteLength
          frame = decodeFrame(bytes)
        } catch (err) {
          if (err instanceof TypeError || err instanceof SyntaxError) throw new RpcError('client', `${method.name}: undecodable answer from ${peer}`)
          throw new RpcError('transport', `${method.name} to ${peer}: ${(err as Error).message}`, { cause: err })
        }
        if ('v' in frame || Array.isArray(frame.vs)) {
          const values = 'v' in frame ? [frame.v] : frame.vs as unknown[]
          for (const v of values) {
            let decoded: R
            try {
              decoded = method.result.decode(v, 'result')
            } catch (err) {
              throw new RpcError('client', `${method.name}: bad answer from ${peer}: ${(err as Error).message}`)
            }
            yield decoded
          }
          // The consumer took this batch: the server may send that much more (frames.ts).
          if (windowed && 'vs' in frame) await lp.write(encodeFrame({ c: frameBytes }), { signal }).catch(() => {})
        } else if (frame.end === true) {
          return
        } else if (typeof frame.e === 'string') {
          throw new RpcError(isErrorType(frame.t) ? frame.t : 'server', frame.e)
        } else {
          throw new RpcError('client', `${method.name}: unexpected frame from ${peer}`)
        }
      }
    } finally {
      stream.abort(new Error('rpc call finished'))
    }
  }
}

/** Whether a call failed because the peer does not speak our protocol (multistream-select said so). */
function refusedProtocol (err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e.name === 'UnsupportedProtocolError' || e.message.includes('could not negotiate')) return true
  }
  return false
}

function budget (opts: CallOptions): AbortSignal {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 60_000)
  return opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout])
}

function isErrorType (t: unknown): t is RpcErrorType {
  return t === 'server' || t === 'client' || t === 'authorization' || t === 'transport'
}

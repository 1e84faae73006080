import type { Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { RpcError, type RpcErrorType } from '@cluster/rpc'
import { GO_RPC_PROTOCOL, chunks, encodeGoCall, readResponseHeader, type GoMethod } from './wire.ts'
import { encodeGoValue } from './types.ts'
import { decodeGoStream } from './ugorji.ts'

const ERROR_TYPES: Record<number, RpcErrorType> = { 0: 'server', 1: 'server', 2: 'client', 3: 'authorization' }

/**
 * Calls a method of a Go peer over `/ipfscluster/1.0/rpc`, as go-libp2p-gorpc's client does:
 * the service ID and the argument (every argument, for a streaming method, then the write side is
 * closed), then a header and a value per answer. Yields the one result of a unary method, or each
 * item of a streaming one. Errors are RpcErrors: the Go error type when the peer sent one,
 * `transport` when the stream failed. `waitSignal` bounds each wait (dial, each answer).
 */
export async function * callGo<A, R> (node: Libp2p, peer: string, method: GoMethod<A, R>, args: readonly A[], waitSignal: () => AbortSignal): AsyncGenerator<R> {
  let stream: Stream
  try {
    stream = await node.dialProtocol(peerIdFromString(peer), GO_RPC_PROTOCOL, { signal: waitSignal() })
  } catch (err) {
    throw new RpcError('transport', `${method.name} to ${peer}: ${(err as Error).message}`, { cause: err })
  }
  const values = decodeGoStream(chunks(stream))[Symbol.asyncIterator]()
  const next = async (): Promise<IteratorResult<unknown>> => {
    const signal = waitSignal()
    let onAbort: (() => void) | undefined
    try {
      return await Promise.race([
        values.next(),
        new Promise<never>((_resolve, reject) => {
          onAbort = () => { reject(signal.reason) }
          if (signal.aborted) onAbort()
          else signal.addEventListener('abort', onAbort, { once: true })
        })
      ])
    } catch (err) {
      if (err instanceof RpcError) throw err
      throw new RpcError('transport', `${method.name} to ${peer}: ${(err as Error).message}`, { cause: err })
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
    }
  }
  try {
    const head = encodeGoCall(method.name, method.stream ? undefined : encodeGoValue(method.arg, args[0] as A))
    await write(stream, head)
    if (method.stream) {
      for (const arg of args) await write(stream, encodeGoValue(method.arg, arg))
      await stream.close({ signal: waitSignal() })
    }
    while (true) {
      const header = await next()
      if (header.done === true) {
        if (method.stream) return
        throw new RpcError('transport', `${method.name} to ${peer}: stream ended without an answer`)
      }
      const { error, errType } = readResponseHeader(header.value)
      if (error !== '') throw new RpcError(ERROR_TYPES[errType] ?? 'server', error)
      const value = await next()
      if (value.done === true) throw new RpcError('transport', `${method.name} to ${peer}: stream ended inside an answer`)
      let decoded: R
      try {
        decoded = method.result.read(value.value)
      } catch (err) {
        throw new RpcError('client', `${method.name}: bad answer from ${peer}: ${(err as Error).message}`)
      }
      yield decoded
      if (!method.stream) return
    }
  } catch (err) {
    if (err instanceof RpcError) throw err
    throw new RpcError('transport', `${method.name} to ${peer}: ${(err as Error).message}`, { cause: err })
  } finally {
    stream.abort(new Error('gorpc call finished'))
    await values.return?.(undefined).catch(() => {})
  }
}

async function write (stream: Stream, bytes: Uint8Array): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain()
}

/**
 * Snapshot files between peers over libp2p (`/cluster-ts/raft-snapshot/1.0.0`), with memory
 * bounded on both sides: the reader asks for windows of bytes and the server sends no more than
 * asked. (Yamux grants its window as data arrives, not as it is consumed, so a reader that writes
 * to disk more slowly than the network delivers would otherwise buffer without limit.)
 *
 *   reader → {name}                 server → {size} | {error}
 *   reader → {offset, length} …     server → data frames totalling exactly that window
 */
import { open } from 'node:fs/promises'
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { SnapshotFileResolver } from './transport.ts'
import { SnapshotTransferError } from './transport-errors.ts'

export const RAFT_SNAPSHOT_PROTOCOL = '/cluster-ts/raft-snapshot/1.0.0'
const CHUNK = 256 * 1024
/** Bytes asked for at a time; two windows are outstanding, so ≤ 2 MiB is ever in flight. */
const WINDOW = 1024 * 1024
const encoder = new TextEncoder()
const decoder = new TextDecoder()

function json (value: unknown): Uint8Array { return encoder.encode(JSON.stringify(value)) }

/** Reads `name` from the server at the other end of `stream`, from `offset`, window by window. */
export async function * readSnapshotFile (stream: Stream, name: string, offset: number, idleMs: number): AsyncGenerator<Uint8Array> {
  const lp = lpStream(stream, { maxDataLength: CHUNK + 1024, maxBufferSize: 2 * WINDOW + 64 * 1024 })
  const idle = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(idleMs) })
  try {
    await lp.write(json({ name }), idle())
    const head = JSON.parse(decoder.decode((await lp.read(idle())).subarray())) as { size?: number, error?: string }
    if (typeof head.size !== 'number') throw new SnapshotTransferError(`snapshot ${name}: ${head.error ?? 'refused'}`)
    const size = head.size
    if (offset > size) throw new SnapshotTransferError(`snapshot ${name}: offset ${offset} beyond its ${size} bytes`)
    let asked = offset
    const ask = async (): Promise<void> => {
      if (asked >= size) return
      const length = Math.min(WINDOW, size - asked)
      await lp.write(json({ offset: asked, length }), idle())
      asked += length
    }
    await ask()
    await ask()
    let received = offset
    let windowEnd = Math.min(offset + WINDOW, size)
    while (received < size) {
      const chunk = (await lp.read(idle())).subarray()
      received += chunk.byteLength
      if (received > asked) throw new SnapshotTransferError(`snapshot ${name}: more bytes than asked for`)
      yield chunk
      // A window is complete: ask for the next one.
      if (received >= windowEnd) {
        windowEnd = Math.min(windowEnd + WINDOW, size)
        await ask()
      }
    }
    await stream.close().catch(() => {})
  } catch (err) {
    stream.abort(err as Error)
    if (err instanceof SnapshotTransferError) throw err
    throw new SnapshotTransferError(`snapshot ${name}: ${(err as Error).message}`, { cause: err })
  }
}

/** Serves the windows a reader asks for, from the file `resolve` names, until it closes. */
export async function serveSnapshotFile (stream: Stream, resolve: SnapshotFileResolver | undefined, idleMs: number): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: 4096 })
  const idle = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(idleMs) })
  let file: Awaited<ReturnType<typeof open>> | undefined
  try {
    const req = JSON.parse(decoder.decode((await lp.read(idle())).subarray())) as { name?: unknown }
    const path = typeof req.name === 'string' ? resolve?.(req.name) : undefined
    file = path === undefined ? undefined : await open(path, 'r').catch(() => undefined)
    if (file === undefined) {
      await lp.write(json({ error: 'no such snapshot here' }))
      await stream.close()
      return
    }
    const { size } = await file.stat()
    await lp.write(json({ size }))
    const buffer = Buffer.allocUnsafe(CHUNK)
    while (true) {
      let window: { offset?: unknown, length?: unknown }
      try {
        window = JSON.parse(decoder.decode((await lp.read(idle())).subarray())) as typeof window
      } catch {
        break // the reader closed (done, or gave up)
      }
      const { offset, length } = window
      if (typeof offset !== 'number' || typeof length !== 'number' || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) ||
          offset < 0 || length <= 0 || length > WINDOW || offset + length > size) throw new SnapshotTransferError('bad window request')
      for (let at = offset; at < offset + length;) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK, offset + length - at), at)
        if (bytesRead === 0) throw new SnapshotTransferError('snapshot file shorter than announced')
        await lp.write(buffer.subarray(0, bytesRead), idle())
        at += bytesRead
      }
    }
    await stream.close().catch(() => {})
  } catch (err) {
    stream.abort(err as Error)
  } finally {
    await file?.close()
  }
}

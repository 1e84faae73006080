/**
 * The reverse proxy for a plain-HTTP Kubo (proxy.md §4): the request goes out on a kept-alive
 * connection (kubo-connections.ts) with hop-by-hop headers removed and `X-Forwarded-For` added;
 * Kubo's answer is read into pooled buffers and its body handed to the client's response as
 * slices of those buffers (gathered into one buffer when Kubo's chunks split a read) — only the
 * head and the chunk-size lines are parsed (http-framing.ts). Both connections stay alive across
 * calls (a new TCP connection to Kubo costs ~2 ms here). HTTPS Kubos use reverse-proxy.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { messageOf } from './errors.ts'
import { sendError } from './respond.ts'
import { forwardHeaders, responseHeaders } from './reverse-proxy.ts'
import { FramingError, MAX_RESPONSE_HEAD_BYTES, bodyDecoderFor, fieldTokens, headEnd, parseResponseHead, type BodyDecoder } from './http-framing.ts'
import type { KuboConnection, KuboConnections } from './kubo-connections.ts'

/**
 * A call with a body cannot be retried once the body is read, so it reuses only a connection
 * that was busy this recently (Kubo, a Go net/http server, keeps idle connections open anyway).
 */
const BODY_REUSE_IDLE_MS = 2_000

/**
 * Coalescing of a large answer: Kubo writes 4 KiB chunks, and a proxy that keeps up with it wakes
 * for every few of them — each wake-up (read, parse, write to the client, which wakes too) costs
 * far more CPU than the bytes it moves, on cores Kubo needs. Once an answer has proved large,
 * a read under 32 KiB pauses the connection for a millisecond so the next read takes what Kubo
 * wrote meanwhile. Measured on 2 cores (block/get of 1 MiB blocks, cat of 100 MiB): about half
 * the proxy's CPU, ~0.77 → ~0.9 of direct throughput for block/get (thresholds of 8–64 KiB were
 * within the run-to-run noise). Answers under 64 KiB never wait.
 */
const COALESCE_AFTER_BYTES = 64 * 1024
const COALESCE_BELOW_BYTES = 32 * 1024
const COALESCE_DELAY_MS = 1

function headText (first: string, headers: Record<string, string | string[]>): string {
  let text = first + '\r\n'
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) text += `${name}: ${v}\r\n`
  }
  return text + '\r\n'
}

/** The request head for Kubo; the body keeps the framing the client used. */
function requestHead (req: IncomingMessage): { head: string, chunked: boolean } {
  const headers = forwardHeaders(req) as Record<string, string | string[]>
  // node:http already answered `Expect: 100-continue`; Kubo must not send a second 100.
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'expect') delete headers[name]
  const chunked = req.headers['content-length'] === undefined && /\bchunked\b/i.test(req.headers['transfer-encoding'] ?? '')
  if (chunked) headers['Transfer-Encoding'] = 'chunked'
  return { head: headText(`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`, headers), chunked }
}

function hasBody (req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return length !== undefined ? length.trim() !== '0' : req.headers['transfer-encoding'] !== undefined
}

/** Streams the client's request body to Kubo, re-framed as it came; `sent` once it all went. */
function sendBody (req: IncomingMessage, conn: KuboConnection, chunked: boolean, sent: () => void): () => void {
  const socket = conn.socket
  const onData = (chunk: Buffer): void => {
    const ok = chunked ? socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n') : socket.write(chunk)
    if (!ok) {
      req.pause()
      socket.once('drain', () => req.resume())
    }
  }
  const onEnd = (): void => {
    if (chunked) socket.write('0\r\n\r\n')
    sent()
  }
  req.on('data', onData)
  req.once('end', onEnd)
  return () => {
    req.off('data', onData)
    req.off('end', onEnd)
    req.resume()
  }
}

/**
 * Forwards one request to Kubo and relays the answer. `res.statusCode` is Kubo's status (for
 * the access log). Never throws: Kubo unreachable or answering garbage → 502 with a Kubo error.
 */
export function relay (req: IncomingMessage, res: ServerResponse, kubo: KuboConnections, baseUrl: string): void {
  const method = req.method ?? 'GET'
  const target = `${method} ${baseUrl}${req.url ?? '/'}`
  const withBody = hasBody(req)
  const buffers = kubo.buffers
  let done = false
  let current: KuboConnection | undefined

  const fail = (err: unknown): void => {
    if (done) return
    done = true
    current?.destroy()
    if (res.headersSent) { res.destroy(); return }
    req.resume()
    sendError(res, 502, `${target}: ${messageOf(err)}`)
  }
  res.once('close', () => {
    if (done) return
    done = true
    current?.destroy()
  })

  const exchange = (conn: KuboConnection, retried: boolean): void => {
    if (done) { kubo.release(conn); return }
    current = conn
    let pending: Buffer | undefined
    let decoder: BodyDecoder | undefined
    let keepAlive = true
    let bodySent = !withBody
    let received = false
    let relayedBytes = 0
    const { head, chunked } = requestHead(req)
    conn.socket.write(head)
    const stopBody = withBody ? sendBody(req, conn, chunked, () => { bodySent = true }) : () => {}

    const finish = (reusable: boolean): void => {
      done = true
      stopBody()
      const trailers = decoder?.trailers ?? []
      if (trailers.length > 0) res.addTrailers(trailers)
      res.end()
      conn.handler = undefined
      if (reusable && keepAlive && bodySent) kubo.release(conn)
      else conn.destroy()
    }

    /** Reads the head; returns the body bytes after it, or undefined while it is incomplete. */
    const readHead = (chunk: Buffer): Buffer | undefined => {
      pending = pending === undefined ? chunk : Buffer.concat([pending, chunk])
      for (;;) {
        const end = headEnd(pending)
        if ((end < 0 ? pending.length : end) > MAX_RESPONSE_HEAD_BYTES) throw new FramingError('response head from IPFS is too large')
        if (end < 0) return undefined
        const parsed = parseResponseHead(pending.toString('latin1', 0, end - 4))
        if (parsed === undefined) throw new FramingError('malformed response head from IPFS')
        if (parsed.status === 101) throw new FramingError('IPFS switched protocols; upgrades are not relayed')
        pending = pending.subarray(end)
        if (parsed.status < 200) continue // 100 Continue and other interim answers
        decoder = bodyDecoderFor(parsed, method)
        const connection = fieldTokens(parsed.fields, 'connection')
        keepAlive = parsed.http10 ? connection.has('keep-alive') : !connection.has('close')
        const chunkedBody = fieldTokens(parsed.fields, 'transfer-encoding').has('chunked')
        res.writeHead(parsed.status, parsed.statusText, responseHeaders(parsed.fields, chunkedBody))
        const rest = pending
        pending = undefined
        return rest
      }
    }

    /**
     * One write per read: Kubo sends 4 KiB chunks, and writing each as its own chunk costs more
     * (node:http's per-write work) than gathering them into one pooled buffer.
     */
    const writeSlices = (slices: Buffer[], readBuffer: Buffer): void => {
      let owner = readBuffer
      let data = slices[0] as Buffer
      if (slices.length === 1) buffers.hold(owner)
      else {
        const total = slices.reduce((sum, slice) => sum + slice.length, 0)
        owner = total <= buffers.size ? buffers.take() : Buffer.allocUnsafe(total)
        let length = 0
        for (const slice of slices) length += slice.copy(owner, length)
        data = owner.subarray(0, length)
      }
      res.write(data, () => { buffers.release(owner) })
    }

    conn.handler = {
      data: (buf, n) => {
        received = true
        if (done) return false
        try {
          let chunk: Buffer | undefined = buf.subarray(0, n)
          if (decoder === undefined) chunk = readHead(chunk)
          if (chunk === undefined || decoder === undefined) return true
          const slices: Buffer[] = []
          const at = decoder.push(chunk, data => { slices.push(data) })
          if (slices.length > 0) writeSlices(slices, buf)
          for (const slice of slices) relayedBytes += slice.length
          // true: a connection put back for reuse must go on reading (false would stop it).
          if (at >= 0) { finish(at === chunk.length); return true }
        } catch (err) {
          fail(err)
          return false
        }
        // Pause only when the kernel left data in user space: a large write always sets
        // need-drain, even when it went out at once.
        const socket = res.socket
        if (socket === null) {
          // A pipelined answer waits in memory for the ones before it: hold Kubo back meanwhile.
          if (!res.writableNeedDrain) return true
          res.once('drain', () => { if (!done) conn.socket.resume() })
          return false
        }
        if (!socket.writableNeedDrain || socket.writableLength === 0) {
          if (n >= COALESCE_BELOW_BYTES || relayedBytes < COALESCE_AFTER_BYTES) return true
          setTimeout(() => { if (!done) conn.socket.resume() }, COALESCE_DELAY_MS)
          return false
        }
        socket.once('drain', () => { if (!done) conn.socket.resume() })
        return false
      },
      closed: err => {
        if (done) return
        if (decoder?.untilClose === true && err === undefined) { finish(false); return }
        // An idle connection Kubo closed just as it was reused: try once more on a new one.
        if (conn.reused && !received && !withBody && !retried) {
          current = undefined
          kubo.acquire({ fresh: true }).then(c => { exchange(c, true) }, fail)
          return
        }
        fail(err ?? new Error(decoder === undefined ? 'IPFS closed the connection without answering' : 'IPFS closed the connection mid-answer'))
      }
    }
  }

  kubo.acquire(withBody ? { maxIdleMs: BODY_REUSE_IDLE_MS } : {}).then(conn => { exchange(conn, false) }, fail)
}

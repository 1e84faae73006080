/** Raw HTTP helpers for API tests: requests that expose trailers, NDJSON, Go-style uploads, slow clients. */
import http, { type IncomingHttpHeaders } from 'node:http'
import net from 'node:net'
import { ndjsonLinesSync } from '@cluster/api'
import { goMultipart, type UploadItem } from './multipart.ts'

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
  trailers: NodeJS.Dict<string>
}

/** One HTTP request with node:http (trailers included); `body` may be a string, a Buffer or a stream of chunks. */
export async function request (url: string, init: { method?: string, headers?: Record<string, string>, body?: string | Buffer | AsyncIterable<Uint8Array> } = {}): Promise<Answer> {
  return await new Promise<Answer>((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'POST', headers: init.headers, signal: AbortSignal.timeout(60_000) }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), trailers: res.trailers })
      })
    })
    req.on('error', reject)
    const body = init.body
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body)
      return
    }
    void (async () => {
      for await (const chunk of body) {
        if (!req.write(chunk)) await new Promise(resolve => req.once('drain', resolve))
      }
      req.end()
    })().catch((err: Error) => req.destroy(err))
  })
}

/** Newline-delimited JSON values of a body. */
export function lines (body: string): unknown[] {
  return Array.from(ndjsonLinesSync([body], { maxLineBytes: Infinity }), l => JSON.parse(l.text) as unknown)
}

export interface UploadEntry {
  /** Path inside the upload (`photos/cat.jpg`). */
  name: string
  content: string | Uint8Array
  directory?: boolean
}

/** A Go-style upload (see goMultipart) of simple entries, as a Buffer; `withMeta` adds mode/mtime as Go's ctl does. */
export function multipart (entries: UploadEntry[], withMeta = false): { body: Buffer, contentType: string } {
  const items: UploadItem[] = entries.map(e => e.directory === true ? { type: 'dir', path: e.name } : { type: 'file', path: e.name, data: e.content })
  const { bytes, contentType } = goMultipart(items, { withMeta, boundary: `clustertest${Math.random().toString(16).slice(2)}` })
  return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), contentType }
}

/**
 * A client that sends `head` and then one more header byte every 200 ms, never finishing: how
 * long (ms) the server at `port` keeps the connection, at most `capMs`.
 */
export async function slowHeaderClientLifetime (port: number, head: string, capMs: number): Promise<number> {
  const t0 = performance.now()
  return await new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    let ticker: NodeJS.Timeout | undefined
    const done = (): void => { clearInterval(ticker); clearTimeout(cap); socket.destroy(); resolve(performance.now() - t0) }
    const cap = setTimeout(done, capMs)
    socket.on('close', done)
    socket.on('error', done)
    socket.on('data', () => undefined)
    socket.on('connect', () => {
      socket.write(`${head}\r\nHost: 127.0.0.1\r\nX-Slow: `)
      ticker = setInterval(() => { socket.write('a') }, 200)
    })
  })
}

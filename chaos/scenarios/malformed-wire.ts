// Raw HTTP/1.1 over TCP for the malformed-input scenario: what a client library would refuse to
// send (broken framing, bad paths, half-sent headers) goes on the wire as written. Every
// exchange is bounded in time; the answer's status line and head are read, the rest dropped.
import net from 'node:net'

/** A request as raw bytes: the head as written, then an optional body source. */
export interface RawRequest {
  port: number
  head: string
  /** Bytes after the head: given, or `size` bytes produced in 64 KiB pieces (bounded memory). */
  body?: Buffer | { size: number, fill?: number }
  /** Half-close after sending (some malformed framings only fail once the client is done). */
  endAfter?: boolean
}

export interface RawAnswer {
  /** 0 when the server closed (or the exchange timed out) before a status line. */
  status: number
  /** The `Server` header (the proxy marks its own answers with it). */
  server: string
  /** The first bytes of the body, for classifying errors. */
  bodyStart: string
  ms: number
  /** Why no status: `closed`, `timeout`, `reset`, … */
  error?: string
}

const PIECE = Buffer.alloc(64 * 1024, 0x61)

/** Sends one raw request on a new connection; resolves with the head of the answer. */
export async function exchange (r: RawRequest, timeoutMs: number): Promise<RawAnswer> {
  const started = performance.now()
  return await new Promise<RawAnswer>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: r.port })
    let got = Buffer.alloc(0)
    let settled = false
    const finish = (status: number, error?: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const text = got.toString('latin1')
      const headEnd = text.indexOf('\r\n\r\n')
      const head = headEnd < 0 ? text : text.slice(0, headEnd)
      const server = /\r\nserver:\s*([^\r\n]*)/i.exec(head)?.[1] ?? ''
      const bodyStart = headEnd < 0 ? '' : text.slice(headEnd + 4, headEnd + 4 + 200)
      socket.destroy()
      resolve({ status, server, bodyStart, ms: performance.now() - started, ...(error === undefined ? {} : { error }) })
    }
    const timer = setTimeout(() => { finish(statusOf(got), 'timeout') }, timeoutMs)
    let grace: NodeJS.Timeout | undefined
    socket.on('data', (chunk: Buffer) => {
      if (got.length < 8192) got = Buffer.concat([got, chunk])
      const status = statusOf(got)
      // The head and the start of the body are enough (a 1xx is skipped); a body still on its
      // way gets a moment to arrive.
      if (status < 200 || got.indexOf('\r\n\r\n') < 0) return
      if (got.length - got.indexOf('\r\n\r\n') - 4 >= 200) finish(status)
      else grace ??= setTimeout(() => { finish(status) }, 100)
    })
    socket.on('close', () => { clearTimeout(grace) })
    socket.on('end', () => { finish(statusOf(got), statusOf(got) === 0 ? 'closed' : undefined) })
    socket.on('error', (err: NodeJS.ErrnoException) => { finish(statusOf(got), statusOf(got) === 0 ? (err.code ?? err.message) : undefined) })
    socket.on('connect', () => { void send(socket, r).catch(() => undefined) })
  })
}

async function send (socket: net.Socket, r: RawRequest): Promise<void> {
  const write = async (b: Buffer | string): Promise<boolean> => {
    if (socket.destroyed || !socket.writable) return false
    if (!socket.write(b)) {
      await new Promise<void>((resolve) => {
        const done = (): void => { socket.off('drain', done); socket.off('close', done); resolve() }
        socket.on('drain', done)
        socket.on('close', done)
      })
    }
    return !socket.destroyed
  }
  if (!await write(r.head)) return
  const body = r.body
  if (Buffer.isBuffer(body)) await write(body)
  else if (body !== undefined) {
    const piece = body.fill === undefined ? PIECE : Buffer.alloc(PIECE.length, body.fill)
    for (let left = body.size; left > 0; left -= piece.length) {
      if (!await write(left >= piece.length ? piece : piece.subarray(0, left))) return
    }
  }
  if (r.endAfter === true && !socket.destroyed) socket.end()
}

function statusOf (b: Buffer): number {
  // Skip interim answers (100 Continue) before the real one.
  let text = b.toString('latin1', 0, Math.min(b.length, 8192))
  while (/^HTTP\/1\.[01] 1\d\d /.test(text)) {
    const end = text.indexOf('\r\n\r\n')
    if (end < 0) return 0
    text = text.slice(end + 4)
  }
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text)
  return m === null ? 0 : Number(m[1])
}

/**
 * Slow headers (slowloris): each connection sends a request line, then one header byte every
 * `byteEveryMs`, never finishing the head. Resolves with how long the server let each one live
 * (capped at `capMs`, when the client gives up itself).
 */
export async function slowHeaders (port: number, connections: number, byteEveryMs: number, capMs: number): Promise<number[]> {
  return await Promise.all(Array.from({ length: connections }, async (_, i) => await new Promise<number>((resolve) => {
    const started = performance.now()
    const socket = net.connect({ host: '127.0.0.1', port })
    let ticker: NodeJS.Timeout | undefined
    const done = (): void => {
      clearInterval(ticker)
      clearTimeout(cap)
      socket.destroy()
      resolve(performance.now() - started)
    }
    const cap = setTimeout(done, capMs)
    socket.on('error', done)
    socket.on('close', done)
    socket.on('data', () => undefined)
    socket.on('connect', () => {
      socket.write(`GET /id?slow=${i} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `)
      ticker = setInterval(() => { if (!socket.destroyed) socket.write('a') }, byteEveryMs)
    })
  })))
}

/** Runs `tasks` with at most `concurrency` at a time, in order. */
export async function pool<T> (count: number, concurrency: number, task: (i: number) => Promise<T>, each: (r: T, i: number) => void): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++
      each(await task(i), i)
    }
  }))
}

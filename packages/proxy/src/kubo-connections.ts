/**
 * Keep-alive TCP connections to a plain-HTTP Kubo for the relay (relay.ts), reading into pooled
 * buffers. Why not node:http's Agent: the relay reads each socket itself (`onread`) into large
 * reused buffers, which is what makes a proxied `cat` cheap — measured on 2 cores, a socket-to-socket
 * copy with 256 KiB pooled buffers costs about a third of the CPU of `socket.pipe()` (64 KiB
 * fresh buffers per read, allocated and collected).
 */
import net from 'node:net'

/**
 * Read buffers handed to sockets: a buffer is reused once the read that filled it has been
 * handled and every write of its data has completed (a hold count per buffer).
 */
export class ReadBuffers {
  readonly size: number
  private readonly keep: number
  private readonly free: Buffer[] = []
  private readonly holds = new WeakMap<Buffer, number>()

  /** @param size bytes per buffer; @param keep how many free buffers are kept for reuse. */
  constructor (size = 256 * 1024, keep = 16) {
    this.size = size
    this.keep = keep
  }

  readonly take = (): Buffer => {
    const buf = this.free.pop() ?? Buffer.allocUnsafeSlow(this.size)
    this.holds.set(buf, 1)
    return buf
  }

  hold (buf: Buffer): void {
    const n = this.holds.get(buf)
    if (n !== undefined) this.holds.set(buf, n + 1)
  }

  release (buf: Buffer): void {
    const n = this.holds.get(buf)
    if (n === undefined) return
    if (n > 1) { this.holds.set(buf, n - 1); return }
    this.holds.delete(buf)
    if (this.free.length < this.keep) this.free.push(buf)
  }
}

/** What a connection in use reports to the exchange running on it. */
export interface ConnectionHandler {
  /** `n` bytes were read into `buf`; false pauses reading (resume with `socket.resume()`). */
  data: (buf: Buffer, n: number) => boolean
  /** Kubo ended or reset the connection (`err` for a reset or a failed connect). */
  closed: (err?: Error) => void
}

export class KuboConnection {
  handler: ConnectionHandler | undefined
  /** Served an exchange before: it may have been closed by Kubo while idle. */
  reused = false
  /** When it was last put back idle. */
  idleSince = 0
  readonly socket: net.Socket
  private ended = false

  constructor (socket: net.Socket) {
    this.socket = socket
    socket.on('error', err => { this.end(err) })
    socket.on('end', () => { this.end() })
    socket.on('close', () => { this.end() })
    // Armed only while idle (KuboConnections.release).
    socket.on('timeout', () => { this.destroy() })
  }

  /** Called from the socket's onread. */
  onRead (buf: Buffer, n: number): boolean {
    if (this.handler === undefined) { this.destroy(); return false }
    return this.handler.data(buf, n)
  }

  get alive (): boolean { return !this.ended && !this.socket.destroyed }

  destroy (): void {
    this.socket.destroy()
    this.end()
  }

  private end (err?: Error): void {
    if (this.ended) return
    this.ended = true
    const handler = this.handler
    this.handler = undefined
    handler?.closed(err)
  }
}

export interface KuboConnectionsOptions {
  /** Idle connections kept open. Default 8. */
  maxIdle?: number
  /** An idle connection is closed after this long. Default 30 s. */
  idleMs?: number
  buffers?: ReadBuffers
}

/** The connections of one Kubo: idle ones are reused, newest first. */
export class KuboConnections {
  readonly buffers: ReadBuffers
  private readonly idle: KuboConnection[] = []
  private readonly maxIdle: number
  private readonly idleMs: number
  private closed = false
  readonly host: string
  readonly port: number

  constructor (host: string, port: number, options: KuboConnectionsOptions = {}) {
    this.host = host
    this.port = port
    this.buffers = options.buffers ?? new ReadBuffers()
    this.maxIdle = options.maxIdle ?? 8
    this.idleMs = options.idleMs ?? 30_000
  }

  /**
   * An idle connection (idle for at most `maxIdleMs`, if given), or — with `fresh`, or none
   * suitable — a new one once connected.
   */
  async acquire (opts: { fresh?: boolean, maxIdleMs?: number } = {}): Promise<KuboConnection> {
    if (this.closed) throw new Error('the proxy is stopping')
    const since = opts.maxIdleMs === undefined ? -Infinity : Date.now() - opts.maxIdleMs
    while (opts.fresh !== true && this.idle.length > 0) {
      const newest = this.idle[this.idle.length - 1] as KuboConnection
      if (newest.alive && newest.idleSince < since) break // older ones stay for calls that can be retried
      const conn = this.idle.pop() as KuboConnection
      if (!conn.alive) continue
      conn.socket.setTimeout(0)
      conn.socket.ref()
      return conn
    }
    return await this.connect()
  }

  /** Puts a connection whose exchange ended cleanly back for reuse. */
  release (conn: KuboConnection): void {
    if (this.closed || !conn.alive || this.idle.length >= this.maxIdle) { conn.destroy(); return }
    conn.reused = true
    conn.idleSince = Date.now()
    conn.handler = {
      data: () => { conn.destroy(); return false }, // nothing is expected on an idle connection
      closed: () => { this.forget(conn) }
    }
    conn.socket.setTimeout(this.idleMs)
    conn.socket.unref()
    conn.socket.resume()
    this.idle.push(conn)
  }

  close (): void {
    this.closed = true
    for (const conn of this.idle.splice(0)) conn.destroy()
  }

  private forget (conn: KuboConnection): void {
    const at = this.idle.indexOf(conn)
    if (at >= 0) this.idle.splice(at, 1)
  }

  private async connect (): Promise<KuboConnection> {
    return await new Promise<KuboConnection>((resolve, reject) => {
      let conn: KuboConnection | undefined
      const socket = net.connect({
        host: this.host,
        port: this.port,
        onread: {
          buffer: this.buffers.take,
          callback: (n: number, buf: Uint8Array) => {
            const go = conn?.onRead(buf as Buffer, n) ?? false
            this.buffers.release(buf as Buffer)
            return go
          }
        }
      })
      conn = new KuboConnection(socket)
      socket.setNoDelay(true)
      conn.handler = { data: () => false, closed: err => { reject(err ?? new Error('connection closed')) } }
      socket.once('connect', () => {
        if (conn === undefined) return
        conn.handler = undefined
        resolve(conn)
      })
    })
  }
}

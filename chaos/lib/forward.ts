// A TCP relay from an address the network namespaces reach (the bridge) to a server of the
// harness on loopback (a Kubo stand-in), which namespaced daemons cannot reach directly.
import { connect, createServer, type Server, type Socket } from 'node:net'

export class TcpForward {
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private readonly host: string
  port = 0

  constructor (host: string, targetPort: number) {
    this.host = host
    this.server = createServer(client => {
      const upstream = connect(targetPort, '127.0.0.1')
      for (const s of [client, upstream]) {
        this.sockets.add(s)
        s.on('close', () => { this.sockets.delete(s) })
        s.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream).pipe(client)
    })
  }

  get multiaddr (): string { return `/ip4/${this.host}/tcp/${this.port}` }

  async start (): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(0, this.host, () => { resolve() })
    })
    this.port = (this.server.address() as { port: number }).port
  }

  async stop (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
  }
}

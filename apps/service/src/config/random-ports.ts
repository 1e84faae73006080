/**
 * `init --randomports` (config.md §7.2 step 6): every TCP and UDP port of the given
 * multiaddresses is replaced by a free port, found by binding port 0 on the address's IP.
 * All sockets stay open until every port is chosen, so the ports handed out are distinct.
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { isIPv6 } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import type { Component } from '@multiformats/multiaddr'
import { parseMultiaddr } from '@cluster/api'
import { ConfigError, messageOf } from './errors.ts'

const TCP = 6
const UDP = 273

type Closer = () => Promise<void>

function bindTcp (host: string): Promise<{ port: number, close: Closer }> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer()
    server.once('error', reject)
    server.listen({ host, port: 0, exclusive: true }, () => {
      const addr = server.address()
      if (addr === null || typeof addr === 'string') {
        server.close()
        reject(new Error('no TCP address'))
        return
      }
      resolve({ port: addr.port, close: () => new Promise((res) => { server.close(() => { res() }) }) })
    })
  })
}

function bindUdp (host: string): Promise<{ port: number, close: Closer }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4')
    socket.once('error', reject)
    socket.bind({ address: host, port: 0, exclusive: true }, () => {
      resolve({ port: socket.address().port, close: () => new Promise((res) => { socket.close(() => { res() }) }) })
    })
  })
}

/**
 * Returns the addresses with every `/tcp/<port>` and `/udp/<port>` replaced by a free port on
 * the IP (or host name) that precedes it. Ports are distinct across the whole call. Failure to
 * bind throws ConfigError (`randomizing ports: …`).
 */
export async function randomizePorts (addrs: readonly string[]): Promise<string[]> {
  const closers: Closer[] = []
  const taken = new Set<number>()
  const pick = async (code: number, host: string): Promise<number> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const bound = code === TCP ? await bindTcp(host) : await bindUdp(host)
      closers.push(bound.close)
      if (!taken.has(bound.port)) {
        taken.add(bound.port)
        return bound.port
      }
    }
    throw new Error(`no distinct free port found on ${host}`)
  }
  try {
    const out: string[] = []
    for (const text of addrs) {
      const components = multiaddr(parseMultiaddr(text)).getComponents()
      const result: Component[] = []
      let prev = ''
      for (const c of components) {
        if (c.code !== TCP && c.code !== UDP) {
          result.push(c)
          prev = c.value ?? ''
          continue
        }
        const port = await pick(c.code, prev)
        result.push({ code: c.code, name: c.name, value: String(port) })
        prev = c.value ?? ''
      }
      out.push(multiaddr(result).toString())
    }
    return out
  } catch (err) {
    throw new ConfigError(`randomizing ports: ${messageOf(err)}`, { cause: err })
  } finally {
    await Promise.all(closers.map(async (close) => { await close() }))
  }
}

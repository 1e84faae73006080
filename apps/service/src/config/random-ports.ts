/**
 * `init --randomports` (config.md §7.2 step 6): every TCP and UDP port of the given
 * multiaddresses is replaced by a free port on the address's IP. All sockets stay open until
 * every port is chosen, so the ports handed out are distinct.
 *
 * Ports are drawn below the system's ephemeral range when there is room (Go binds port 0, which
 * lands inside it): between `init` and `daemon` the kernel may hand an ephemeral port to any
 * outgoing connection or port-0 listener, and the daemon would then fail with EADDRINUSE.
 */
import { readFileSync } from 'node:fs'
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

/** Lowest port drawn from; the draw is from [PORT_FLOOR, start of the ephemeral range). */
const PORT_FLOOR = 10_000
/** Draws below the ephemeral range before falling back to port 0. */
const DRAWS = 50

/** Linux's `ip_local_port_range`, else IANA's dynamic range. */
function ephemeralRange (): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (Number.isInteger(low) && Number.isInteger(high)) return [low as number, high as number]
  } catch {}
  return [49152, 65535]
}

function bindTcp (host: string, port = 0): Promise<{ port: number, close: Closer }> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer()
    server.once('error', reject)
    server.listen({ host, port, exclusive: true }, () => {
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

function bindUdp (host: string, port = 0): Promise<{ port: number, close: Closer }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4')
    socket.once('error', reject)
    socket.bind({ address: host, port, exclusive: true }, () => {
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
  const [ephemeralLow] = ephemeralRange()
  const span = ephemeralLow - PORT_FLOOR
  const bind = (code: number, host: string, port?: number): Promise<{ port: number, close: Closer }> =>
    code === TCP ? bindTcp(host, port) : bindUdp(host, port)
  const pick = async (code: number, host: string): Promise<number> => {
    for (let draw = 0; span >= 1_000 && draw < DRAWS; draw++) {
      const port = PORT_FLOOR + Math.floor(Math.random() * span)
      if (taken.has(port)) continue
      const bound = await bind(code, host, port).catch(() => undefined)
      if (bound === undefined) continue
      closers.push(bound.close)
      taken.add(port)
      return port
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const bound = await bind(code, host)
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

/**
 * Listen multiaddrs of the HTTP APIs (`http_listen_multiaddress`, `listen_multiaddress`) → Node
 * listen options, and bound addresses back. Shared by the REST API and the IPFS proxy.
 */
import { lstat, unlink } from 'node:fs/promises'
import { connect, isIP } from 'node:net'
import type { AddressInfo } from 'node:net'
import { InvalidMultiaddrError } from './errors.ts'

export type ListenTarget =
  | { kind: 'tcp', host: string, port: number, family: 4 | 6 | 0 }
  | { kind: 'unix', path: string }

export interface BoundAddress {
  /** The listen address as a multiaddr, with the real port (`/ip4/127.0.0.1/tcp/41234`). */
  multiaddr: string
  /** Base URL for clients (`http://127.0.0.1:41234`, `https://…`, or `http+unix://…`). */
  url: string
  host?: string
  port?: number
  socketPath?: string
}

/** Parses `/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>` or `/unix/<path>`. */
export function parseListenMultiaddr (addr: string): ListenTarget {
  const bad = (why: string): InvalidMultiaddrError => new InvalidMultiaddrError(`cannot listen on ${JSON.stringify(addr)}: ${why}`)
  if (addr.startsWith('/unix/')) {
    let path = addr.slice('/unix'.length)
    if (path.includes('%')) {
      try {
        path = decodeURIComponent(path.slice(1))
      } catch {
        throw bad('bad unix path')
      }
    }
    if (path === '' || path === '/') throw bad('empty unix path')
    return { kind: 'unix', path }
  }
  const parts = addr.split('/')
  if (parts.length !== 5 || parts[0] !== '' || parts[3] !== 'tcp') throw bad('expected /<ip4|ip6|dns|dns4|dns6>/<host>/tcp/<port> or /unix/<path>')
  const [, proto, host, , portText] = parts as [string, string, string, string, string]
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad('invalid port')
  const port = Number(portText)
  switch (proto) {
    case 'ip4':
      if (isIP(host) !== 4) throw bad('invalid IPv4 address')
      return { kind: 'tcp', host, port, family: 4 }
    case 'ip6':
      if (isIP(host) !== 6) throw bad('invalid IPv6 address')
      return { kind: 'tcp', host, port, family: 6 }
    case 'dns':
    case 'dns4':
    case 'dns6':
      if (host === '') throw bad('empty host name')
      return { kind: 'tcp', host, port, family: proto === 'dns4' ? 4 : proto === 'dns6' ? 6 : 0 }
    default:
      throw bad(`unsupported protocol ${proto}`)
  }
}

export function boundAddress (target: ListenTarget, info: AddressInfo | string | null, tls = false): BoundAddress {
  const scheme = tls ? 'https' : 'http'
  if (target.kind === 'unix') {
    return { multiaddr: `/unix${target.path}`, url: `${scheme}+unix://${encodeURIComponent(target.path)}`, socketPath: target.path }
  }
  const host = info !== null && typeof info === 'object' ? info.address : target.host
  const port = info !== null && typeof info === 'object' ? info.port : target.port
  const v6 = isIP(host) === 6
  return {
    multiaddr: `/${v6 ? 'ip6' : 'ip4'}/${host}/tcp/${port}`,
    url: `${scheme}://${v6 ? `[${host}]` : host}:${port}`,
    host,
    port
  }
}

/**
 * Removes the Unix socket file a killed process left at `path` (a clean stop removes its own),
 * which would make every later listen there fail with EADDRINUSE: a peer killed -9 could not
 * start again. A socket that still takes connections, and anything that is not a socket, is
 * left alone (the listen then fails, naming the path).
 */
export async function clearStaleSocket (path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined)
  if (st === undefined || !st.isSocket()) return
  const answered = await new Promise<boolean>((resolve) => {
    const probe = connect({ path })
    probe.once('connect', () => { probe.destroy(); resolve(true) })
    probe.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code !== 'ECONNREFUSED') })
  })
  if (!answered) await unlink(path).catch(() => {})
}

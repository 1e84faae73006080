/** Listen multiaddrs → Node listen options, and bound addresses back. */
import { isIP, type AddressInfo } from 'node:net'
import { ProxyStartError } from './errors.ts'

export type ListenTarget =
  | { kind: 'tcp', host: string, port: number }
  | { kind: 'unix', path: string }

export interface BoundAddress {
  /** The listen address as a multiaddr with the real port (`/ip4/127.0.0.1/tcp/41234`). */
  multiaddr: string
  /** Base URL for clients (`http://127.0.0.1:41234`), or `http+unix://<encoded path>`. */
  url: string
  host?: string
  port?: number
  socketPath?: string
}

/** Parses `/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>` or `/unix/<path>`. */
export function parseListenMultiaddr (addr: string): ListenTarget {
  const bad = (why: string): ProxyStartError => new ProxyStartError(`cannot listen on ${JSON.stringify(addr)}: ${why}`)
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
      return { kind: 'tcp', host, port }
    case 'ip6':
      if (isIP(host) !== 6) throw bad('invalid IPv6 address')
      return { kind: 'tcp', host, port }
    case 'dns':
    case 'dns4':
    case 'dns6':
      if (host === '') throw bad('empty host name')
      return { kind: 'tcp', host, port }
    default:
      throw bad(`unsupported protocol ${proto}`)
  }
}

export function boundAddress (target: ListenTarget, info: AddressInfo | string | null): BoundAddress {
  if (target.kind === 'unix') {
    return { multiaddr: `/unix${target.path}`, url: `http+unix://${encodeURIComponent(target.path)}`, socketPath: target.path }
  }
  const host = info !== null && typeof info === 'object' ? info.address : target.host
  const port = info !== null && typeof info === 'object' ? info.port : target.port
  const v6 = isIP(host) === 6
  return { multiaddr: `/${v6 ? 'ip6' : 'ip4'}/${host}/tcp/${port}`, url: `http://${v6 ? `[${host}]` : host}:${port}`, host, port }
}

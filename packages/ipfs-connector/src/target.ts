import { multiaddr } from '@multiformats/multiaddr'
import { InvalidConfigError, messageOf } from './errors.ts'

/** Where Kubo's RPC API listens: a TCP host/port or a Unix socket. */
export type HttpTarget =
  | { kind: 'tcp', host: string, port: number }
  | { kind: 'unix', socketPath: string }

/**
 * `node_multiaddress` → HTTP target. Accepts `/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>` and
 * `/unix/<path>` (Go writes the socket path unescaped, `/unix/tmp/ipfs.sock`; the
 * URI-escaped form `/unix/tmp%2Fipfs.sock` of js-multiaddr is accepted too).
 */
export function targetOf (addr: string): HttpTarget {
  if (addr.startsWith('/unix/')) {
    const rest = addr.slice('/unix'.length)
    let path: string
    try {
      path = decodeURIComponent(rest)
    } catch {
      path = rest
    }
    if (path === '/' || path === '') throw new InvalidConfigError(`error parsing ipfs_node_multiaddress: empty unix socket path in ${addr}`)
    return { kind: 'unix', socketPath: path.startsWith('//') ? path.slice(1) : path }
  }
  let parts
  try {
    parts = multiaddr(addr).getComponents()
  } catch (err) {
    throw new InvalidConfigError(`error parsing ipfs_node_multiaddress: ${messageOf(err)}`, { cause: err })
  }
  const [host, tcp] = parts
  const hostOk = host !== undefined && ['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(host.name)
  if (!hostOk || tcp?.name !== 'tcp' || host.value === undefined || tcp.value === undefined) {
    throw new InvalidConfigError(`error parsing ipfs_node_multiaddress: ${addr} is not /ip4|ip6|dns*/<host>/tcp/<port> nor /unix/<path>`)
  }
  return { kind: 'tcp', host: host.value, port: Number(tcp.value) }
}

/** Human form of a target, for logs and errors. */
export function describeTarget (t: HttpTarget): string {
  if (t.kind === 'unix') return `unix:${t.socketPath}`
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`
}

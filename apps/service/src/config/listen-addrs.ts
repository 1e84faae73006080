/**
 * Which listen addresses a TCP-only libp2p host can serve. Go's defaults include a QUIC address
 * that Go itself never uses (QUIC cannot carry a private network); config.md §4 asks the port to
 * skip such addresses with a warning instead of failing.
 */
import { multiaddr } from '@multiformats/multiaddr'

const HOSTS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6'])

/** Whether the address is `/<ip4|ip6|dns*>/<host>/tcp/<port>` (optionally followed by `/p2p/<id>`). */
export function isTcpListenAddr (addr: string): boolean {
  let parts
  try {
    parts = multiaddr(addr).getComponents().map((c) => c.name)
  } catch {
    return false
  }
  if (parts[parts.length - 1] === 'p2p') parts = parts.slice(0, -1)
  return parts.length === 2 && HOSTS.has(parts[0]!) && parts[1] === 'tcp'
}

/** Splits listen addresses into those a TCP transport serves and the others (to warn about). */
export function partitionListenAddrs (addrs: readonly string[]): { tcp: string[], ignored: string[] } {
  const tcp: string[] = []
  const ignored: string[] = []
  for (const a of addrs) (isTcpListenAddr(a) ? tcp : ignored).push(a)
  return { tcp, ignored }
}

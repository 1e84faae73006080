/**
 * Which of Kubo's addresses a peer publishes (the ping metric's `ipfs_addresses`, hence
 * `ipfs_peer_addresses` in statuses and the Pinning Service API `delegates`). Go publishes only
 * DNS multiaddrs and IPs for which `net.IP.IsGlobalUnicast()` holds (util.go
 * `publicIPFSAddresses`): loopback, link-local, unspecified, multicast and broadcast addresses
 * are of no use to another host. Go's test keeps private (RFC 1918, fc00::/7) addresses.
 */
import { BlockList, isIP } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'

/**
 * `cluster.publish_ipfs_addresses` (not in Go): `global_unicast` is Go's rule (the default),
 * `public` also drops private addresses (Go's `net.IP.IsPrivate`), `all` keeps everything Kubo
 * reports, loopback included (a cluster whose peers all run on one host).
 */
export const IPFS_ADDRESS_SCOPES = ['global_unicast', 'public', 'all'] as const
export type IpfsAddressScope = typeof IPFS_ADDRESS_SCOPES[number]
export const DEFAULT_IPFS_ADDRESS_SCOPE: IpfsAddressScope = 'global_unicast'

/** Where Go's IsGlobalUnicast is false. IPv4-mapped IPv6 addresses are checked as IPv4 (as Go). */
const NOT_GLOBAL_UNICAST = new BlockList()
NOT_GLOBAL_UNICAST.addAddress('0.0.0.0')
NOT_GLOBAL_UNICAST.addAddress('255.255.255.255')
NOT_GLOBAL_UNICAST.addSubnet('127.0.0.0', 8)
NOT_GLOBAL_UNICAST.addSubnet('169.254.0.0', 16)
NOT_GLOBAL_UNICAST.addSubnet('224.0.0.0', 4)
NOT_GLOBAL_UNICAST.addAddress('::', 'ipv6')
NOT_GLOBAL_UNICAST.addAddress('::1', 'ipv6')
NOT_GLOBAL_UNICAST.addSubnet('fe80::', 10, 'ipv6')
NOT_GLOBAL_UNICAST.addSubnet('ff00::', 8, 'ipv6')

/** Go's IsPrivate. */
const PRIVATE = new BlockList()
PRIVATE.addSubnet('10.0.0.0', 8)
PRIVATE.addSubnet('172.16.0.0', 12)
PRIVATE.addSubnet('192.168.0.0', 16)
PRIVATE.addSubnet('fc00::', 7, 'ipv6')

const DNS = new Set(['dns', 'dns4', 'dns6', 'dnsaddr'])

/** The first IP of a multiaddr (ip4 before ip6, as Go's ValueForProtocol), or 'dns'. */
function hostOf (addr: string): { family: 'ipv4' | 'ipv6', ip: string } | 'dns' | undefined {
  let components: Array<{ name: string, value?: string }>
  try {
    components = multiaddr(addr).getComponents()
  } catch {
    // A protocol this multiaddr library does not know: read the pairs before it as text.
    const parts = addr.split('/').slice(1)
    components = []
    for (let i = 0; i + 1 < parts.length; i += 2) components.push({ name: parts[i] ?? '', value: parts[i + 1] ?? '' })
  }
  if (components.some(c => DNS.has(c.name))) return 'dns'
  const ip = components.find(c => c.name === 'ip4') ?? components.find(c => c.name === 'ip6')
  if (ip?.value === undefined) return undefined
  return { family: ip.name === 'ip4' ? 'ipv4' : 'ipv6', ip: ip.value }
}

function publishable (addr: string, scope: IpfsAddressScope): boolean {
  const host = hostOf(addr)
  if (host === 'dns') return true
  if (host === undefined || isIP(host.ip) !== (host.family === 'ipv4' ? 4 : 6)) return false
  if (NOT_GLOBAL_UNICAST.check(host.ip, host.family)) return false
  return scope !== 'public' || !PRIVATE.check(host.ip, host.family)
}

/** The addresses of `addrs` this peer publishes, in their order. */
export function publishedIpfsAddresses (addrs: readonly string[], scope: IpfsAddressScope = DEFAULT_IPFS_ADDRESS_SCOPE): string[] {
  return scope === 'all' ? [...addrs] : addrs.filter(a => publishable(a, scope))
}

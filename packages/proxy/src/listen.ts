/** Listen multiaddrs → Node listen options (shared parser of @cluster/api, this package's error). */
import { boundAddress, parseListenMultiaddr as parseListen, type BoundAddress, type ListenTarget } from '@cluster/api'
import { ProxyStartError } from './errors.ts'

export { boundAddress, type BoundAddress, type ListenTarget }

export function parseListenMultiaddr (addr: string): ListenTarget {
  try {
    return parseListen(addr)
  } catch (err) {
    throw new ProxyStartError((err as Error).message, { cause: err })
  }
}

/** Listen multiaddrs → Node listen options (shared parser of @cluster/api, this package's error). */
import { boundAddress, parseListenMultiaddr as parseListen, type BoundAddress, type ListenTarget } from '@cluster/api'
import { RestApiStartError } from './errors.ts'

export { boundAddress, type BoundAddress, type ListenTarget }

export function parseListenMultiaddr (addr: string): ListenTarget {
  try {
    return parseListen(addr)
  } catch (err) {
    throw new RestApiStartError((err as Error).message, { cause: err })
  }
}

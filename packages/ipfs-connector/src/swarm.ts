import type { KuboClient } from './client.ts'
import type { Clock } from '@cluster/api'
import { messageOf } from './errors.ts'
import type { Logger } from '@cluster/api'

/**
 * ConnectSwarms (ipfs-connector.md §3.7): `swarm/connect` to each address, sequentially, under
 * one `ipfs_request_timeout` deadline (0: none); failures are logged at debug level and ignored.
 */
export async function connectSwarms (
  kubo: { client: KuboClient, clock: Clock, logger: Logger, timeoutMs: number },
  addresses: AsyncIterable<string> | Iterable<string>,
  options: { signal?: AbortSignal } = {}
): Promise<{ attempted: number, connected: number }> {
  const ac = new AbortController()
  const timer = kubo.timeoutMs > 0 ? kubo.clock.setTimeout(() => { ac.abort(new Error('ConnectSwarms deadline')) }, kubo.timeoutMs) : undefined
  const signal = options.signal === undefined ? ac.signal : AbortSignal.any([ac.signal, options.signal])
  let attempted = 0
  let connected = 0
  try {
    for await (const addr of addresses) {
      if (signal.aborted) break
      attempted++
      try {
        await kubo.client.swarmConnect(addr, { signal })
        connected++
      } catch (err) {
        kubo.logger('debug', `swarm/connect ${addr}: ${messageOf(err)}`)
      }
    }
  } finally {
    if (timer !== undefined) kubo.clock.clearTimeout(timer)
  }
  return { attempted, connected }
}

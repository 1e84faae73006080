import { decodeMetric, parseJson, type Metric, type PeerId } from '@cluster/api'
import type { Informer } from '@cluster/ipfs-connector'
import type { MetricCodec, PubsubMonitor } from '@cluster/monitor'
import { decodeMetricMsgpack, encodeMetricMsgpack } from './metric-msgpack.ts'

const decoder = new TextDecoder()

/**
 * Metrics travel over gossipsub as Go writes them (consensus-crdt.md §7): a ugorji msgpack map,
 * byte for byte. Received metrics may be Go's msgpack (with or without the old `/msgpack`
 * multicodec header) or the JSON that earlier TS peers sent (it starts with `{`, which no msgpack
 * map does).
 */
export const metricCodec: MetricCodec<Metric> = {
  encode: m => encodeMetricMsgpack(m),
  decode: bytes => bytes[0] === 0x7b ? decodeMetric(parseJson(decoder.decode(bytes))) : decodeMetricMsgpack(bytes)
}

/** The ping metric's value (cluster-behaviour.md §5.1): keys omitted when empty. */
export function pingValue (peername: string, ipfsId: string | undefined, ipfsAddresses: string[]): string {
  const v: Record<string, unknown> = {}
  if (peername !== '') v.peer_name = peername
  if (ipfsId !== undefined) v.ipfs_id = ipfsId
  if (ipfsAddresses.length > 0) v.ipfs_addresses = ipfsAddresses
  return JSON.stringify(v)
}

export function readPingValue (metric: Metric | undefined): { peername: string, ipfsId?: string, ipfsAddresses: string[] } {
  try {
    const v = JSON.parse(metric?.value ?? '{}') as { peer_name?: string, ipfs_id?: string, ipfs_addresses?: string[] }
    return { peername: v.peer_name ?? '', ...(v.ipfs_id === undefined ? {} : { ipfsId: v.ipfs_id }), ipfsAddresses: v.ipfs_addresses ?? [] }
  } catch {
    return { peername: '', ipfsAddresses: [] }
  }
}

/**
 * Publishes an informer's metrics now and again after half of their smallest TTL (a quarter
 * after a failure), as Go's informer loop does. Returns a stop function.
 */
export function informerLoop (self: PeerId, informer: Informer, monitor: PubsubMonitor<Metric>, onError: (err: Error) => void): () => void {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const run = async (): Promise<void> => {
    let next = 15_000
    try {
      const now = BigInt(Date.now()) * 1_000_000n
      const metrics = (await informer.getMetrics()).filter(m => m.valid && m.expire > now)
      for (const m of metrics) await monitor.publish({ ...m, peer: self })
      const ttls = metrics.map(m => Number((m.expire - now) / 1_000_000n))
      if (ttls.length > 0) next = Math.max(100, Math.min(...ttls) / 2)
    } catch (err) {
      onError(err as Error)
      next = 7_500
    }
    if (!stopped) {
      timer = setTimeout(() => { void run() }, next)
      timer.unref()
    }
  }
  void run()
  return () => { stopped = true; clearTimeout(timer) }
}

import type { PeerId } from '@cluster/api'
import type { Informer, IpfsConnector } from '@cluster/ipfs-connector'
import type { StatelessTracker, TrackerIpfs } from '@cluster/pintracker'

/** The pin tracker's view of IPFS, served by the Kubo connector. */
export function trackerIpfsOf (connector: IpfsConnector): TrackerIpfs {
  return {
    pin: async (cid, o) => { await connector.pin({ cid, maxDepth: o.maxDepth, origins: o.origins, ...(o.pinUpdate === undefined ? {} : { pinUpdate: o.pinUpdate }) }, { signal: o.signal }) },
    unpin: async (cid, o) => { await connector.unpin(cid, o) },
    pinLsCid: async (cid, mode, o) => pinTypeOf(await connector.pinLsCid(cid, mode === 'direct' ? 0 : -1, o?.signal === undefined ? {} : { signal: o.signal })),
    pinLs: async function * () {
      for await (const e of connector.pinLs(['recursive', 'direct'])) {
        const type = pinTypeOf(e.type)
        if (type !== undefined) yield { cid: e.cid, type }
      }
    }
  }
}

function pinTypeOf (s: string): 'recursive' | 'direct' | 'indirect' | undefined {
  return s === 'recursive' || s === 'direct' || s === 'indirect' ? s : undefined
}

/** The `pinqueue` informer: queued pins, weight −queued/bucket truncated (cluster-behaviour.md §4.3). */
export function pinqueueInformer (tracker: StatelessTracker, ttlMs: number, bucket: number): Informer {
  return {
    name: 'pinqueue',
    getMetrics: async () => {
      const n = tracker.pinQueueSize()
      const weight = bucket > 0 ? -Math.trunc(n / bucket) : -n
      return [{ name: 'pinqueue', peer: '' as PeerId, value: String(n), expire: BigInt(Date.now() + ttlMs) * 1_000_000n, valid: true, weight, partitionable: false, receivedAt: 0n }]
    }
  }
}


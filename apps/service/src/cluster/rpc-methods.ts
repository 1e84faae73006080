import { codecs, parseCid, statusStreamItemCodec, type CID, type Codec } from '@cluster/api'
import { listOf, none, streaming, text, unary } from '@cluster/rpc'

const filter: Codec<number> = {
  encode: v => v,
  decode: v => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError('filter must be an integer')
    return v
  }
}

/** Most CIDs one StatusWithin call may name (a search page is 1000). */
export const STATUS_WITHIN_MAX = 10_000

/** StatusWithin's argument: a status filter and the CIDs, as strings in CID-string order. */
const statusWithin: Codec<{ filter: number, cids: string[] }> = {
  encode: v => ({ filter: v.filter, cids: v.cids }),
  decode: v => {
    const o = v as { filter?: unknown, cids?: unknown } | null
    if (typeof o !== 'object' || o === null || !Array.isArray(o.cids)) throw new TypeError('StatusWithin takes { filter, cids }')
    if (o.cids.length > STATUS_WITHIN_MAX) throw new TypeError(`StatusWithin takes at most ${STATUS_WITHIN_MAX} CIDs`)
    // Parsed to refuse garbage; kept as sent (the caller's CID-string order).
    const cids = o.cids.map(c => { if (typeof c !== 'string') throw new TypeError('a CID must be a string'); parseCid(c); return c })
    return { filter: filter.decode(o.filter), cids }
  }
}

/** Blocks of an add, as `[cid, base64 bytes]` pairs. */
export const blocks: Codec<Array<{ cid: CID, bytes: Uint8Array }>> = {
  encode: v => v.map(b => [b.cid.toString(), Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength).toString('base64')]),
  decode: v => {
    if (!Array.isArray(v)) throw new TypeError('blocks must be an array')
    return v.map(item => {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') throw new TypeError('a block must be [cid, base64]')
      return { cid: parseCid(item[0]), bytes: Buffer.from(item[1], 'base64') }
    })
  }
}

/**
 * The peer-to-peer methods of a cluster peer (cluster-behaviour.md §14.2; the subset this
 * implementation fans out). Names follow Go's `<Service>.<Method>`.
 */
export const Rpc = {
  id: unary('Cluster.ID', 'open', none, codecs.id),
  peerAdd: unary('Cluster.PeerAdd', 'open', text, codecs.id),
  connectedPeers: unary('Cluster.ConnectedPeers', 'trusted', none, listOf(text)),
  repoGcLocal: unary('Cluster.RepoGCLocal', 'trusted', none, codecs.repoGc),
  recoverAllLocal: streaming('Cluster.RecoverAllLocal', 'trusted', none, codecs.pinInfo),
  trackerStatus: unary('PinTracker.Status', 'trusted', text, codecs.pinInfo),
  trackerStatusAll: streaming('PinTracker.StatusAll', 'trusted', filter, codecs.pinInfo),
  /**
   * Extension: StatusAll as statuses alone, the peer's own fields sent once and the pin's fields
   * not at all (status-stream.ts of @cluster/api).
   */
  trackerStatusAllLean: streaming('PinTracker.StatusAllLean', 'trusted', filter, statusStreamItemCodec),
  /** Extension: StatusAll of the listed CIDs only (a search's statuses), in their order. */
  trackerStatusWithin: streaming('PinTracker.StatusWithin', 'trusted', statusWithin, codecs.pinInfo),
  trackerRecover: unary('PinTracker.Recover', 'trusted', text, codecs.pinInfo),
  ipfsSwarmPeers: unary('IPFSConnector.SwarmPeers', 'trusted', none, listOf(text)),
  /** Repo size and StorageMax of the peer's Kubo, as decimal strings (they exceed 2^53). */
  ipfsRepoStat: unary('IPFSConnector.RepoStat', 'trusted', none, listOf(text)),
  /** Stores blocks of an add in the peer's IPFS (Go streams them with IPFSConnector.BlockStream). */
  ipfsBlockPut: unary('IPFSConnector.BlockPut', 'trusted', blocks, none),
  sendInformersMetrics: unary('Cluster.SendInformersMetrics', 'closed', none, none)
} as const

import {
  PinNotFoundError, Timestamp, parseCid, type AddedOutput, type AddParams, type AddUpload, type CID, type ClusterApi,
  type GlobalRepoGc, type Pin, type PinOptions, type RequestOptions
} from '@cluster/api'
import { addUpload, type BlockSink } from '@cluster/adder'

export { request, lines, multipart } from '@cluster/test-utils'

export const CID1 = 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmq'
export const CID2 = 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmma'
export const CID3 = 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmb'
/** Cid4 as given (base58 CIDv1) and in its canonical (base32) form, which answers use. */
export const CID4_B58 = 'zb2rhiKhUepkTMw7oFfBUnChAN7ABAvg2hXUwmTBtZ6yxuc57'
export const CID4 = 'bafkreifnrgvintcjm6pzhdi7u7dvr5ts5ntw43zowuouy3t33e3qfjnuvi'
export const NOT_IN_PINSET_CID = 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmme'
export const ERROR_CID = 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmc'
export const RESOLVED_CID = 'QmP63DkAFEnDYNjDYBpyNDfttu1fvUw99x1brscPzpqmmd'
export const ERROR_MESSAGE = 'this is an expected error when using ErrorCid'

function pinOf (cid: CID, o: PinOptions): Pin {
  return { ...o, cid, type: 'pin', allocations: [], maxDepth: o.mode === 'direct' ? 0 : -1, reference: undefined, timestamp: Timestamp.ZERO }
}

/**
 * The Go tests' fake cluster (proxy.md §7): pinset Cid1-3, ErrorCid fails, deeper paths
 * resolve to RESOLVED_CID, repo GC with an error entry at position 5.
 */
export class FakeCluster {
  readonly pins = new Map<string, Pin>()
  readonly calls: Array<{ op: string, cid: string, options?: PinOptions }> = []
  /** Where `add` stores the blocks it produces (the test's Kubo); unset, they are dropped. */
  blockSink: BlockSink = { put: async () => {} }

  constructor () {
    for (const c of [CID1, CID2, CID3]) this.pins.set(c, pinOf(parseCid(c), { ...defaults(), mode: c === CID3 ? 'direct' : 'recursive' }))
  }

  private resolve (path: string): CID {
    const parts = path.split('/').filter(s => s !== '')
    if (parts.length > 2) return parseCid(RESOLVED_CID)
    return parseCid(parts[1] as string)
  }

  async pin (cid: CID, options: PinOptions): Promise<Pin> {
    this.calls.push({ op: 'pin', cid: cid.toString(), options })
    if (cid.toString() === ERROR_CID) throw new Error(ERROR_MESSAGE)
    const pin = pinOf(cid, options)
    this.pins.set(cid.toString(), pin)
    return pin
  }

  async pinPath (path: string, options: PinOptions): Promise<Pin> { return await this.pin(this.resolve(path), options) }

  /** The real adder; the root is pinned unless `noPin`. */
  async * add (upload: AddUpload, params: AddParams, opts: RequestOptions = {}): AsyncIterable<AddedOutput> {
    let root: CID | undefined
    for await (const node of addUpload(upload, params, this.blockSink, opts.signal === undefined ? {} : { signal: opts.signal })) {
      if (node.cid !== undefined) root = node.cid
      yield { ...node, allocations: [] }
    }
    if (root !== undefined && !params.noPin) await this.pin(root, params.pinOptions)
  }

  async unpin (cid: CID): Promise<Pin> {
    this.calls.push({ op: 'unpin', cid: cid.toString() })
    if (cid.toString() === ERROR_CID) throw new Error(ERROR_MESSAGE)
    const pin = this.pins.get(cid.toString())
    if (pin === undefined) throw new PinNotFoundError()
    this.pins.delete(cid.toString())
    return pin
  }

  async unpinPath (path: string): Promise<Pin> { return await this.unpin(this.resolve(path)) }

  async allocation (cid: CID): Promise<Pin> {
    const pin = this.pins.get(cid.toString())
    if (pin === undefined) {
      if (cid.toString() === ERROR_CID) return pinOf(cid, defaults())
      throw new PinNotFoundError()
    }
    return pin
  }

  async * allocations (): AsyncIterable<Pin> { yield * this.pins.values() }

  async repoGc (): Promise<GlobalRepoGc> {
    const keys = [CID1, CID2, CID3, CID4_B58].map(c => ({ key: parseCid(c), error: '' }))
    const withError = [...keys, { key: undefined, error: 'no link by that name' }]
    return { peerMap: { P1: { peer: 'P1' as never, peername: 'p1', keys: withError, error: '' }, P2: { peer: 'P2' as never, peername: 'p2', keys, error: '' } } }
  }

  asApi (): ClusterApi { return this as unknown as ClusterApi }
}

function defaults (): PinOptions {
  return { replicationFactorMin: 0, replicationFactorMax: 0, name: '', mode: 'recursive', shardSize: 0, userAllocations: null, expireAt: Timestamp.ZERO, metadata: null, pinUpdate: undefined, origins: null }
}


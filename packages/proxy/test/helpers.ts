import http, { type IncomingHttpHeaders } from 'node:http'
import {
  PinNotFoundError, Timestamp, parseCid, type CID, type ClusterApi, type GlobalRepoGc, type Pin, type PinOptions
} from '@cluster/api'

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
  trailers: NodeJS.Dict<string>
}

/** One HTTP request with node:http (trailers included); `body` may be a string or a Buffer. */
export async function request (url: string, init: { method?: string, headers?: Record<string, string>, body?: string | Buffer } = {}): Promise<Answer> {
  return await new Promise<Answer>((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'POST', headers: init.headers, signal: AbortSignal.timeout(60_000) }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), trailers: res.trailers })
      })
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/** Newline-delimited JSON values of a body. */
export function lines (body: string): unknown[] {
  return body.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as unknown)
}

/** A multipart/form-data body the way the ipfs CLI sends files (one part per file). */
export function multipart (files: Array<{ name: string, content: string | Buffer, directory?: boolean }>): { body: Buffer, contentType: string } {
  const boundary = `----proxytest${Math.random().toString(16).slice(2)}`
  const parts: Buffer[] = []
  for (const f of files) {
    const type = f.directory === true ? 'application/x-directory' : 'application/octet-stream'
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(f.name)}"\r\nContent-Type: ${type}\r\n\r\n`))
    parts.push(Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content))
    parts.push(Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

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

export { until } from '@cluster/test-utils'

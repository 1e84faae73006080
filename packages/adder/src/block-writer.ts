/**
 * The importer's blockstore: hands blocks to the caller's sink one at a time (deduplicated by
 * CID, children before parents), and re-hashes the importer's file DAGs when the hash function
 * is not sha2-256 (ipfs-unixfs-importer only hashes with sha2-256).
 */
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { AdderError, AddAbortedError } from './errors.ts'
import type { BlockSink } from './types.ts'
import type { MultihashHasher } from 'multiformats/hashes/interface'

interface Translated { cid: CID, size: number }

type BlockInput = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>

async function toBytes (value: BlockInput): Promise<Uint8Array> {
  if (value instanceof Uint8Array) return value
  const chunks: Uint8Array[] = []
  for await (const chunk of value) chunks.push(chunk)
  return Buffer.concat(chunks)
}

export class BlockWriter {
  /** CIDs already handed to the sink. */
  private readonly seen = new Set<string>()
  /** Re-hash mode: importer (sha2-256) CID → final CID and cumulative size. */
  private readonly translated = new Map<string, Translated>()
  private tail: Promise<unknown> = Promise.resolve()
  private failure: Error | undefined
  private closed = false
  private readonly sink: BlockSink
  /** Re-hash with this function; undefined keeps the importer's sha2-256 blocks as they are. */
  private readonly hasher: MultihashHasher<number> | undefined
  private readonly signal: AbortSignal | undefined

  constructor (sink: BlockSink, hasher: MultihashHasher<number> | undefined, signal?: AbortSignal) {
    this.sink = sink
    this.hasher = hasher
    this.signal = signal
  }

  /** WritableStorage.put for ipfs-unixfs-importer. Returns the importer's CID unchanged. */
  readonly put = async (cid: CID, value: BlockInput): Promise<CID> => {
    const bytes = await toBytes(value)
    await this.serial(async () => { await this.write(cid, bytes) })
    return cid
  }

  /** An import result with its final CID and cumulative size (itself unless re-hashing). */
  finalResult<T extends { cid: CID, size: bigint }> (result: T): T {
    if (this.hasher === undefined) return result
    const t = this.translated.get(result.cid.toString())
    if (t === undefined) throw new AdderError(`internal error: block ${result.cid.toString()} was never written`)
    return { ...result, cid: t.cid, size: BigInt(t.size) }
  }

  /** The CID of a dag-pb node we build ourselves (directories): the final hash function, CIDv1 when re-hashing. */
  async nodeCid (bytes: Uint8Array, cidVersion: 0 | 1): Promise<CID> {
    if (this.hasher === undefined) return CID.create(cidVersion, dagPb.code, await sha256.digest(bytes))
    return CID.createV1(dagPb.code, await this.hasher.digest(bytes))
  }

  /** Writes a block whose CID is already final (our directories, CAR blocks): deduplicated, not re-hashed. */
  async putVerbatim (cid: CID, bytes: Uint8Array): Promise<void> {
    await this.serial(async () => { await this.emit(cid, bytes) })
  }

  /** No block may reach the sink after this (the add ended or failed). */
  close (): void {
    this.closed = true
  }

  private async serial (task: () => Promise<void>): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.failure !== undefined) throw this.failure
      try {
        await task()
      } catch (err) {
        this.failure ??= err as Error
        throw err
      }
    })
    this.tail = run.catch(() => {})
    await run
  }

  private async write (cid: CID, bytes: Uint8Array): Promise<void> {
    if (this.hasher === undefined) {
      await this.emit(cid, bytes)
      return
    }
    const key = cid.toString()
    if (this.translated.has(key)) return
    const [finalBytes, linked] = cid.code === dagPb.code ? this.relink(cid, bytes) : [bytes, 0]
    const finalCid = CID.createV1(cid.code, await this.hasher.digest(finalBytes))
    this.translated.set(key, { cid: finalCid, size: finalBytes.length + linked })
    await this.emit(finalCid, finalBytes)
  }

  /** Re-encodes a dag-pb node with its children's final CIDs and cumulative sizes. */
  private relink (cid: CID, bytes: Uint8Array): [Uint8Array, number] {
    const node = dagPb.decode(bytes)
    let linked = 0
    const Links = node.Links.map(link => {
      const t = this.translated.get(link.Hash.toString())
      if (t === undefined) throw new AdderError(`internal error: block ${cid.toString()} links to ${link.Hash.toString()} before it was written`)
      linked += t.size
      return link.Name === undefined ? { Hash: t.cid, Tsize: t.size } : { Hash: t.cid, Name: link.Name, Tsize: t.size }
    })
    const encoded = node.Data === undefined ? dagPb.encode({ Links }) : dagPb.encode({ Data: node.Data, Links })
    return [encoded, linked]
  }

  private async emit (cid: CID, bytes: Uint8Array): Promise<void> {
    if (this.signal?.aborted === true) throw new AddAbortedError('add aborted', { cause: this.signal.reason })
    if (this.closed) throw new AdderError('the add has ended: no more blocks are accepted')
    const key = cid.toString()
    if (this.seen.has(key)) return
    this.seen.add(key)
    await this.sink.put({ cid, bytes })
  }
}
